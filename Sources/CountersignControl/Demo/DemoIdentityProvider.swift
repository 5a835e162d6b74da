public import CountersignCore
public import CountersignEncoding
internal import Crypto
public import Foundation
internal import JWTKit

/// The development OpenID Connect provider `serve --demo` starts at `/demo-idp` on its own address, so the demo's
/// people sign in as the organisation's would — authorization code flow with PKCE, an ES256-signed ID token checked
/// against a published key — instead of with tokens printed on the console.
///
/// It asks for no password: whoever opens its page picks a person of the policy. That is why nothing but the demo
/// may use it: ``OIDCSettings`` refuses an issuer at `/demo-idp` in any other configuration, and this provider
/// answers only its own client, with a secret made at start and never shown.
///
/// What it checks is what a real provider checks, so the server's side of the flow is exercised for real: the
/// client and its one redirect URI, `S256` PKCE, a code used once within a minute, the client secret.
public actor DemoIdentityProvider {
    /// One person it signs in: the identity's `signIn` subject and email, and the teams they belong to as groups.
    public struct Person: Sendable, Hashable {
        public let name: String
        public let subject: String
        public let email: String?
        public let groups: [String]
    }

    /// A checked authorization request, carried through the person's choice as hidden fields.
    public struct Authorization: Sendable, Hashable {
        public let state: String
        public let nonce: String
        public let challenge: String
    }

    public static let clientID = "countersign-demo"
    /// Codes issued and not yet redeemed or expired, at most.
    static let maximumCodes = 1_000
    public nonisolated let issuer: String
    public nonisolated let redirectURI: String
    public nonisolated let people: [Person]
    private nonisolated let clientSecret: String
    private let keys: JWTKeyCollection
    private nonisolated let kid: String
    private nonisolated let publicKey: (x: String, y: String)
    private var codes: [String: (person: Person, authorization: Authorization, expires: Date)] = [:]

    /// `origin` is the server's own (`http://127.0.0.1:8080`): the issuer is `origin/demo-idp` and the only
    /// redirect URI `origin/ui/sign-in/callback`. People are the policy's humans that can sign in.
    public init(origin: String, policy: PolicyBundle) async throws(ControlError) {
        issuer = origin + OIDCSettings.demoPath
        redirectURI = origin + "/ui/sign-in/callback"
        people = policy.identities.values.filter { $0.kind == .human && $0.signIn != nil }
            .sorted { $0.name < $1.name }
            .map { identity in
                Person(
                    name: identity.name, subject: identity.signIn?.subject ?? "demo:" + identity.name,
                    email: identity.signIn?.email,
                    groups: policy.teams.values.filter { $0.members.contains(identity.name) }
                        .map { $0.signInGroup ?? $0.name }.sorted())
            }
        clientSecret = OIDCProvider.secret()
        kid = "demo-" + String(OIDCProvider.secret().prefix(8))
        let key = ES256PrivateKey()
        publicKey = key.publicKey.parameters ?? ("", "")
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
    }

    /// This server as the provider's client.
    public nonisolated func settings() throws(ControlError) -> OIDCSettings {
        try OIDCSettings(
            issuer: issuer, clientID: Self.clientID, clientSecret: clientSecret, redirectURI: redirectURI, demo: true)
    }

    /// OpenID Connect Discovery 1.0 §3.
    public nonisolated var discovery: JSONValue {
        .object([
            ("issuer", .string(issuer)), ("authorization_endpoint", .string(issuer + "/authorize")),
            ("token_endpoint", .string(issuer + "/token")), ("jwks_uri", .string(issuer + "/jwks")),
            ("response_types_supported", .array([.string("code")])),
            ("subject_types_supported", .array([.string("public")])),
            ("id_token_signing_alg_values_supported", .array([.string("ES256")])),
            ("code_challenge_methods_supported", .array([.string("S256")])),
            ("token_endpoint_auth_methods_supported", .array([.string("client_secret_basic")])),
            ("scopes_supported", .array([.string("openid"), .string("email"), .string("profile")])),
        ])
    }

    /// The public key the ID tokens are signed with (RFC 7517).
    public nonisolated var jwks: JSONValue {
        .object([
            (
                "keys",
                .array([
                    .object([
                        ("kty", .string("EC")), ("crv", .string("P-256")), ("use", .string("sig")),
                        ("alg", .string("ES256")), ("kid", .string(kid)), ("x", .string(publicKey.x)),
                        ("y", .string(publicKey.y)),
                    ])
                ])
            )
        ])
    }

    /// An authorization request as RFC 6749 §4.1.1 and PKCE (RFC 7636 §4.3) define it, for this client only: its
    /// redirect URI exactly, `S256`, a state and a nonce. The reason when it is not one.
    public nonisolated func check(_ query: [String: String]) -> Result<Authorization, ControlError> {
        func refused(_ why: String) -> Result<Authorization, ControlError> { .failure(ControlError(.badRequest, why)) }
        guard query["client_id"] == Self.clientID else { return refused("unknown client_id") }
        // The redirect URI is compared exactly: a provider that sends codes elsewhere hands out sign-ins.
        guard query["redirect_uri"] == redirectURI else { return refused("redirect_uri is not this client's") }
        guard query["response_type"] == "code" else { return refused("response_type must be code") }
        guard (query["scope"] ?? "").split(separator: " ").contains("openid") else {
            return refused("scope must include openid")
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"],
            challenge.utf8.count == 43
        else { return refused("a PKCE code_challenge with method S256 is required") }
        guard let state = query["state"], !state.isEmpty, let nonce = query["nonce"], !nonce.isEmpty else {
            return refused("state and nonce are required")
        }
        return .success(Authorization(state: state, nonce: nonce, challenge: challenge))
    }

    /// The redirect that takes the browser back to the client with a one-time code for `name`.
    public func authorize(_ name: String, _ authorization: Authorization, now: Date) throws(ControlError) -> String {
        guard let person = people.first(where: { $0.name == name }) else {
            throw ControlError(.badRequest, "\(name) is not a person this provider signs in")
        }
        codes = codes.filter { $0.value.expires > now }
        // The page needs no sign-in, so anyone can ask for codes: a bounded number may wait at once.
        guard codes.count < Self.maximumCodes else {
            throw ControlError(.unavailable, "too many sign-ins in flight; try again in a minute")
        }
        let code = OIDCProvider.secret()
        codes[code] = (person, authorization, now.addingTimeInterval(60))
        return redirectURI + "?" + OIDCProvider.form([("code", code), ("state", authorization.state)])
    }

    /// The token endpoint (RFC 6749 §4.1.3, §5): the client's own credentials, a code it was given within the
    /// minute and not used before, the same redirect URI, and the PKCE verifier of the challenge. The answer's body
    /// and status; an error is RFC 6749 §5.2's shape.
    public func token(form: [String: String], authorization: String?, now: Date) async -> (Int, JSONValue) {
        func refused(_ status: Int, _ code: String, _ description: String) -> (Int, JSONValue) {
            (status, .object([("error", .string(code)), ("error_description", .string(description))]))
        }
        guard let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).flatMap({
                String(data: $0, encoding: .utf8)
            }),
            APIToken.constantTimeEquals(
                Array(decoded.utf8), Array((Self.clientID + ":" + OIDCProvider.encode(clientSecret)).utf8))
        else { return refused(401, "invalid_client", "client authentication failed") }
        guard form["grant_type"] == "authorization_code" else {
            return refused(400, "unsupported_grant_type", "only authorization_code")
        }
        // A code is spent by any attempt to use it: a replay, even a failed one first, gets nothing.
        guard let code = form["code"], let grant = codes.removeValue(forKey: code), grant.expires > now else {
            return refused(400, "invalid_grant", "the code is unknown, used or expired")
        }
        guard form["redirect_uri"] == redirectURI else {
            return refused(400, "invalid_grant", "redirect_uri does not match the authorization request")
        }
        guard let verifier = form["code_verifier"],
            APIToken.constantTimeEquals(
                Array(OIDCProvider.challenge(for: verifier).utf8), Array(grant.authorization.challenge.utf8))
        else { return refused(400, "invalid_grant", "the PKCE code_verifier does not match the challenge") }
        let person = grant.person
        let claims = DemoIDToken(
            iss: IssuerClaim(value: issuer), sub: SubjectClaim(value: person.subject),
            aud: AudienceClaim(value: Self.clientID), exp: ExpirationClaim(value: now.addingTimeInterval(300)),
            iat: IssuedAtClaim(value: now), nonce: grant.authorization.nonce, email: person.email,
            email_verified: person.email != nil, name: person.name, groups: person.groups)
        do {
            let idToken = try await keys.sign(claims, kid: JWKIdentifier(string: kid))
            return (
                200,
                .object([
                    ("access_token", .string(OIDCProvider.secret())), ("token_type", .string("Bearer")),
                    ("expires_in", .number(300)), ("id_token", .string(idToken)),
                ])
            )
        } catch {
            return refused(500, "server_error", "the ID token could not be signed")
        }
    }
}

/// The claims of the demo's ID tokens (OpenID Connect Core §2).
struct DemoIDToken: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nonce: String
    var email: String?
    var email_verified: Bool
    var name: String
    var groups: [String]

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
