public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Foundation

extension ControlPlane {
    /// The roles a sign-in takes when the person asked for none and holds several: the one that reads and decides
    /// before the ones that act (admin only when asked for), so a session carries the least it needs.
    static let signInRoles: [Identity.Role] = [.approver, .auditor, .deployer, .builder, .admin]

    /// The person the provider's verified claims name, by the policy's `signIn` (subject first; an email only when
    /// the provider verified it): a human identity, or `forbidden` naming what the provider said.
    public func person(signingInAs claims: IDTokenClaims) throws(ControlError) -> Identity {
        let people = policy.bundle.identities.values.filter { $0.kind == .human }
        let bySubject = people.filter { $0.signIn?.subject == claims.subject }
        // An email counts only when the provider verified it.
        let email = claims.emailVerified ? claims.email.map(Names.canonical) : nil
        let byEmail = email.map { e in people.filter { $0.signIn?.email.map(Names.canonical) == e } } ?? []
        let found = Set((bySubject.isEmpty ? byEmail : bySubject).map(\.name))
        guard found.count == 1, let name = found.first, let identity = policy.bundle.identities[name] else {
            throw ControlError(
                .forbidden,
                found.isEmpty
                    ? "no identity in the policy signs in as subject \(claims.subject)"
                        + (claims.email.map { " (\($0)\(claims.emailVerified ? "" : ", not verified"))" } ?? "")
                        + "; add signIn: {subject: \(claims.subject)} to the person's Identity"
                    : "subject \(claims.subject) names more than one identity")
        }
        return identity
    }

    /// Starts a web session for the person a verified ID token names, with `role` (one they hold; by default the
    /// first of ``signInRoles`` they hold). The session stands on a token made for it alone — its secret never
    /// leaves this call — so it ends with the token as every session does (revoked, expired, the identity dropped);
    /// both are recorded in one batch, with the provider's issuer and subject.
    public func signIn(
        _ claims: IDTokenClaims, role requested: Identity.Role?, lifetime: TimeInterval
    ) async throws(ControlError) -> (session: StartedSession, principal: Principal) {
        let identity = try person(signingInAs: claims)
        let role: Identity.Role
        if let requested {
            guard identity.roles.contains(requested) else {
                throw ControlError(
                    .forbidden, "\(identity.name) does not hold the \(requested.rawValue) role",
                    details: ["role": requested.rawValue])
            }
            role = requested
        } else {
            guard let first = Self.signInRoles.first(where: identity.roles.contains) else {
                throw ControlError(.forbidden, "\(identity.name) holds no role")
            }
            role = first
        }
        let token = APIToken.generate()
        let session = APIToken.generate()
        let id = "ses_" + session.id.dropFirst("tok_".count)
        let started = now()
        let expires = LedgerTime(started.addingTimeInterval(lifetime))
        var batch = EntryBatch()
        try batch.add(
            IdentityChanged(
                .tokenCreated, identity: identity.name, token: token.id, tokenHash: token.hash, role: role.rawValue,
                expiresAt: expires, issuer: claims.issuer, subject: claims.subject, groups: claims.groups),
            actor: identity.name, at: started)
        let sessionSecret = Self.sessionPrefix + session.secret.dropFirst(APIToken.prefix.count)
        try batch.add(
            IdentityChanged(
                .sessionStarted, identity: identity.name, token: token.id, role: role.rawValue, expiresAt: expires,
                session: id, sessionHash: APIToken.hash(sessionSecret)),
            actor: identity.name, at: started)
        try await record(batch)
        return (
            StartedSession(id: id, secret: sessionSecret, expiresAt: started.addingTimeInterval(lifetime)),
            Principal(identity: identity.name, role: role, kind: .human, tokenID: token.id, groups: claims.groups)
        )
    }
}
