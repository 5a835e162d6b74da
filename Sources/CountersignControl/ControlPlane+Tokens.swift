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

/// Who issues a token — which decides whose tokens they may issue (DESIGN §5a: a person's token is minted by that
/// person, never in their name by someone else).
public enum TokenIssuer: Sendable {
    /// A person signed in (through the identity provider, or with a token of theirs), for themselves.
    case themselves(Principal)
    /// An admin, for an automation identity — never for a person.
    case admin(Principal)
    /// Someone on the host with the ledger's database (`countersign tokens create`, named by the OS user): tokens for
    /// automation identities, and the first admin's token — the bootstrap, once, while no person holds a live admin
    /// token.
    case host(user: String)
}

extension ControlPlane {
    /// Issues a token for `identity` with `role`, recording `identity.changed` (the hash, never the secret).
    ///
    /// - Throws: `forbidden` when `issuer` may not issue it (an admin for a person, a person for someone else, the
    ///   host for a person once an admin exists); `badRequest` when the identity is unknown, does not hold the role
    ///   in policy, or is an automation asking for approver or admin (automation has no authority of its own).
    public func createToken(
        identity name: String, role: Identity.Role, issuer: TokenIssuer, expiresAt: Date? = nil
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
        if identity.kind == .automation && (role == .approver || role == .admin) {
            throw ControlError(
                .badRequest, "automation identity \(identity.name) cannot hold the \(role.rawValue) role")
        }
        if let expiresAt, expiresAt <= now() {
            throw ControlError(.badRequest, "the expiry is in the past", details: ["field": "expiresAt"])
        }
        let (actor, bootstrap) = try await authority(of: issuer, over: identity, role: role)
        let token = APIToken.generate()
        try await record(
            IdentityChanged(
                .tokenCreated, identity: identity.name, token: token.id, tokenHash: token.hash, role: role.rawValue,
                expiresAt: expiresAt.map(LedgerTime.init), bootstrap: bootstrap ? true : nil),
            actor: actor)
        return IssuedToken(
            id: token.id, secret: token.secret, identity: identity.name, role: role, expiresAt: expiresAt)
    }

    /// Whether `issuer` may issue `identity` a token of `role`, and the actor to record (with whether it is the
    /// host's bootstrap of the first admin).
    private func authority(of issuer: TokenIssuer, over identity: Identity, role: Identity.Role)
        async throws(ControlError) -> (actor: String, bootstrap: Bool)
    {
        let target = Names.canonical(identity.name)
        switch issuer {
        case .themselves(let principal):
            guard principal.kind == .human else {
                throw ControlError(
                    .forbidden,
                    "automation identity \(principal.identity) does not mint its own tokens; an admin issues them",
                    details: ["rule": "own-credentials"])
            }
            guard Names.canonical(principal.identity) == target else {
                throw ControlError(
                    .forbidden,
                    "\(principal.identity) may not issue a token for \(identity.name): a person's token is minted by "
                        + "that person, signed in", details: ["rule": "own-credentials"])
            }
            return (principal.identity, false)
        case .admin(let principal):
            try principal.require(.admin, to: "issue tokens")
            guard principal.kind == .human else {
                throw ControlError(.forbidden, "automation identity \(principal.identity) may not issue tokens")
            }
            guard identity.kind == .automation else {
                throw ControlError(
                    .forbidden,
                    "an admin issues tokens for automation identities only; \(identity.name) is a person and mints "
                        + "their own tokens, signed in (/ui/tokens)", details: ["rule": "own-credentials"])
            }
            return (principal.identity, false)
        case .host(let user):
            let actor = "host:" + user
            guard identity.kind == .human else { return (actor, false) }
            let people = policy.bundle.identities.values.filter { $0.kind == .human }.map(\.name)
            let adminExists = try await read({ r throws(LedgerError) in
                try await r.hasLiveToken(role: "admin", identities: people, now: now())
            })
            guard role == .admin, !adminExists else {
                throw ControlError(
                    .forbidden,
                    "the host issues a person's token only to bootstrap the first admin"
                        + (adminExists ? ", and a person already holds a live admin token" : "")
                        + "; people sign in and mint their own (/ui/tokens)", details: ["rule": "own-credentials"])
            }
            return (actor, true)
        }
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
        if Self.isJWT(secret) { return try await authenticate(idToken: secret) }
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
        // The token names its identity by the name it was issued to, never through an alias.
        guard let identity = policy.bundle.identity(named: name), identity.roles.contains(role) else {
            throw ControlError(.forbidden, "identity \(name) no longer holds the \(role.rawValue) role in the policy")
        }
        let principal = Principal(identity: identity.name, role: role, kind: identity.kind, tokenID: tokenID)
        cache.remember(principal, forHash: hash, now: now(), expiresAt: expires)
        return principal
    }
}
