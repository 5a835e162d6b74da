internal import Dispatch
internal import Synchronization

/// Runs `operation` and returns its result, or throws `onTimeout()` once `limit` has passed, whichever is first.
///
/// A store call that waits on a hung database does not answer cancellation (a blocked socket read, a C call in
/// SQLite), and a task group would wait for it at the end of its scope. So the operation runs in a task of its own
/// and the caller waits on a continuation that the operation or the timer resumes, whichever is first; on
/// timeout the operation is cancelled and left to finish (or fail) on its own, its result discarded. This is the
/// one place an unstructured task is the right tool: the caller must get its answer even if the work never ends.
///
/// The task starts immediately, on the caller's thread, and runs there until it first suspends: an operation that
/// never suspends — an indexed SQLite read from an idle connection, microseconds — has finished before the caller
/// would wait, and costs no thread hop and no timer (on two cores, the hops and the timer task had cost a request
/// more server time than the read itself). One that suspends (a PostgreSQL round trip, a wait for a connection)
/// gets the timer, a dispatch work item, which a finished operation cancels without waking anything. A store whose
/// calls can wait synchronously bounds the wait by ``StoreBudget/timeLeft`` (SQLite's busy wait for a lock held by
/// another process), so the answer still comes by the deadline.
public func withDeadline<T: Sendable>(
    _ limit: Duration, onTimeout: @escaping @Sendable () -> LedgerError,
    _ operation: @escaping @Sendable () async throws(LedgerError) -> T
) async throws(LedgerError) -> T {
    let race = Race<T>()
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, LedgerError>, Never>) in
        race.start(continuation)
        let until = ContinuousClock.now + limit
        let work = Task.immediate {
            // The call's deadline is the budget of whatever it does, so a store that waits synchronously (SQLite's
            // busy wait for a lock) waits no longer than the caller will (``StoreBudget/timeLeft``).
            let outcome = await StoreBudget.$deadline.withValue(min(until, StoreBudget.deadline ?? until)) {
                () async -> Result<T, LedgerError> in
                do throws(LedgerError) { return .success(try await operation()) } catch { return .failure(error) }
            }
            race.finish(outcome, timedOut: false)
        }
        guard !race.isWorkFinished else { return }
        let timer = Timer(
            DispatchWorkItem {
                if race.finish(.failure(onTimeout()), timedOut: true) { work.cancel() }
            })
        race.whenWorkFinishes { timer.item.cancel() }
        let (seconds, attoseconds) = limit.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds)), execute: timer.item)
    }
    return try result.get()
}

/// A deadline's timer. `DispatchWorkItem.cancel()` may be called from any thread (Dispatch documents it), but the
/// class is not marked `Sendable` on Linux.
private struct Timer: @unchecked Sendable {
    let item: DispatchWorkItem
    init(_ item: DispatchWorkItem) { self.item = item }
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

    /// Whether the work has finished (and so resumed the caller, unless the timer was first).
    var isWorkFinished: Bool { state.withLock { $0.workFinished } }

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
