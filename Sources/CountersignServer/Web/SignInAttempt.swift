internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import Foundation

/// One sign-in through the identity provider, between leaving for the provider and coming back: the `state` that
/// binds the answer to this browser (login CSRF), the `nonce` the ID token must carry (token injection, replay), the
/// PKCE verifier (a stolen code is useless without it), the role asked for and where to go after. It travels in a
/// cookie the server seals with its session key — HttpOnly, scoped to `/ui/sign-in`, `SameSite=Lax` (the provider's
/// redirect back is a cross-site navigation, which a `Strict` cookie would not survive), ten minutes — and is
/// cleared when the browser comes back, whatever the outcome.
struct SignInAttempt: Sendable, Hashable {
    static let cookie = "countersign_oidc"
    static let lifetime: TimeInterval = 600
    var state, nonce, verifier: String
    var role: Identity.Role?
    var next: String
    var expires: Int64

    /// A new attempt with fresh secrets, valid for ``lifetime`` from `now`.
    init(role: Identity.Role?, next: String, now: Date) {
        state = OIDCProvider.secret()
        nonce = OIDCProvider.secret()
        verifier = OIDCProvider.secret()
        self.role = role
        self.next = next
        expires = Int64((now.timeIntervalSince1970 + Self.lifetime).rounded(.down))
    }

    private init(state: String, nonce: String, verifier: String, role: Identity.Role?, next: String, expires: Int64) {
        (self.state, self.nonce, self.verifier, self.role, self.next, self.expires) =
            (state, nonce, verifier, role, next, expires)
    }

    /// The cookie's value: the attempt as base64url JSON, a dot, its MAC under the server's key.
    func sealed(with tokens: SignInToken) -> String {
        var members: [(String, JSONValue)] = [
            ("state", .string(state)), ("nonce", .string(nonce)), ("verifier", .string(verifier)),
            ("next", .string(next)), ("expires", .number(Double(expires))),
        ]
        if let role { members.append(("role", .string(role.rawValue))) }
        let body = Base64URL.encode(JSONValue.object(members).canonicalBytes)
        return body + "." + tokens.seal("countersign-oidc", body)
    }

    /// The attempt a cookie holds, if this server sealed it and it has not expired at `now`.
    static func open(_ value: String, with tokens: SignInToken, now: Date) -> SignInAttempt? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, value.utf8.count <= 2048,
            APIToken.constantTimeEquals(
                Array(parts[1].utf8), Array(tokens.seal("countersign-oidc", String(parts[0])).utf8)),
            let bytes = Base64URL.decode(parts[0]), let json = try? JSONValue(parsing: bytes),
            let state = json["state"]?.stringValue, let nonce = json["nonce"]?.stringValue,
            let verifier = json["verifier"]?.stringValue, let next = json["next"]?.stringValue,
            let expires = json["expires"]?.numberValue, expires > now.timeIntervalSince1970
        else { return nil }
        let role = json["role"]?.stringValue.flatMap(Identity.Role.init(rawValue:))
        return SignInAttempt(
            state: state, nonce: nonce, verifier: verifier, role: role, next: next, expires: Int64(expires))
    }

    /// `Set-Cookie` for the attempt (or, with `nil`, one that clears it).
    static func setCookie(_ value: String?, secure: Bool) -> String {
        var cookie = "\(Self.cookie)=\(value ?? ""); Path=/ui/sign-in; HttpOnly; SameSite=Lax"
        if secure { cookie += "; Secure" }
        cookie += "; Max-Age=\(value == nil ? 0 : Int(lifetime))"
        return cookie
    }
}
