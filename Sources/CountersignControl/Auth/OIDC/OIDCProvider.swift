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
/// Signatures are checked by jwt-kit; everything around them is checked here, strictly and before any key is used:
/// the compact form, an accepted asymmetric algorithm (never `none`, never HMAC — a provider's public key must not
/// become a shared secret), a `kid` the provider publishes for that key type, then the claims — `iss` exactly the
/// configured issuer, `aud` naming this client (and `azp` when there are several audiences), `exp`, `iat` and `nbf`
/// against this server's clock with a minute's leeway, and the `nonce` this sign-in sent. Keys are fetched when a
/// token names one not yet known (the provider rotated), at most once every ten seconds, so tokens naming made-up
/// keys cannot make this server hammer the provider; a new key set replaces the old one, so a key the provider
/// withdrew stops verifying.
public actor OIDCProvider {
    public nonisolated let settings: OIDCSettings
    let client: HTTPClient

    struct Endpoints {
        var authorization, token, jwks: String
    }

    private var endpoints: Endpoints?
    private var keys = JWTKeyCollection()
    /// The published signing keys by `kid`: their type, and their algorithm when the provider pins one.
    private var published: [String: (kty: String, alg: String?)] = [:]
    private var refetched: ContinuousClock.Instant?

    static let refetchInterval: Duration = .seconds(10)
    /// How far the provider's clock and this server's may disagree.
    static let leeway: TimeInterval = 60
    /// How old an ID token may be when it arrives: it is minted for this sign-in, seconds ago.
    static let maxAge: TimeInterval = 600
    static let algorithms: [String: String] = [
        "RS256": "RSA", "RS384": "RSA", "RS512": "RSA", "PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
        "ES256": "EC", "ES384": "EC", "EdDSA": "OKP",
    ]
    static let timeout: TimeAmount = .seconds(10)
    static let maxDocument = 1 << 20

    public init(settings: OIDCSettings) {
        self.settings = settings
        self.client = .shared
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

    /// The claims of `idToken`, once its signature, issuer, audience, times and `nonce` all check out.
    public func verify(idToken: String, nonce: String, now: Date) async throws(ControlError) -> IDTokenClaims {
        func refused(_ why: String) -> ControlError { ControlError(.unauthenticated, "the ID token \(why)") }
        let parts = idToken.split(separator: ".", omittingEmptySubsequences: false)
        guard idToken.utf8.count <= 16_384, parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]), let header = try? JSONValue(parsing: headerBytes),
            let payloadBytes = Base64URL.decode(parts[1]), let payload = try? JSONValue(parsing: payloadBytes),
            case .object = header, case .object = payload
        else { throw refused("is not a signed JWT in compact form") }
        guard let alg = header["alg"]?.stringValue, let kty = Self.algorithms[alg] else {
            throw refused(
                "is signed with alg \(header["alg"]?.stringValue ?? "(none)"), which is not accepted "
                    + "(asymmetric signatures only: \(Self.algorithms.keys.sorted().joined(separator: ", ")))")
        }
        guard header["crit"] == nil else { throw refused("has critical header parameters this server does not know") }
        guard let kid = header["kid"]?.stringValue else { throw refused("names no key (kid)") }
        if published[kid] == nil { try await refreshKeys() }
        guard let key = published[kid] else {
            throw refused("is signed with key \(kid), which the provider does not publish")
        }
        guard key.kty == kty, key.alg == nil || key.alg == alg else {
            throw refused("says alg \(alg), which key \(kid) (\(key.kty)\(key.alg.map { ", " + $0 } ?? "")) is not for")
        }
        do { _ = try await keys.verify(idToken, as: SignatureOnly.self) } catch {
            throw refused("signature does not verify with key \(kid)")
        }
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

    /// jwt-kit checks the signature only; the claims are read from the payload by the one strict JSON reader.
    struct SignatureOnly: JWTPayload {
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    // MARK: Discovery and keys

    private func discover() async throws(ControlError) -> Endpoints {
        if let endpoints { return endpoints }
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let (status, body) = try await send(
            HTTPClientRequest(url: base + "/.well-known/openid-configuration"), what: "discovery document")
        guard status == 200, let document = try? JSONValue(parsing: body) else {
            throw ControlError(
                .unavailable, "the identity provider's discovery document could not be read (HTTP \(status))")
        }
        // Discovery §4.3: the document is the issuer's own, or it is nobody's.
        guard document["issuer"]?.stringValue == settings.issuer else {
            throw ControlError(
                .unavailable,
                "the discovery document names issuer \(document["issuer"]?.stringValue ?? "none"), not \(settings.issuer)"
            )
        }
        var urls: [String] = []
        for field in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
            guard let url = document[field]?.stringValue, let parsed = URLComponents(string: url),
                let host = parsed.host,
                parsed.scheme == "https" || (parsed.scheme == "http" && OIDCSettings.isLoopback(host))
            else {
                throw ControlError(.unavailable, "the discovery document's \(field) is missing or not https")
            }
            urls.append(url)
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

    /// Fetches the provider's key set: the first time, and again for a `kid` it does not hold — at most once per
    /// ``refetchInterval``, counted from the last fetch a missing key caused.
    private func refreshKeys() async throws(ControlError) {
        let loaded = !published.isEmpty
        if loaded, let refetched, ContinuousClock.now - refetched < Self.refetchInterval { return }
        let (status, body) = try await send(HTTPClientRequest(url: try await discover().jwks), what: "key set")
        if loaded { refetched = .now }
        guard status == 200, let document = try? JSONValue(parsing: body), let list = document["keys"]?.arrayValue
        else { throw ControlError(.unavailable, "the identity provider's key set could not be read (HTTP \(status))") }
        let collection = JWTKeyCollection()
        var found: [String: (kty: String, alg: String?)] = [:]
        for key in list {
            guard let kid = key["kid"]?.stringValue, let kty = key["kty"]?.stringValue,
                ["RSA", "EC", "OKP"].contains(kty), (key["use"]?.stringValue ?? "sig") == "sig",
                let jwk = try? JSONDecoder().decode(JWK.self, from: Data(key.canonicalString.utf8)),
                (try? await collection.add(jwk: jwk)) != nil
            else { continue }
            found[kid] = (kty, key["alg"]?.stringValue)
        }
        keys = collection
        published = found
    }

    private func send(_ request: HTTPClientRequest, what: String) async throws(ControlError) -> (Int, [UInt8]) {
        do {
            let response = try await client.execute(request, timeout: Self.timeout)
            let body = try await response.body.collect(upTo: Self.maxDocument)
            return (Int(response.status.code), Array(buffer: body))
        } catch {
            throw ControlError(.unavailable, "the identity provider's \(what) could not be reached: \(error)")
        }
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
