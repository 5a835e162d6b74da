public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Foundation

/// A token as issued: the secret appears here once and nowhere else.
public struct IssuedToken: Sendable, Hashable {
    public var id: String
    public var secret: String
    public var identity: String
    public var role: Identity.Role
    public var expiresAt: Date?
}

extension ControlPlane {
    /// Issues a token for `identity` with `role`, recording `identity.changed` (the hash, never the secret).
    ///
    /// - Throws: `badRequest` when the identity is unknown, does not hold the role in policy, or is an automation
    ///   asking for the approver role (automation has no authority of its own).
    public func createToken(
        identity name: String, role: Identity.Role, by actor: String, expiresAt: Date? = nil
    ) async throws(APIError) -> IssuedToken {
        let bundle = policy.bundle
        guard let identity = bundle.identity(name) else {
            throw APIError(.badRequest, "identity \(name) is not defined in the policy", details: ["field": "identity"])
        }
        guard identity.roles.contains(role) else {
            throw APIError(
                .badRequest,
                "identity \(identity.name) does not hold the \(role.rawValue) role (it holds: "
                    + "\(identity.roles.map(\.rawValue).sorted().joined(separator: ", ")))",
                details: ["field": "role"])
        }
        if identity.kind == .automation && role == .approver {
            throw APIError(.badRequest, "automation identity \(identity.name) cannot hold the approver role")
        }
        if let expiresAt, expiresAt <= now() {
            throw APIError(.badRequest, "the expiry is in the past", details: ["field": "expiresAt"])
        }
        let token = APIToken.generate()
        try await record(
            IdentityChanged(
                .tokenCreated, identity: identity.name, token: token.id, tokenHash: token.hash, role: role.rawValue,
                expiresAt: expiresAt.map(LedgerTime.init)),
            actor: actor)
        return IssuedToken(
            id: token.id, secret: token.secret, identity: identity.name, role: role, expiresAt: expiresAt)
    }

    /// Revokes a token by id; takes effect on the next request on every node.
    public func revokeToken(id: String, by actor: String) async throws(APIError) {
        let found = try await rows("SELECT identity, revoked_at FROM api_tokens WHERE token_id = ?", [.text(id)])
        guard let row = found.first else { throw APIError(.notFound, "no token with id \(id)") }
        guard row.text("revoked_at") == nil else { throw APIError(.conflict, "token \(id) is already revoked") }
        try await record(IdentityChanged(.tokenRevoked, identity: row.text("identity") ?? "", token: id), actor: actor)
        cache.forgetToken(id: id)
    }

    /// The principal a bearer secret stands for.
    ///
    /// The lookup is by hash; the stored hash is then compared in constant time. The identity must still hold the
    /// token's role in the policy in force. A successful lookup is trusted for `ReadCache.tokenLifetime` seconds,
    /// so a revocation or a policy change reaches every node within that time — but never past the token's own
    /// expiry, which is checked on every use, cached or not.
    public func authenticate(secret: String) async throws(APIError) -> Principal {
        let unknown = APIError(.unauthenticated, "the token is unknown, expired or revoked")
        guard APIToken.isWellFormed(secret) else { throw unknown }
        let hash = APIToken.hash(secret)
        if let cached = cache.principal(forHash: hash, now: now()) { return cached }
        let found = try await rows(
            "SELECT token_id, token_hash, identity, role, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?",
            [.text(hash)])
        guard let row = found.first, let stored = row.text("token_hash"),
            APIToken.constantTimeEquals(Array(stored.utf8), Array(hash.utf8)), row.text("revoked_at") == nil,
            let tokenID = row.text("token_id"), let name = row.text("identity"),
            let role = row.text("role").flatMap(Identity.Role.init(rawValue:))
        else { throw unknown }
        // An expiry that cannot be read is no promise that the token is still valid.
        let expires = row.text("expires_at").map { _ in row.date("expires_at") ?? .distantPast }
        if let expires, expires <= now() { throw unknown }
        guard let identity = policy.bundle.identity(name), identity.roles.contains(role) else {
            throw APIError(.forbidden, "identity \(name) no longer holds the \(role.rawValue) role in the policy")
        }
        let principal = Principal(identity: identity.name, role: role, kind: identity.kind, tokenID: tokenID)
        cache.remember(principal, forHash: hash, now: now(), expiresAt: expires)
        return principal
    }
}
