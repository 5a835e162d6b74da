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
    ) async throws(ControlError) -> IssuedToken {
        let bundle = policy.bundle
        guard let identity = bundle.identity(name) else {
            throw ControlError(
                .badRequest, "identity \(name) is not defined in the policy", details: ["field": "identity"])
        }
        guard identity.roles.contains(role) else {
            throw ControlError(
                .badRequest,
                "identity \(identity.name) does not hold the \(role.rawValue) role (it holds: "
                    + "\(identity.roles.map(\.rawValue).sorted().joined(separator: ", ")))",
                details: ["field": "role"])
        }
        if identity.kind == .automation && role == .approver {
            throw ControlError(.badRequest, "automation identity \(identity.name) cannot hold the approver role")
        }
        if let expiresAt, expiresAt <= now() {
            throw ControlError(.badRequest, "the expiry is in the past", details: ["field": "expiresAt"])
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
    public func revokeToken(id: String, by actor: String) async throws(ControlError) {
        guard let token = try await read({ r throws(LedgerError) in try await r.token(id: id) }) else {
            throw ControlError(.notFound, "no token with id \(id)")
        }
        guard !token.revoked else { throw ControlError(.conflict, "token \(id) is already revoked") }
        try await record(IdentityChanged(.tokenRevoked, identity: token.identity, token: id), actor: actor)
        cache.forgetToken(id: id)
    }

    /// The principal a bearer secret stands for.
    ///
    /// The lookup is by hash; the stored hash is then compared in constant time. The identity must still hold the
    /// token's role in the policy in force. A successful lookup is trusted for `ReadCache.tokenLifetime` seconds,
    /// so a revocation or a policy change reaches every node within that time — but never past the token's own
    /// expiry, which is checked on every use, cached or not.
    public func authenticate(secret: String) async throws(ControlError) -> Principal {
        let unknown = ControlError(.unauthenticated, "the token is unknown, expired or revoked")
        guard APIToken.isWellFormed(secret) else { throw unknown }
        let hash = APIToken.hash(secret)
        if let cached = cache.principal(forHash: hash, now: now()) { return cached }
        // A row that cannot be read (an expiry that is no time) fails the lookup: it is no promise of validity.
        guard let token = try await read({ r throws(LedgerError) in try await r.token(hash: hash) }),
            APIToken.constantTimeEquals(Array(token.hash.utf8), Array(hash.utf8)), !token.revoked,
            let role = Identity.Role(rawValue: token.role)
        else { throw unknown }
        let (tokenID, name, expires) = (token.id, token.identity, token.expiresAt)
        if let expires, expires <= now() { throw unknown }
        guard let identity = policy.bundle.identity(name), identity.roles.contains(role) else {
            throw ControlError(.forbidden, "identity \(name) no longer holds the \(role.rawValue) role in the policy")
        }
        let principal = Principal(identity: identity.name, role: role, kind: identity.kind, tokenID: tokenID)
        cache.remember(principal, forHash: hash, now: now(), expiresAt: expires)
        return principal
    }
}
