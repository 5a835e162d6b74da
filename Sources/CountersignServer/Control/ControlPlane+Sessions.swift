internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Foundation

/// A web UI session as the browser holds it: a random secret (`css_` + 43 base64url characters), distinct from any
/// API token, that the API never accepts. Only its SHA-256 is stored, in the ledger (`identity.changed`,
/// `session.started`) and the `web_sessions` projection, so every node knows every session.
public struct StartedSession: Sendable, Hashable {
    public var id: String
    public var secret: String
    public var expiresAt: Date
}

extension ControlPlane {
    /// The prefix of a session secret: not `cst_`, so a session can never be presented as a bearer token.
    static let sessionPrefix = "css_"

    /// Starts a browser session for `principal`, who has just authenticated with an API token, recording
    /// `session.started` (the hash, never the secret). The session stands on that token: revoking or expiring it
    /// ends the session too, and the session expires after `lifetime` on its own.
    public func startSession(for principal: Principal, lifetime: TimeInterval) async throws(APIError) -> StartedSession
    {
        let generated = APIToken.generate()
        let secret = Self.sessionPrefix + generated.secret.dropFirst(APIToken.prefix.count)
        let id = "ses_" + generated.id.dropFirst("tok_".count)
        let expiresAt = now().addingTimeInterval(lifetime)
        try await record(
            IdentityChanged(
                .sessionStarted, identity: principal.identity, token: principal.tokenID,
                role: principal.role.rawValue, expiresAt: LedgerTime(expiresAt), session: id,
                sessionHash: APIToken.hash(secret)),
            actor: principal.identity)
        return StartedSession(id: id, secret: secret, expiresAt: expiresAt)
    }

    /// The session a browser's secret stands for, checked in full on every request (nothing is cached, so signing
    /// out or revoking the token takes effect on every node at once): the session exists, was not ended and has not
    /// expired; its token was not revoked and has not expired; the identity still holds the role in the policy.
    /// `nil` when any of that fails. Throws only when the ledger cannot be read.
    func session(secret: String) async throws(APIError) -> (id: String, principal: Principal)? {
        guard secret.hasPrefix(Self.sessionPrefix),
            APIToken.isWellFormed(APIToken.prefix + secret.dropFirst(Self.sessionPrefix.count))
        else { return nil }
        let hash = APIToken.hash(secret)
        let found = try await rows(
            """
            SELECT s.session_id, s.session_hash, s.identity, s.role, s.expires_at, s.ended_at, t.token_id,
                t.expires_at AS token_expires_at, t.revoked_at
            FROM web_sessions s JOIN api_tokens t ON t.token_id = s.token_id WHERE s.session_hash = ?
            """, [.text(hash)])
        let now = now()
        guard let row = found.first, let stored = row.text("session_hash"),
            APIToken.constantTimeEquals(Array(stored.utf8), Array(hash.utf8)),
            row.text("ended_at") == nil, row.text("revoked_at") == nil,
            let expires = row.date("expires_at"), expires > now,
            let id = row.text("session_id"), let tokenID = row.text("token_id"), let name = row.text("identity"),
            let role = row.text("role").flatMap(Identity.Role.init(rawValue:)),
            let identity = policy.bundle.identity(name), identity.roles.contains(role)
        else { return nil }
        if row.text("token_expires_at") != nil {
            guard let tokenExpires = row.date("token_expires_at"), tokenExpires > now else { return nil }
        }
        return (id, Principal(identity: identity.name, role: role, kind: identity.kind, tokenID: tokenID))
    }

    /// Ends a session (signing out), recording `session.ended`; it no longer authenticates on any node.
    func endSession(id: String, of principal: Principal) async throws(APIError) {
        try await record(
            IdentityChanged(.sessionEnded, identity: principal.identity, session: id), actor: principal.identity)
    }
}
