internal import Synchronization

/// Admits at most `limit` operations of one kind at once and refuses the next with `.busy` rather than queueing
/// it: queued work would hold memory and connections behind a slow one. The audit console bounds its queries
/// with one, the server the webhook bodies it buffers. Use as `try limit.enter(); defer { limit.leave() }`.
public final class ConcurrencyLimit: Sendable {
    private let running = Atomic<Int>(0)
    public let limit: Int
    /// What is limited, plural, for the refusal: "audit queries".
    public let what: String

    public init(_ limit: Int, of what: String) {
        self.limit = limit
        self.what = what
    }

    /// Takes a place, or throws `.busy` when all are taken.
    public func enter() throws(LedgerError) {
        guard running.add(1, ordering: .acquiringAndReleasing).newValue <= limit else {
            running.subtract(1, ordering: .acquiringAndReleasing)
            throw LedgerError(.busy, "\(limit) \(what) are already in progress; try again shortly")
        }
    }

    /// Gives back the place `enter` took.
    public func leave() { running.subtract(1, ordering: .acquiringAndReleasing) }
}
