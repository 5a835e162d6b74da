package import CountersignLedger
internal import Synchronization

/// The key a request runs under, for the operation's first batch to claim (``ControlPlane/record(_:)-(EntryBatch)``).
package final class IdempotencyClaim: Sendable {
    @TaskLocal package static var current: IdempotencyClaim?

    package let scope: String
    package let fingerprint: String
    package let operation: String
    private let taken = Mutex(false)

    package init(scope: String, fingerprint: String, operation: String) {
        self.scope = scope
        self.fingerprint = fingerprint
        self.operation = operation
    }

    package var isTaken: Bool { taken.withLock { $0 } }

    /// The claim's entry, the first time it is asked for; nil after.
    package func take() -> IdempotencyClaimed? {
        guard
            taken.withLock({ was in
                defer { was = true }
                return !was
            })
        else { return nil }
        return IdempotencyClaimed(scope: scope, fingerprint: fingerprint, operation: operation)
    }
}
