internal import Synchronization

/// Runs `operation` and returns its result, or throws `onTimeout()` once `limit` has passed, whichever is first.
///
/// A store call that waits on a hung database does not answer cancellation (a blocked socket read, a C call in
/// SQLite), and a task group would wait for it at the end of its scope. So the operation runs in a task of its own
/// and the caller waits on a continuation that the operation or the timer resumes, whichever is first; on
/// timeout the operation is cancelled and left to finish (or fail) on its own, its result discarded. This is the
/// one place an unstructured task is the right tool: the caller must get its answer even if the work never ends.
public func withDeadline<T: Sendable>(
    _ limit: Duration, onTimeout: @escaping @Sendable () -> LedgerError,
    _ operation: @escaping @Sendable () async throws(LedgerError) -> T
) async throws(LedgerError) -> T {
    let race = Race<T>()
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, LedgerError>, Never>) in
        race.start(continuation)
        let work = Task {
            let outcome: Result<T, LedgerError>
            do throws(LedgerError) { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
            race.finish(outcome, timedOut: false)
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            guard !Task.isCancelled else { return }
            if race.finish(.failure(onTimeout()), timedOut: true) { work.cancel() }
        }
        race.whenWorkFinishes { timer.cancel() }
    }
    return try result.get()
}

/// The continuation of one `withDeadline`, resumed exactly once by the work or the timer.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, LedgerError>, Never>?
        var workFinished = false
        var cancelTimer: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Result<T, LedgerError>, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Calls `cancelTimer` once the work has finished (at once if it already has).
    func whenWorkFinishes(_ cancelTimer: @escaping @Sendable () -> Void) {
        let finished = state.withLock { s -> Bool in
            if !s.workFinished { s.cancelTimer = cancelTimer }
            return s.workFinished
        }
        if finished { cancelTimer() }
    }

    /// Resumes the caller with `result` unless the other side already did; true if this call did.
    @discardableResult
    func finish(_ result: Result<T, LedgerError>, timedOut: Bool) -> Bool {
        let (continuation, cancelTimer) = state.withLock { s in
            let c = s.continuation
            s.continuation = nil
            if !timedOut {
                s.workFinished = true
                let cancel = s.cancelTimer
                s.cancelTimer = nil
                return (c, cancel)
            }
            return (c, nil)
        }
        cancelTimer?()
        continuation?.resume(returning: result)
        return continuation != nil
    }
}
