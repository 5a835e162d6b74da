internal import CountersignCore
internal import CountersignEncoding
internal import Crypto
internal import Foundation
internal import Synchronization

/// The key sets of the CI issuers the policy trusts (`Identity.oidc`), one per issuer, made when a token from that
/// issuer first arrives and kept for the server's life (an issuer's rotation is the key set's business).
final class WorkloadIdentities: Sendable {
    private let keySets = Mutex<[String: OIDCKeySet]>([:])

    func keySet(_ issuer: String) -> OIDCKeySet {
        keySets.withLock { sets in
            if let known = sets[issuer] { return known }
            let made = OIDCKeySet(issuer: issuer)
            sets[issuer] = made
            return made
        }
    }
}

extension ControlPlane {
    /// Whether a bearer credential is a JWT (a CI job's ID token) rather than an API token.
    static func isJWT(_ credential: String) -> Bool {
        !credential.hasPrefix(APIToken.prefix) && credential.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    /// A CI job's OpenID Connect ID token as the automation identity whose `oidc` rules it matches — no long-lived
    /// secret in the pipeline (issue 17, item 5).
    ///
    /// The token's issuer must be one a rule names, exactly, before anything is fetched (no token can point this
    /// server at a URL of its choosing); its signature must verify with a key the issuer publishes
    /// (``OIDCKeySet``); `exp`, `iat` and `nbf` hold against this server's clock with a minute's leeway; `aud`
    /// names the rule's audience; and every claim the rule lists matches. One rule of one identity must match: none
    /// is 401 naming the token's claims, several is 401 naming the identities (the policy must make them exclusive).
    func authenticate(idToken: String) async throws(ControlError) -> Principal {
        func refused(_ why: String) -> ControlError { ControlError(.unauthenticated, "the CI ID token \(why)") }
        guard let (_, unverified) = OIDCKeySet.decode(idToken) else {
            throw refused("is not a signed JWT in compact form")
        }
        let bundle = policy.bundle
        let claimed = unverified["iss"]?.stringValue ?? ""
        let trusted = bundle.identities.values.contains { $0.oidc.contains { $0.issuer == claimed } }
        guard trusted else {
            throw refused("was issued by \(claimed.isEmpty ? "nobody" : claimed), which no identity's oidc rules trust")
        }
        let payload = try await workloads.keySet(claimed).verify(idToken, what: "the CI ID token")
        guard let issuer = payload["iss"]?.stringValue, issuer == claimed else { throw refused("names no issuer") }
        let t = now().timeIntervalSince1970
        let leeway = OIDCProvider.leeway
        guard let exp = payload["exp"]?.numberValue, exp.isFinite else { throw refused("has no expiry (exp)") }
        guard t < exp + leeway else { throw refused("expired at \(RFC3339.string(Date(timeIntervalSince1970: exp)))") }
        guard let iat = payload["iat"]?.numberValue, iat.isFinite, iat <= t + leeway else {
            throw refused("has no issue time, or one in the future (iat)")
        }
        if let nbf = payload["nbf"] {
            guard let nbf = nbf.numberValue, nbf <= t + leeway else { throw refused("is not valid yet (nbf)") }
        }
        let audiences: [String]
        switch payload["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        var matched: [(identity: Identity, role: Identity.Role)] = []
        for identity in bundle.identities.values.sorted(by: { $0.name < $1.name }) where identity.kind == .automation {
            for trust in identity.oidc
            where trust.issuer == issuer && audiences.contains(trust.audience)
                && trust.claims.allSatisfy({ name, pattern in
                    payload[name]?.stringValue.map { Identity.OIDCTrust.matches(pattern, $0) } ?? false
                })
            {
                guard let role = trust.role ?? (identity.roles.count == 1 ? identity.roles.first : nil),
                    identity.roles.contains(role)
                else { continue }
                if !matched.contains(where: { $0.identity.name == identity.name && $0.role == role }) {
                    matched.append((identity, role))
                }
            }
        }
        guard matched.count == 1, let (identity, role) = matched.first else {
            if matched.isEmpty {
                let shown = ["aud", "repository", "ref", "environment", "job_workflow_ref", "sub"].compactMap { name in
                    (name == "aud" ? audiences.joined(separator: ",") : payload[name]?.stringValue).map {
                        "\(name) \($0)"
                    }
                }
                throw refused("matches no identity's oidc rules (\(shown.joined(separator: ", ")))")
            }
            throw refused(
                "matches the oidc rules of several identities (\(matched.map { "\($0.identity.name) as \($0.role.rawValue)" }.joined(separator: ", "))): the policy must make them exclusive"
            )
        }
        // The token's own id names it in the log of what it did; a token without one by its hash.
        let id =
            payload["jti"]?.stringValue ?? Hex.encode(SHA256.hash(data: Array(idToken.utf8))).prefix(16).description
        return Principal(identity: identity.name, role: role, kind: .automation, tokenID: "oidc:" + id)
    }
}
