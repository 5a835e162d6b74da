/// `idempotency.claimed`: an `Idempotency-Key`, claimed in the batch of the operation it keys; the projection's
/// primary key refuses a second operation under it, even from another node.
public struct IdempotencyClaimed: LedgerEvent, Hashable {
    /// A hash of the caller, the route and the key.
    public var scope: String
    /// A hash of the body the key came with.
    public var fingerprint: String
    public var operation: String

    public init(scope: String, fingerprint: String, operation: String) {
        self.scope = scope
        self.fingerprint = fingerprint
        self.operation = operation
    }

    public var type: EventType { .idempotencyClaimed }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                "INSERT INTO idempotency_keys (scope, fingerprint, operation, claimed_seq) VALUES (?, ?, ?, ?)",
                [
                    try nonEmpty(scope, "scope"), try nonEmpty(fingerprint, "fingerprint"),
                    try nonEmpty(operation, "operation"), entry.seq,
                ])
        ]
    }
}

/// `idempotency.answered`: the answer an idempotent request got, which a retry with its key gets again.
public struct IdempotencyAnswered: LedgerEvent, Hashable {
    public var scope: String
    /// The HTTP status.
    public var status: Int
    public var body: String

    public init(scope: String, status: Int, body: String) {
        self.scope = scope
        self.status = status
        self.body = body
    }

    public var type: EventType { .idempotencyAnswered }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        guard (100...599).contains(status) else { throw fail("status", "must be an HTTP status") }
        return [
            SQLStatement(
                """
                UPDATE idempotency_keys SET status = ?, body = ?, answered_seq = ?
                WHERE scope = ? AND status IS NULL
                """, [.integer(Int64(status)), try nonEmpty(body, "body"), entry.seq, try nonEmpty(scope, "scope")])
        ]
    }
}
