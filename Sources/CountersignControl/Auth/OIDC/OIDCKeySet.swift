internal import AsyncHTTPClient
internal import CountersignEncoding
internal import Foundation
internal import JWTKit
internal import NIOCore
internal import NIOHTTP1

/// An OpenID Connect issuer's published signing keys, and the signature check of a token against them: the one
/// place a JWT's signature is verified, for people signing in (``OIDCProvider``) and for CI jobs presenting their
/// ID tokens (``WorkloadIdentities``).
///
/// Everything before the signature is checked strictly, before any key is used: the compact form, an accepted
/// asymmetric algorithm (never `none`, never HMAC — a provider's public key must not become a shared secret), no
/// critical headers, a `kid` the issuer publishes for that key type. The key set is found through the issuer's
/// discovery document (whose `issuer` must be the issuer itself, and whose `jwks_uri` must be https, or http on a
/// loopback address) and fetched when a token names a key not yet known — at most once every ten seconds, so
/// tokens naming made-up keys cannot make this server hammer the issuer; a new key set replaces the old one, so a
/// key the issuer withdrew stops verifying.
actor OIDCKeySet {
    nonisolated let issuer: String
    private let client: HTTPClient
    private var jwksURI: String?
    private var keys = JWTKeyCollection()
    /// The published signing keys by `kid`: their type, and their algorithm when the issuer pins one.
    private var published: [String: (kty: String, alg: String?)] = [:]
    private var refetched: ContinuousClock.Instant?

    static let refetchInterval: Duration = .seconds(10)
    static let algorithms: [String: String] = [
        "RS256": "RSA", "RS384": "RSA", "RS512": "RSA", "PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
        "ES256": "EC", "ES384": "EC", "EdDSA": "OKP",
    ]
    static let timeout: TimeAmount = .seconds(10)
    static let maxDocument = 1 << 20
    static let maxToken = 16_384

    init(issuer: String, client: HTTPClient = .shared) {
        self.issuer = issuer
        self.client = client
    }

    /// The payload of `token` once its signature verifies with a key the issuer publishes; its claims are the
    /// caller's to check. `what` names the token in messages ("the ID token").
    func verify(_ token: String, what: String) async throws(ControlError) -> JSONValue {
        func refused(_ why: String) -> ControlError { ControlError(.unauthenticated, "\(what) \(why)") }
        guard let (header, payload) = Self.decode(token) else { throw refused("is not a signed JWT in compact form") }
        guard let alg = header["alg"]?.stringValue, let kty = Self.algorithms[alg] else {
            throw refused(
                "is signed with alg \(header["alg"]?.stringValue ?? "(none)"), which is not accepted "
                    + "(asymmetric signatures only: \(Self.algorithms.keys.sorted().joined(separator: ", ")))")
        }
        guard header["crit"] == nil else { throw refused("has critical header parameters this server does not know") }
        guard let kid = header["kid"]?.stringValue else { throw refused("names no key (kid)") }
        if published[kid] == nil { try await refresh() }
        guard let key = published[kid] else {
            throw refused("is signed with key \(kid), which the provider does not publish (\(issuer))")
        }
        guard key.kty == kty, key.alg == nil || key.alg == alg else {
            throw refused("says alg \(alg), which key \(kid) (\(key.kty)\(key.alg.map { ", " + $0 } ?? "")) is not for")
        }
        do { _ = try await keys.verify(token, as: SignatureOnly.self) } catch {
            throw refused("signature does not verify with key \(kid)")
        }
        return payload
    }

    /// The header and payload of a compact JWT, unverified; nil when it is not one.
    nonisolated static func decode(_ token: String) -> (header: JSONValue, payload: JSONValue)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= maxToken, parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]), let header = try? JSONValue(parsing: headerBytes),
            let payloadBytes = Base64URL.decode(parts[1]), let payload = try? JSONValue(parsing: payloadBytes),
            case .object = header, case .object = payload
        else { return nil }
        return (header, payload)
    }

    /// jwt-kit checks the signature only; the claims are read from the payload by the one strict JSON reader.
    struct SignatureOnly: JWTPayload {
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The issuer's discovery document, checked to be its own (Discovery 1.0 §4.3).
    static func discovery(of issuer: String, client: HTTPClient) async throws(ControlError) -> JSONValue {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let (status, body) = try await send(
            HTTPClientRequest(url: base + "/.well-known/openid-configuration"), client: client,
            what: "\(issuer)'s discovery document")
        guard status == 200, let document = try? JSONValue(parsing: body) else {
            throw ControlError(.unavailable, "\(issuer)'s discovery document could not be read (HTTP \(status))")
        }
        guard document["issuer"]?.stringValue == issuer else {
            throw ControlError(
                .unavailable,
                "the discovery document names issuer \(document["issuer"]?.stringValue ?? "none"), not \(issuer)")
        }
        return document
    }

    /// An endpoint the discovery document names: https, or http on a loopback address.
    static func endpoint(_ document: JSONValue, _ field: String) throws(ControlError) -> String {
        guard let url = document[field]?.stringValue, let parsed = URLComponents(string: url), let host = parsed.host,
            parsed.scheme == "https" || (parsed.scheme == "http" && OIDCSettings.isLoopback(host))
        else { throw ControlError(.unavailable, "the discovery document's \(field) is missing or not https") }
        return url
    }

    /// Fetches the key set: the first time, and again for a `kid` not held — at most once per
    /// ``refetchInterval``, counted from the last fetch a missing key caused.
    private func refresh() async throws(ControlError) {
        let loaded = !published.isEmpty
        if loaded, let refetched, ContinuousClock.now - refetched < Self.refetchInterval { return }
        if jwksURI == nil {
            jwksURI = try Self.endpoint(try await Self.discovery(of: issuer, client: client), "jwks_uri")
        }
        let (status, body) = try await Self.send(
            HTTPClientRequest(url: jwksURI!), client: client, what: "\(issuer)'s key set")
        if loaded { refetched = .now }
        guard status == 200, let document = try? JSONValue(parsing: body), let list = document["keys"]?.arrayValue
        else { throw ControlError(.unavailable, "\(issuer)'s key set could not be read (HTTP \(status))") }
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

    static func send(_ request: HTTPClientRequest, client: HTTPClient, what: String) async throws(ControlError)
        -> (Int, [UInt8])
    {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: maxDocument)
            return (Int(response.status.code), Array(buffer: body))
        } catch {
            throw ControlError(.unavailable, "\(what) could not be reached: \(error)")
        }
    }
}
