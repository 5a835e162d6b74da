/// `webhook.received`: an inbound delivery, once — its id is the key and its body's digest is unique, so a replay
/// under its own id or a new one cannot be recorded twice.
public struct WebhookReceived: LedgerEvent, Hashable {
    public var delivery: String
    public var event: String
    public var action: String?
    /// What the delivery led to, in words.
    public var outcome: String?
    public var body_sha256: String?
    public var repository: String?

    public init(
        delivery: String, event: String, action: String?, outcome: String, bodySHA256: String, repository: String?
    ) {
        self.delivery = delivery
        self.event = event
        self.action = action
        self.outcome = outcome
        self.body_sha256 = bodySHA256
        self.repository = repository
    }

    public var type: EventType { .webhookReceived }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                """
                INSERT INTO webhook_deliveries (delivery_id, seq, event, action, received_at, outcome, body_sha256)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    try nonEmpty(delivery, "delivery"), entry.seq, try nonEmpty(event, "event"), action.sql, entry.at,
                    outcome.sql, body_sha256.sql,
                ])
        ]
    }
}
