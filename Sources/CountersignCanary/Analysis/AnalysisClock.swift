public import Foundation
internal import Synchronization

/// The time source of an analysis run. Injected so a ten-minute Argo analysis is tested in milliseconds, and so a
/// run can be replayed over historical metrics (`countersign canary run --replay-from`).
public protocol AnalysisClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` (at once when it has passed); throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time.
public struct SystemAnalysisClock: AnalysisClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .seconds(seconds)) }
        try Task.checkCancellation()
    }
}

/// Simulated time: `sleep(until:)` moves the clock to the deadline and returns at once. Deterministic, so tests
/// and replays see exactly the measurement times a real run would.
public final class VirtualClock: AnalysisClock {
    private let current: Mutex<Date>

    public init(start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        current.withLock { if deadline > $0 { $0 = deadline } }
    }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: TimeInterval) { current.withLock { $0 += interval } }
}
