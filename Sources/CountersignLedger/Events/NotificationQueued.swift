/// `notification.queued`: a notification in the outbox, in the batch of the event it announces, so nothing queued
/// is lost to a crash.
public struct NotificationQueued: LedgerEvent, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case webhook
        case githubCallback = "github-callback"
        /// A Slack message (Block Kit) to the route the target names.
        case slack
        /// A Microsoft Teams message (an Adaptive Card) to the route the target names.
        case teams
    }

    public var id: String
    public var kind: Kind
    public var target: String
    /// The JSON body to send, as text.
    public var body: String
    /// The deploy request it is about.
    public var request: String?

    public init(id: String, kind: Kind, target: String, body: String, request: String?) {
        self.id = id
        self.kind = kind
        self.target = target
        self.body = body
        self.request = request
    }

    public var type: EventType { .notificationQueued }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                """
                INSERT INTO outbox (notification_id, queued_seq, queued_at, kind, target, body, request_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    try nonEmpty(id, "id"), entry.seq, entry.at, .text(kind.rawValue), try nonEmpty(target, "target"),
                    try nonEmpty(body, "body"), request.sql,
                ])
        ]
    }
}

/// `notification.attempted`: one delivery attempt of a queued notification.
public struct NotificationAttempted: LedgerEvent, Hashable {
    public enum Outcome: String, Codable, Sendable, Hashable, CaseIterable {
        case delivered, failed, abandoned
    }

    public var id: String
    public var outcome: Outcome
    /// 1 for the first attempt.
    public var attempt: Int?
    public var error: String?

    public init(id: String, outcome: Outcome, attempt: Int, error: String?) {
        self.id = id
        self.outcome = outcome
        self.attempt = attempt
        self.error = error
    }

    public var type: EventType { .notificationAttempted }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let outcome = SQLValue.text(self.outcome.rawValue)
        return [
            SQLStatement(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                    delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,
                    abandoned_at = CASE WHEN ? = 'abandoned' THEN ? ELSE abandoned_at END
                WHERE notification_id = ?
                """, [error.sql, outcome, entry.at, outcome, entry.at, try nonEmpty(id, "id")])
        ]
    }
}
