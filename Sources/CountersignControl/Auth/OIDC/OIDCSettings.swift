public import Foundation

/// Where people sign in: one OpenID Connect provider, and this server as a confidential client of it (the
/// authorization code flow with PKCE, OpenID Connect Core 1.0 §3.1).
public struct OIDCSettings: Sendable, Hashable {
    /// The provider's issuer identifier, exactly as its ID tokens' `iss` and its discovery document say it.
    public let issuer: String
    public let clientID: String
    public let clientSecret: String
    /// Where the provider sends the browser back: this server's `/ui/sign-in/callback`.
    public let redirectURI: String
    public let scopes: [String]

    /// The path of the development provider `serve --demo` starts; any other configuration refuses an issuer there,
    /// so the demo's password-less sign-in can never stand in for the organisation's.
    public static let demoPath = "/demo-idp"

    /// - Throws: `badRequest` for an issuer that is not https (plain http is allowed to loopback addresses only,
    ///   where nothing crosses a network), one with a query or fragment, the demo provider outside the demo, or an
    ///   empty client id or secret.
    public init(
        issuer: String, clientID: String, clientSecret: String, redirectURI: String,
        scopes: [String] = ["openid", "email", "profile"], demo: Bool = false
    ) throws(ControlError) {
        guard let url = URLComponents(string: issuer), let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw ControlError(
                .badRequest, "the OIDC issuer \(issuer) is not an absolute URL without query or fragment")
        }
        guard url.scheme == "https" || (url.scheme == "http" && Self.isLoopback(host)) else {
            throw ControlError(
                .badRequest, "the OIDC issuer must be https (plain http only on a loopback address): \(issuer)")
        }
        if !demo && (url.path == Self.demoPath || url.path.hasPrefix(Self.demoPath + "/")) {
            throw ControlError(
                .badRequest, "\(issuer) is the demo's development identity provider; it signs in only `serve --demo`")
        }
        guard URLComponents(string: redirectURI)?.host != nil else {
            throw ControlError(.badRequest, "the OIDC redirect URI \(redirectURI) is not an absolute URL")
        }
        guard !clientID.isEmpty, !clientSecret.isEmpty else {
            throw ControlError(.badRequest, "the OIDC client id and secret must not be empty")
        }
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scopes = scopes.contains("openid") ? scopes : ["openid"] + scopes
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost"
    }
}
