/// `identity.changed`: an identity's credentials changed — an API token created or revoked, a web session started
/// or ended. Tokens and sessions are projected (hashes only: a secret is never recorded); other changes are recorded
/// only.
public struct IdentityChanged: LedgerEvent, Hashable {
    /// What changed; an unknown kind is recorded, not projected.
    public enum Change: String, Codable, Sendable, Hashable, CaseIterable {
        case tokenCreated = "token.created"
        case tokenRevoked = "token.revoked"
        case sessionStarted = "session.started"
        case sessionEnded = "session.ended"
    }

    public var identity: String?
    /// Kept as written: entries of other kinds may name changes this version does not know.
    public var change: String?
    public var token: String?
    public var tokenHash: String?
    public var role: String?
    public var expiresAt: LedgerTime?
    public var session: String?
    public var sessionHash: String?
    /// How a token came to be when not by the person themselves or an admin: the host's one bootstrap of the first
    /// admin (`true`).
    public var bootstrap: Bool?
    /// For a token a sign-in through the identity provider made (it backs that session only; its secret was never
    /// shown): the provider's issuer and the person's subject there.
    public var issuer: String?
    public var subject: String?
    /// With `subject`: the groups the provider verified for the person at that sign-in, which decide their membership
    /// of teams that name a `signInGroup` for what they review in that session.
    public var groups: [String]?

    /// The roles a token or session may carry.
    public static let roles = ["builder", "deployer", "approver", "auditor", "admin"]

    public init(
        _ change: Change, identity: String, token: String? = nil, tokenHash: String? = nil, role: String? = nil,
        expiresAt: LedgerTime? = nil, session: String? = nil, sessionHash: String? = nil, bootstrap: Bool? = nil,
        issuer: String? = nil, subject: String? = nil, groups: [String]? = nil
    ) {
        self.groups = groups
        self.bootstrap = bootstrap
        self.issuer = issuer
        self.subject = subject
        self.change = change.rawValue
        self.identity = identity
        self.token = token
        self.tokenHash = tokenHash
        self.role = role
        self.expiresAt = expiresAt
        self.session = session
        self.sessionHash = sessionHash
    }

    public var type: EventType { .identityChanged }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        switch change.flatMap(Change.init(rawValue:)) {
        case .tokenCreated:
            return [
                SQLStatement(
                    """
                    INSERT INTO api_tokens (token_id, token_hash, identity, role, created_seq, created_at, created_by,
                        expires_at, subject, groups) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        try nonEmpty(token ?? "", "token"), try hexSHA256(tokenHash ?? "", "tokenHash"),
                        try nonEmpty(identity ?? "", "identity"), try oneOf(role ?? "", Self.roles, "role"), entry.seq,
                        entry.at, entry.actor, expiresAt?.sql ?? .null, subject.sql, groups?.sql ?? .null,
                    ])
            ]
        case .tokenRevoked:
            return [
                SQLStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?",
                    [entry.at, try nonEmpty(token ?? "", "token")])
            ]
        case .sessionStarted:
            guard let expiresAt else { throw fail("expiresAt", "must be an RFC 3339 time") }
            return [
                SQLStatement(
                    """
                    INSERT INTO web_sessions (session_id, session_hash, token_id, identity, role, created_seq,
                        created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        try nonEmpty(session ?? "", "session"), try hexSHA256(sessionHash ?? "", "sessionHash"),
                        try nonEmpty(token ?? "", "token"), try nonEmpty(identity ?? "", "identity"),
                        try oneOf(role ?? "", Self.roles, "role"), entry.seq, entry.at, expiresAt.sql,
                    ])
            ]
        case .sessionEnded:
            return [
                SQLStatement(
                    "UPDATE web_sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL",
                    [entry.at, try nonEmpty(session ?? "", "session")])
            ]
        case nil:
            return []
        }
    }
}

/// `team.changed`: a team's membership changed. Recorded only: teams are read from the policy in force.
public struct TeamChanged: LedgerEvent, Hashable {
    public var team: String?
    public var members: [String]?

    public init(team: String, members: [String]) {
        self.team = team
        self.members = members
    }

    public var type: EventType { .teamChanged }
    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] { [] }
}
