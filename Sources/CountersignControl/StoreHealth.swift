package import CountersignLedger
public import Foundation
internal import Synchronization

/// What the last append told about the store. A read can succeed while writes fail — a full disk, a read-only
/// file, a database that refuses writes — so readiness reads the store *and* asks whether the last append failed
/// for the store's sake (not for the input's) and nothing has been appended since.
public final class StoreHealth: Sendable {
    private let failure = Mutex<(at: Date, message: String)?>(nil)

    public init() {}

    /// Records the outcome of an append.
    func appended(_ error: LedgerError?, at now: Date) {
        switch error?.code {
        case nil: failure.withLock { $0 = nil }
        case .storage?, .timedOut?: failure.withLock { $0 = (now, error?.message ?? "") }
        default: break
        }
    }

    /// The last append's store failure, if no append has succeeded since.
    public var lastWriteFailure: (at: Date, message: String)? { failure.withLock { $0 } }

    /// When readiness last wrote its probe, and why that failed (nil: it succeeded or is still running).
    private let probe = Mutex<(at: Date, failure: String?)?>(nil)

    /// Probes at most this often: `/readyz` is open to anyone, and each probe is a write to a store that is
    /// already failing writes (a full disk): asked a thousand times a second, it still writes once.
    static let probeInterval: TimeInterval = 1

    /// Whether readiness may write a probe now; if not, the last probe's failure is the answer.
    package func mayProbe(at now: Date) -> (allowed: Bool, lastFailure: String?) {
        probe.withLock { last in
            if let previous = last, now.timeIntervalSince(previous.at) < Self.probeInterval, now >= previous.at {
                return (false, previous.failure)
            }
            last = (now, nil)
            return (true, nil)
        }
    }

    /// Records the probe's outcome.
    package func probed(_ error: LedgerError?, at now: Date) {
        probe.withLock { last in last = (last?.at ?? now, error?.message) }
        if error == nil { appended(nil, at: now) }
    }
}
