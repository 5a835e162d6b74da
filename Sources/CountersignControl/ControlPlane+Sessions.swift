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
    public func startSession(for principal: Principal, lifetime: TimeInterval) async throws(ControlError)
        -> StartedSession
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
    /// `throughProvider`: the session began with a sign-in through the identity provider (not with a token).
    package func session(secret: String) async throws(ControlError) -> (
        id: String, principal: Principal, throughProvider: Bool
    )? {
        guard secret.hasPrefix(Self.sessionPrefix),
            APIToken.isWellFormed(APIToken.prefix + secret.dropFirst(Self.sessionPrefix.count))
        else { return nil }
        let hash = APIToken.hash(secret)
        let now = now()
        guard let session = try await read({ r throws(LedgerError) in try await r.session(hash: hash) }),
            APIToken.constantTimeEquals(Array(session.hash.utf8), Array(hash.utf8)), !session.ended,
            !session.tokenRevoked, session.expiresAt > now, (session.tokenExpiresAt ?? .distantFuture) > now,
            let role = Identity.Role(rawValue: session.role),
            let identity = policy.bundle.identity(named: session.identity), identity.roles.contains(role)
        else { return nil }
        return (
            session.id,
            Principal(
                identity: identity.name, role: role, kind: identity.kind, tokenID: session.token,
                groups: session.groups),
            session.subject != nil
        )
    }

    /// Ends a session (signing out), recording `session.ended`; it no longer authenticates on any node.
    package func endSession(id: String, of principal: Principal) async throws(ControlError) {
        try await record(
            IdentityChanged(.sessionEnded, identity: principal.identity, session: id), actor: principal.identity)
    }
}
