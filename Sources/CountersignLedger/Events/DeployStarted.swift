/// `deploy.started`: a deploy of an allowed request began.
public struct DeployStarted: LedgerEvent, Hashable {
    public var id: String
    public var request: String
    public var environment: String
    public var service: String
    public var digest: String

    public init(id: String, request: String, environment: String, service: String, digest: String) {
        self.id = id
        self.request = request
        self.environment = environment
        self.service = service
        self.digest = digest
    }

    public var type: EventType { .deployStarted }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        // The request's tier, commit time and human approvals as they stood when the deploy started, copied so the
        // metrics read one table.
        let request = try nonEmpty(self.request, "request")
        return [
            SQLStatement(
                """
                INSERT INTO deploys (deploy_id, request_id, environment, service, digest, status, started_seq,
                    started_at, started_by, tier, committed_at, human_approvals)
                VALUES (?, ?, ?, ?, ?, 'started', ?, ?, ?,
                    (SELECT tier FROM deploy_requests WHERE request_id = ?),
                    (SELECT committed_at FROM deploy_requests WHERE request_id = ?),
                    (SELECT COUNT(*) FROM approvals WHERE request_id = ? AND state = 'granted'))
                """,
                [
                    try nonEmpty(id, "id"), request, try nonEmpty(environment, "environment"),
                    try nonEmpty(service, "service"), try sha256Digest(digest, "digest"), entry.seq, entry.at,
                    entry.actor, request, request, request,
                ])
        ]
    }
}

/// `deploy.succeeded`, `deploy.failed`, `deploy.rolled_back`: how a started deploy ended.
public struct DeployFinished: LedgerEvent, Hashable {
    /// The outcome, which is the event type's last word and the `deploys.status` column.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case succeeded, failed
        case rolledBack = "rolled_back"
    }

    /// From the event type, not the payload.
    public var outcome: Outcome = .succeeded
    public var id: String

    private enum CodingKeys: String, CodingKey { case id }

    public init(_ outcome: Outcome, id: String) {
        self.outcome = outcome
        self.id = id
    }

    public var type: EventType {
        switch outcome {
        case .succeeded: .deploySucceeded
        case .failed: .deployFailed
        case .rolledBack: .deployRolledBack
        }
    }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                "UPDATE deploys SET status = ?, finished_seq = ?, finished_at = ? WHERE deploy_id = ?",
                [.text(outcome.rawValue), entry.seq, entry.at, try nonEmpty(id, "id")])
        ]
    }
}
