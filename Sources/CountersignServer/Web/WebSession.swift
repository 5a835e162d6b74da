internal import CountersignControl
internal import CountersignEncoding
internal import Crypto
internal import Foundation
internal import Hummingbird

/// A browser session. Signing in with an API token starts a session of its own (``ControlPlane/startSession``):
/// the cookie holds a random session secret — never the API token, which the browser sees once, in the sign-in
/// form — in an HttpOnly, SameSite=Strict cookie scoped to `/ui`, `Secure` when the configured public URL is https.
/// Every page checks the session in full (not ended, not expired, its token neither revoked nor expired, the role
/// still held). Forms carry a CSRF token derived from the session secret, compared in constant time.
struct WebSession: Sendable {
    static let cookie = "countersign_session"
    /// How long a session lasts at most; the token it stands on may end it sooner.
    static let lifetime: TimeInterval = 8 * 3600
    let id: String
    let principal: Principal
    let secret: String
    /// Whether the session began with a sign-in through the identity provider, rather than with a token.
    var throughProvider = false

    /// The per-session token every form posts back: HMAC-SHA256 of a fixed label under the session secret.
    var csrf: String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("countersign-ui-csrf".utf8), using: .init(data: Data(secret.utf8)))
        return Hex.encode(mac)
    }

    func checkCSRF(_ value: String?) throws(ControlError) {
        guard let value, APIToken.constantTimeEquals(Array(value.utf8), Array(csrf.utf8)) else {
            // Not recorded as the person's refusal: a forged form is another site's act, not theirs.
            throw ControlError(
                .forbidden, "the form's CSRF token is missing or wrong; reload the page and try again",
                details: ["attribution": "unverified"])
        }
    }

    /// The value of cookie `name` in the request, if it is there exactly once (two are a planted cookie beside the
    /// real one, and which one a server reads first is a guess).
    static func cookieValue(_ name: String, in request: Request) -> String? {
        var found: [String] = []
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name { found.append(String(pair[1])) }
            }
        }
        return found.count == 1 ? found[0] : nil
    }

    /// The signed-in person, or `nil` (no cookie, or a session that no longer authenticates). A ledger that
    /// cannot be read is an error, not a signed-out visitor.
    static func current(_ request: Request, _ control: ControlPlane) async throws(ControlError) -> WebSession? {
        guard let secret = cookieValue(cookie, in: request), let found = try await control.session(secret: secret)
        else {
            return nil
        }
        return WebSession(
            id: found.id, principal: found.principal, secret: secret, throughProvider: found.throughProvider)
    }

    /// `Set-Cookie` for a new session (or, with `nil`, one that clears it). `Secure` follows the configured public
    /// URL, never the request's `Host` header.
    static func setCookie(_ session: StartedSession?, secure: Bool) -> String {
        var value = "\(cookie)=\(session?.secret ?? ""); Path=/ui; HttpOnly; SameSite=Strict"
        if secure { value += "; Secure" }
        value += "; Max-Age=\(session == nil ? 0 : Int(lifetime))"
        return value
    }
}

/// The sign-in form's CSRF token, issued before there is a session (a signed double-submit cookie): a random nonce
/// and an expiry, MACed with the server's session key, set as an HttpOnly cookie scoped to the sign-in form and
/// repeated in the form. A sign-in is accepted only when both are present, equal, correctly signed and unexpired —
/// so a page on another site cannot sign a browser in to an account of the attacker's choosing (login CSRF),
/// and a cookie planted without the key is worthless.
struct SignInToken: Sendable {
    static let cookie = "countersign_signin"
    /// How long a sign-in form stays usable.
    static let lifetime: TimeInterval = 3600
    /// The HMAC key's bytes (`SymmetricKey` is not `Sendable`).
    let key: [UInt8]

    init(key: [UInt8]?) {
        self.key = key ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// A fresh token valid until `now + lifetime`.
    func issue(now: Date) -> String {
        var rng = SystemRandomNumberGenerator()
        let nonce = APIToken.base64URL((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
        let body = "\(nonce).\(Int64((now.timeIntervalSince1970 + Self.lifetime).rounded(.down)))"
        return body + "." + mac(body)
    }

    /// Whether `value` is a token this key signed that has not expired at `now`.
    func isValid(_ value: String, now: Date) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiry = Int64(parts[1]), parts[0].utf8.count == 43 else { return false }
        let expected = mac("\(parts[0]).\(parts[1])")
        guard APIToken.constantTimeEquals(Array(parts[2].utf8), Array(expected.utf8)) else { return false }
        return Double(expiry) > now.timeIntervalSince1970
    }

    /// Whether a posted sign-in form is genuine: the cookie and the form field carry the same valid token.
    func accepts(cookie: String?, field: String?, now: Date) -> Bool {
        guard let cookie, let field, APIToken.constantTimeEquals(Array(cookie.utf8), Array(field.utf8)) else {
            return false
        }
        return isValid(cookie, now: now)
    }

    /// The token to put in the form: the browser's own while it has more than a few minutes left (so two open
    /// sign-in tabs do not invalidate each other), else a new one to set.
    func forForm(_ request: Request, now: Date) -> (token: String, isNew: Bool) {
        if let existing = WebSession.cookieValue(Self.cookie, in: request),
            isValid(existing, now: now.addingTimeInterval(300))
        {
            return (existing, false)
        }
        return (issue(now: now), true)
    }

    static func setCookie(_ token: String?, secure: Bool) -> String {
        var value = "\(cookie)=\(token ?? ""); Path=/ui/sign-in; HttpOnly; SameSite=Strict"
        if secure { value += "; Secure" }
        value += "; Max-Age=\(token == nil ? 0 : Int(lifetime))"
        return value
    }

    private func mac(_ body: String) -> String { seal("countersign-signin", body) }

    /// The MAC of `body` under the server's key, for the use `label` names (so one use's MAC is never another's).
    func seal(_ label: String, _ body: String) -> String {
        APIToken.base64URL(
            Array(HMAC<SHA256>.authenticationCode(for: Data((label + "|" + body).utf8), using: SymmetricKey(data: key)))
        )
    }
}
