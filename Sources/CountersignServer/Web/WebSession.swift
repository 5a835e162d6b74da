internal import Crypto
internal import Foundation
internal import Hummingbird

/// A browser session: the API token the person signed in with, in an HttpOnly, SameSite=Strict cookie scoped to
/// `/ui`, checked on every page exactly as a bearer token is (so a revoked token ends the session). Forms carry a
/// CSRF token derived from the session secret, compared in constant time.
struct WebSession: Sendable {
    static let cookie = "countersign_session"
    let principal: Principal
    let secret: String

    /// The per-session token every form posts back: HMAC-SHA256 of a fixed label under the session secret.
    var csrf: String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("countersign-ui-csrf".utf8), using: .init(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    func checkCSRF(_ value: String?) throws(APIError) {
        guard let value, APIToken.constantTimeEquals(Array(value.utf8), Array(csrf.utf8)) else {
            throw APIError(.forbidden, "the form's CSRF token is missing or wrong; reload the page and try again")
        }
    }

    /// The session secret from the request's cookies, if any.
    static func secret(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == cookie { return String(pair[1]) }
            }
        }
        return nil
    }

    /// The signed-in person, or `nil` (no cookie, or a token that no longer authenticates).
    static func current(_ request: Request, _ control: ControlPlane) async -> WebSession? {
        guard let secret = secret(request), APIToken.isWellFormed(secret),
            let principal = try? await control.authenticate(secret: secret)
        else { return nil }
        return WebSession(principal: principal, secret: secret)
    }

    /// `Set-Cookie` for a new session (or, with `nil`, one that clears it). `Secure` except on loopback hosts,
    /// which browsers treat as secure contexts anyway but where development runs over plain HTTP.
    static func setCookie(_ secret: String?, request: Request) -> String {
        let host = request.head.authority ?? ""
        let loopback = ["localhost", "127.0.0.1", "[::1]"].contains { host == $0 || host.hasPrefix($0 + ":") }
        var value = "\(cookie)=\(secret ?? ""); Path=/ui; HttpOnly; SameSite=Strict"
        if !loopback { value += "; Secure" }
        if secret == nil { value += "; Max-Age=0" }
        return value
    }
}
