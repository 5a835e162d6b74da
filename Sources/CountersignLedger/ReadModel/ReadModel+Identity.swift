public import Foundation

extension ReadModel {
    /// An API token as the projection holds it: its hash only, never the secret.
    public struct Token: Sendable, Hashable {
        public var id, hash, identity, role: String
        public var expiresAt: Date?
        public var revoked: Bool
    }

    /// The token whose secret hashes to `hash`.
    public func token(hash: String) async throws(LedgerError) -> Token? {
        try await token("token_hash", hash)
    }

    /// The token `id`.
    public func token(id: String) async throws(LedgerError) -> Token? {
        try await token("token_id", id)
    }

    private func token(_ column: String, _ value: String) async throws(LedgerError) -> Token? {
        guard
            let row = try await rows(
                "api_tokens",
                "SELECT token_id, token_hash, identity, role, expires_at, revoked_at FROM api_tokens WHERE \(column) = ?",
                [.text(value)]
            ).first
        else { return nil }
        return Token(
            id: try row.required(row.text("token_id")), hash: try row.required(row.text("token_hash")),
            identity: try row.required(row.text("identity")), role: try row.required(row.text("role")),
            expiresAt: try row.optionalDate("expires_at"), revoked: row.text("revoked_at") != nil)
    }

    /// `identity`'s tokens not revoked, newest first, as the person's own token page lists them.
    public func tokens(identity: String) async throws(LedgerError) -> [Token] {
        try await rows(
            "api_tokens",
            """
            SELECT token_id, token_hash, identity, role, expires_at, revoked_at FROM api_tokens
            WHERE identity = ? AND revoked_at IS NULL ORDER BY created_seq DESC LIMIT 200
            """, [.text(identity)]
        ).map { row throws(LedgerError) in
            Token(
                id: try row.required(row.text("token_id")), hash: try row.required(row.text("token_hash")),
                identity: try row.required(row.text("identity")), role: try row.required(row.text("role")),
                expiresAt: try row.optionalDate("expires_at"), revoked: false)
        }
    }

    /// The tokens not revoked (expired ones included: revoking those too keeps the record plain), by id and identity.
    public func liveTokens() async throws(LedgerError) -> [(id: String, identity: String)] {
        try await rows(
            "api_tokens", "SELECT token_id, identity FROM api_tokens WHERE revoked_at IS NULL ORDER BY token_id"
        )
        .map { row throws(LedgerError) in
            (try row.required(row.text("token_id")), try row.required(row.text("identity")))
        }
    }

    /// Whether a token of `role` for a person is live (neither revoked nor expired at `now`) — whether the host may
    /// still bootstrap the first admin.
    public func hasLiveToken(role: String, identities: [String], now: Date) async throws(LedgerError) -> Bool {
        guard !identities.isEmpty else { return false }
        let marks = Array(repeating: "?", count: identities.count).joined(separator: ", ")
        let found = try await rows(
            "api_tokens",
            """
            SELECT token_id, expires_at FROM api_tokens
            WHERE revoked_at IS NULL AND role = ? AND identity IN (\(marks))
            """, [.text(role)] + identities.map(SQLValue.text))
        for row in found where (try row.optionalDate("expires_at")).map({ $0 > now }) ?? true { return true }
        return false
    }

    /// The identity names retired by earlier publications (canonical form).
    public func retiredIdentities() async throws(LedgerError) -> Set<String> {
        Set(
            try await rows("retired_identities", "SELECT name FROM retired_identities").map {
                row throws(LedgerError) in try row.required(row.text("name"))
            })
    }

    /// A web session with the token it stands on.
    public struct Session: Sendable, Hashable {
        public var id, hash, identity, role: String
        public var expiresAt: Date
        public var ended: Bool
        public var token: String
        public var tokenExpiresAt: Date?
        public var tokenRevoked: Bool
        /// The person's subject at the identity provider when the session began with a sign-in there.
        public var subject: String?
        /// The groups the provider verified at that sign-in.
        public var groups: [String]? = nil
    }

    /// The session whose secret hashes to `hash`.
    public func session(hash: String) async throws(LedgerError) -> Session? {
        guard
            let row = try await rows(
                "web_sessions",
                """
                SELECT s.session_id, s.session_hash, s.identity, s.role, s.expires_at, s.ended_at, t.token_id,
                    t.expires_at AS token_expires_at, t.revoked_at, t.subject, t.groups
                FROM web_sessions s JOIN api_tokens t ON t.token_id = s.token_id WHERE s.session_hash = ?
                """, [.text(hash)]
            ).first
        else { return nil }
        return Session(
            id: try row.required(row.text("session_id")), hash: try row.required(row.text("session_hash")),
            identity: try row.required(row.text("identity")), role: try row.required(row.text("role")),
            expiresAt: try row.required(row.date("expires_at")), ended: row.text("ended_at") != nil,
            token: try row.required(row.text("token_id")), tokenExpiresAt: try row.optionalDate("token_expires_at"),
            tokenRevoked: row.text("revoked_at") != nil, subject: row.text("subject"),
            groups: try row.optionalStrings("groups"))
    }
}
