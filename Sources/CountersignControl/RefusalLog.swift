internal import Foundation
internal import Synchronization

/// How many refusals of one identity are recorded: a few a minute, so a caller retrying a forbidden call in a loop
/// leaves a trace without flooding the ledger. The ones not recorded are counted, and the next recorded refusal of
/// that identity carries the count. Per node: two nodes record up to twice as many.
final class RefusalLog: Sendable {
    /// Recorded refusals per identity per window.
    static let perWindow = 10
    static let window: TimeInterval = 60

    private struct Counter {
        var windowStart: Date
        var recorded: Int
        var suppressed: Int
    }
    private let counters = Mutex<[String: Counter]>([:])

    /// Whether a refusal of `identity` at `now` is to be recorded, and if so how many were suppressed before it.
    func admit(_ identity: String, now: Date) -> (record: Bool, suppressed: Int) {
        counters.withLock { counters in
            if counters.count > 10_000 {
                counters = counters.filter { now.timeIntervalSince($0.value.windowStart) < Self.window }
            }
            var c = counters[identity] ?? Counter(windowStart: now, recorded: 0, suppressed: 0)
            if now.timeIntervalSince(c.windowStart) >= Self.window || now < c.windowStart {
                c.windowStart = now
                c.recorded = 0
            }
            guard c.recorded < Self.perWindow else {
                c.suppressed += 1
                counters[identity] = c
                return (false, 0)
            }
            let suppressed = c.suppressed
            c.recorded += 1
            c.suppressed = 0
            counters[identity] = c
            return (true, suppressed)
        }
    }
}
