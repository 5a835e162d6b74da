public import CountersignCore

/// `approval.granted`, `approval.rejected`, `approval.withdrawn`: a person's review of one request, bound to the
/// digest and environment they saw (a withdrawal names only the request).
public struct ApprovalReviewed: LedgerEvent, Hashable {
    /// The review's state, which is also its event type's last word and the `approvals.state` column.
    public typealias State = Approval.State

    /// From the event type, not the payload.
    public var state: State = .granted
    public var id: String?
    public var request: String
    public var approver: String
    public var digest: String?
    public var environment: String?
    public var team: String?
    public var comment: String?
    /// The groups the identity provider verified for the reviewer at the sign-in this review was given in.
    public var groups: [String]?

    private enum CodingKeys: String, CodingKey {
        case id, request, approver, digest, environment, team, comment, groups
    }

    public init(
        _ state: State, id: String?, request: String, approver: String, digest: String?, environment: String?,
        team: String? = nil, comment: String? = nil, groups: [String]? = nil
    ) {
        self.groups = groups
        self.state = state
        self.id = id
        self.request = request
        self.approver = approver
        self.digest = digest
        self.environment = environment
        self.team = team
        self.comment = comment
    }

    public var type: EventType {
        switch state {
        case .granted: .approvalGranted
        case .rejected: .approvalRejected
        case .withdrawn: .approvalWithdrawn
        }
    }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        // A grant or rejection is bound to what was reviewed; a withdrawal keeps the binding it withdraws.
        let bound = state != .withdrawn
        return [
            SQLStatement(
                """
                INSERT INTO approvals (request_id, approver, seq, at, state, approval_id, digest, environment, team,
                    comment, groups) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (request_id, approver) DO UPDATE SET seq = excluded.seq, at = excluded.at,
                    state = excluded.state, approval_id = COALESCE(excluded.approval_id, approvals.approval_id),
                    digest = COALESCE(excluded.digest, approvals.digest),
                    environment = COALESCE(excluded.environment, approvals.environment),
                    team = COALESCE(excluded.team, approvals.team), comment = excluded.comment,
                    groups = excluded.groups
                """,
                [
                    try nonEmpty(request, "request"), try nonEmpty(approver, "approver"), entry.seq, entry.at,
                    .text(state.rawValue), id.sql, bound ? try sha256Digest(self.digest ?? "", "digest") : .null,
                    bound ? try nonEmpty(environment ?? "", "environment") : .null, team.sql, comment.sql,
                    groups?.sql ?? .null,
                ])
        ]
    }
}

/// `approval.refused`: a review the server refused (the change's author, the requester or the deployer reviewing),
/// recorded so the audit shows the attempt. Recorded only.
public struct ApprovalRefused: LedgerEvent, Hashable {
    public var request: String?
    public var approver: String?
    /// What was attempted: `granted`, `rejected` (entries before the one vocabulary: `approved`, `rejected`).
    public var decision: String?
    public var digest: String?
    public var environment: String?
    public var reason: String?

    public init(
        request: String, approver: String, decision: String, digest: String, environment: String, reason: String
    ) {
        self.request = request
        self.approver = approver
        self.decision = decision
        self.digest = digest
        self.environment = environment
        self.reason = reason
    }

    public var type: EventType { .approvalRefused }
    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] { [] }
}
