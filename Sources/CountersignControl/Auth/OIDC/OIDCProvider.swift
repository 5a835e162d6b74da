internal import AsyncHTTPClient
internal import CountersignEncoding
internal import Crypto
public import Foundation
internal import JWTKit
internal import NIOCore
internal import NIOHTTP1

/// The organisation's identity provider, as this server uses it to sign people in: discovery, the authorization
/// request (with PKCE and a nonce), the code exchange, and the ID token's verification against the provider's
/// published keys (OpenID Connect Core 1.0 §3.1, Discovery 1.0, RFC 7636).
///
/// The signature is checked by the provider's ``OIDCKeySet`` (the form, the algorithm, the key, rotation); the claims
/// here — `iss` exactly the configured issuer, `aud` naming this client (and `azp` when there are several audiences),
/// `exp`, `iat` and `nbf` against this server's clock with a minute's leeway, and the `nonce` this sign-in sent.
public actor OIDCProvider {
    public nonisolated let settings: OIDCSettings
    let client: HTTPClient

    struct Endpoints {
        var authorization, token, jwks: String
    }

    private var endpoints: Endpoints?
    /// The provider's signing keys, which check every ID token's signature.
    private let keySet: OIDCKeySet

    /// How far the provider's clock and this server's may disagree.
    static let leeway: TimeInterval = 60
    /// How old an ID token may be when it arrives: it is minted for this sign-in, seconds ago.
    static let maxAge: TimeInterval = 600

    public init(settings: OIDCSettings) {
        self.settings = settings
        self.client = .shared
        keySet = OIDCKeySet(issuer: settings.issuer)
    }

    // MARK: The flow

    /// A fresh secret for `state`, `nonce` or a PKCE verifier: 256 random bits, base64url (43 characters).
    public nonisolated static func secret() -> String {
        var rng = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    /// The PKCE `S256` challenge for `verifier`.
    public nonisolated static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(verifier.utf8)))
    }

    /// Where to send the browser to sign in.
    public func authorizationURL(state: String, nonce: String, verifier: String) async throws(ControlError) -> String {
        let endpoint = try await discover().authorization
        let query = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", settings.redirectURI),
            ("scope", settings.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", Self.challenge(for: verifier)), ("code_challenge_method", "S256"),
        ]
        return endpoint + (endpoint.contains("?") ? "&" : "?") + Self.form(query)
    }

    /// Exchanges the code the browser brought back for the provider's ID token (not yet verified).
    public func redeem(code: String, verifier: String) async throws(ControlError) -> String {
        let endpoint = try await discover().token
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        // client_secret_basic: each part form-encoded first (RFC 6749 §2.3.1).
        let credentials = Self.encode(settings.clientID) + ":" + Self.encode(settings.clientSecret)
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.body = .bytes(
            ByteBuffer(
                string: Self.form([
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI),
                    ("code_verifier", verifier),
                ])))
        let (status, body) = try await send(request, what: "token endpoint")
        let document = try? JSONValue(parsing: body)
        guard status == 200 else {
            let error = document?["error"]?.stringValue ?? "HTTP \(status)"
            let description = document?["error_description"]?.stringValue.map { ": " + $0 } ?? ""
            throw ControlError(.unauthenticated, "the identity provider refused the sign-in (\(error)\(description))")
        }
        guard let idToken = document?["id_token"]?.stringValue else {
            throw ControlError(.unavailable, "the identity provider's token response has no id_token")
        }
        return idToken
    }

    /// The claims of `idToken`, once its signature (``OIDCKeySet``), issuer, audience, times and `nonce` all check
    /// out.
    public func verify(idToken: String, nonce: String, now: Date) async throws(ControlError) -> IDTokenClaims {
        let payload = try await keySet.verify(idToken, what: "the ID token")
        return try Self.claims(payload, settings: settings, nonce: nonce, now: now)
    }

    /// The claim checks of OpenID Connect Core §3.1.3.7, on a payload whose signature verified.
    static func claims(_ payload: JSONValue, settings: OIDCSettings, nonce: String, now: Date) throws(ControlError)
        -> IDTokenClaims
    {
        func refused(_ why: String) -> ControlError { ControlError(.unauthenticated, "the ID token \(why)") }
        guard let issuer = payload["iss"]?.stringValue, issuer == settings.issuer else {
            throw refused("was issued by \(payload["iss"]?.stringValue ?? "nobody"), not \(settings.issuer)")
        }
        let audiences: [String]
        switch payload["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(settings.clientID) else { throw refused("is not for this client (aud)") }
        let azp = payload["azp"]?.stringValue
        if (audiences.count > 1 && azp == nil) || (azp != nil && azp != settings.clientID) {
            throw refused("was issued to another party (azp \(azp ?? "missing"))")
        }
        let t = now.timeIntervalSince1970
        guard let exp = payload["exp"]?.numberValue, exp.isFinite else { throw refused("has no expiry (exp)") }
        guard t < exp + leeway else { throw refused("expired at \(RFC3339.string(Date(timeIntervalSince1970: exp)))") }
        guard let iat = payload["iat"]?.numberValue, iat.isFinite else { throw refused("has no issue time (iat)") }
        guard iat <= t + leeway else { throw refused("was issued in the future (iat)") }
        guard t - iat <= maxAge else { throw refused("was issued more than \(Int(maxAge / 60)) minutes ago") }
        if let nbf = payload["nbf"] {
            guard let nbf = nbf.numberValue, nbf <= t + leeway else { throw refused("is not valid yet (nbf)") }
        }
        guard let sent = payload["nonce"]?.stringValue,
            APIToken.constantTimeEquals(Array(sent.utf8), Array(nonce.utf8))
        else { throw refused("does not carry this sign-in's nonce (a replayed or injected token)") }
        guard let subject = payload["sub"]?.stringValue, !subject.isEmpty, subject.utf8.count <= 255 else {
            throw refused("names no subject (sub)")
        }
        return IDTokenClaims(
            issuer: issuer, subject: subject, email: payload["email"]?.stringValue,
            emailVerified: payload["email_verified"]?.boolValue == true, name: payload["name"]?.stringValue,
            groups: payload["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            expiresAt: Date(timeIntervalSince1970: exp))
    }

    // MARK: Discovery and keys

    private func discover() async throws(ControlError) -> Endpoints {
        if let endpoints { return endpoints }
        let document = try await OIDCKeySet.discovery(of: settings.issuer, client: client)
        var urls: [String] = []
        for field in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
            urls.append(try OIDCKeySet.endpoint(document, field))
        }
        if let methods = document["code_challenge_methods_supported"]?.arrayValue,
            !methods.contains(.string("S256"))
        {
            throw ControlError(.unavailable, "the identity provider does not support PKCE with S256")
        }
        let found = Endpoints(authorization: urls[0], token: urls[1], jwks: urls[2])
        endpoints = found
        return found
    }

    private func send(_ request: HTTPClientRequest, what: String) async throws(ControlError) -> (Int, [UInt8]) {
        try await OIDCKeySet.send(request, client: client, what: "the identity provider's \(what)")
    }

    // MARK: Form encoding

    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// Percent-encodes everything but the unreserved characters (RFC 3986 §2.3).
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(.init(b))
            default: out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}
