internal import CountersignLedger
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
}
