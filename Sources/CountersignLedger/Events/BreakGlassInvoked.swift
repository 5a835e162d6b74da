/// `breakglass.invoked`: a grant past a freeze, for an incident, until it expires; reviewed after the fact.
public struct BreakGlassInvoked: LedgerEvent, Hashable {
    public var id: String
    /// The freeze it passes.
    public var freeze: String
    public var environment: String
    public var service: String?
    /// Who invoked it; the entry's actor when absent.
    public var invokedBy: String?
    public var reason: String
    public var incident: String
    public var expiresAt: LedgerTime
    /// The team that must review it, and by when.
    public var reviewTeam: String?
    public var reviewDue: LedgerTime?

    public init(
        id: String, freeze: String, environment: String, service: String?, invokedBy: String, reason: String,
        incident: String, expiresAt: LedgerTime, reviewTeam: String?, reviewDue: LedgerTime?
    ) {
        self.id = id
        self.freeze = freeze
        self.environment = environment
        self.service = service
        self.invokedBy = invokedBy
        self.reason = reason
        self.incident = incident
        self.expiresAt = expiresAt
        self.reviewTeam = reviewTeam
        self.reviewDue = reviewDue
    }

    public var type: EventType { .breakGlassInvoked }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                """
                INSERT INTO breakglass_grants (grant_id, seq, freeze_name, invoked_by, environment, service, reason,
                    incident_id, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    try nonEmpty(id, "id"), entry.seq, try nonEmpty(freeze, "freeze"),
                    invokedBy.map(SQLValue.text) ?? entry.actor, try nonEmpty(environment, "environment"), service.sql,
                    try nonEmpty(reason, "reason"), try nonEmpty(incident, "incident"), entry.at, expiresAt.sql,
                ])
        ]
    }
}

/// `breakglass.reviewed`: a member of the freeze's review team, not its invoker, judged a grant; the reviewer is
/// the entry's actor.
public struct BreakGlassReviewed: LedgerEvent, Hashable {
    public enum Outcome: String, Codable, Sendable, Hashable, CaseIterable {
        case justified, unjustified
    }

    public var id: String
    public var outcome: Outcome
    public var notes: String?

    public init(id: String, outcome: Outcome, notes: String?) {
        self.id = id
        self.outcome = outcome
        self.notes = notes
    }

    public var type: EventType { .breakGlassReviewed }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                """
                UPDATE breakglass_grants SET reviewed_at = ?, reviewed_by = ?, review_outcome = ?, review_notes = ?
                WHERE grant_id = ?
                """, [entry.at, entry.actor, .text(outcome.rawValue), notes.sql, try nonEmpty(id, "id")])
        ]
    }
}
