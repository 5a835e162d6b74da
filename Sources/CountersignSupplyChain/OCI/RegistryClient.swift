public import AsyncHTTPClient
internal import CountersignEncoding
internal import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import Synchronization
internal import Tracing

/// An OCI distribution client for verification: resolves tags, fetches manifests and blobs and checks every byte
/// against the digest it was asked for, follows the Bearer token and Basic challenges, and finds signatures and
/// attestations (`.sig`/`.att` tags, the referrers API and its `sha256-<hex>` tag fallback).
///
/// Every exchange has a deadline and a size cap, and every failure is a ``SupplyChainError`` naming the URL: a
/// registry that is down or answers garbage produces an error, never a hang and never a silent "unsigned".
public struct RegistryClient: Sendable {
    public let configuration: RegistryConfiguration
    let http: HTTPClient
    let tokens = TokenStore()

    public init(httpClient: HTTPClient, configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.http = httpClient
        self.configuration = configuration
    }

    // MARK: Manifests and blobs

    /// The digest `reference` names: its own digest, checked against the manifest the registry serves for it, or
    /// the digest of the manifest its tag points to now. Resolve once and record; never trust the tag again.
    public func resolve(_ reference: ImageReference) async throws(SupplyChainError) -> Digest {
        try await manifest(reference).digest
    }

    /// Fetches the manifest `reference` names (by digest when it has one). By digest, the bytes must hash to it;
    /// by tag, the registry's `Docker-Content-Digest`, when sent, must equal the hash of the bytes.
    public func manifest(_ reference: ImageReference) async throws(SupplyChainError) -> Manifest {
        try await manifest(reference, tagOrDigest: reference.manifestReference)
    }

    func manifest(_ image: ImageReference, tagOrDigest: String) async throws(SupplyChainError) -> Manifest {
        let url = self.url(image, "manifests/\(tagOrDigest)")
        let response = try await send(
            url, image: image, accept: MediaType.manifestAccept, maxBytes: configuration.maxManifestBytes)
        let computed = Digest.of(response.body)
        if let expected = try? Digest(parsing: tagOrDigest) {
            guard expected.matches(response.body) else {
                throw SupplyChainError(
                    .digestMismatch,
                    "GET \(url): the manifest's bytes hash to \(Digest.of(response.body, algorithm: expected.algorithm)), not \(expected)"
                )
            }
            return try Manifest(parsing: response.body, digest: expected, contentType: response.contentType)
        }
        if let header = response.headers.first(name: "Docker-Content-Digest"),
            let declared = try? Digest(parsing: header)
        {
            guard declared.matches(response.body) else {
                throw SupplyChainError(
                    .digestMismatch,
                    "GET \(url): Docker-Content-Digest says \(declared) but the bytes hash to \(computed)")
            }
        }
        return try Manifest(parsing: response.body, digest: computed, contentType: response.contentType)
    }

    /// Fetches a blob and checks its bytes against `digest` (and `size`, when known).
    public func blob(_ image: ImageReference, _ digest: Digest, size: Int? = nil) async throws(SupplyChainError)
        -> [UInt8]
    {
        if let size, size > configuration.maxBlobBytes {
            throw SupplyChainError(
                .tooLarge, "blob \(digest) in \(image.name) is \(size) bytes (limit \(configuration.maxBlobBytes))")
        }
        let url = self.url(image, "blobs/\(digest)")
        let response = try await send(url, image: image, accept: "*/*", maxBytes: configuration.maxBlobBytes)
        guard digest.matches(response.body) else {
            throw SupplyChainError(
                .digestMismatch,
                "GET \(url): the blob's bytes hash to \(Digest.of(response.body, algorithm: digest.algorithm)), not \(digest)"
            )
        }
        if let size, size != response.body.count {
            throw SupplyChainError(
                .digestMismatch, "GET \(url): the blob is \(response.body.count) bytes, the descriptor says \(size)")
        }
        return response.body
    }

    /// The manifest of `platform` (`linux/amd64`) listed in the index `reference` names.
    public func platformManifest(_ reference: ImageReference, platform: String) async throws(SupplyChainError)
        -> Digest
    {
        let index = try await manifest(reference)
        guard index.isIndex else { return index.digest }
        guard let entry = index.manifests.first(where: { $0.platform == platform }) else {
            let listed = index.manifests.compactMap(\.platform).joined(separator: ", ")
            throw SupplyChainError(
                .notFound,
                "index \(index.digest) lists no \(platform) manifest (it lists \(listed.isEmpty ? "none" : listed))")
        }
        return entry.digest
    }

    // MARK: Referrers

    /// The manifests that refer to `digest`: the referrers API, or — when the registry lacks it (404) — the image
    /// index stored at the fallback tag `sha256-<hex>`. Neither present means none.
    public func referrers(_ image: ImageReference, of digest: Digest) async throws(SupplyChainError) -> [Descriptor] {
        let url = self.url(image, "referrers/\(digest)")
        do {
            let response = try await send(
                url, image: image, accept: MediaType.ociIndex, maxBytes: configuration.maxManifestBytes)
            let index = try Manifest(
                parsing: response.body, digest: Digest.of(response.body), contentType: MediaType.ociIndex)
            return index.manifests
        } catch  where error.code == .notFound {
            do {
                return try await manifest(image, tagOrDigest: digest.tagForm).manifests
            } catch  where error.code == .notFound {
                return []
            }
        }
    }

    // MARK: Signatures and attestations

    /// Gathers what the registry holds about `digest` in `image`'s repository: the layers of the
    /// `sha256-<hex>.sig` and `.att` manifests and the Sigstore bundles among its referrers. Missing tags are
    /// notes; any other failure is an error, since a registry that cannot answer has not said "unsigned".
    public func material(for image: ImageReference, digest: Digest) async throws(SupplyChainError) -> ArtifactMaterial {
        var material = ArtifactMaterial()
        let sigTag = "\(digest.tagForm).sig"
        if let manifest = try await optionalManifest(image, sigTag) {
            if !manifest.layers.contains(where: { $0.mediaType == SimpleSigningPayload.mediaType }) {
                material.notes.append("the \(sigTag) tag has no signature layers")
            }
            for (n, layer) in manifest.layers.enumerated() where layer.mediaType == SimpleSigningPayload.mediaType {
                let source = "\(image.name):\(sigTag) layer \(n + 1)"
                let payload = try await blob(image, layer.digest, size: layer.size)
                material.signatures.append(
                    SignatureLayer(
                        payload: payload, signature: layer.annotations[SignatureLayer.signatureAnnotation] ?? "",
                        certificate: layer.annotations[SignatureLayer.certificateAnnotation],
                        chain: layer.annotations[SignatureLayer.chainAnnotation],
                        transparencyLogEntry: layer.annotations[SignatureLayer.bundleAnnotation].map { Array($0.utf8) },
                        timestamp: layer.annotations[SignatureLayer.timestampAnnotation].map { Array($0.utf8) },
                        source: source))
            }
        } else {
            material.notes.append("no \(sigTag) tag")
        }
        let attTag = "\(digest.tagForm).att"
        if let manifest = try await optionalManifest(image, attTag) {
            for (n, layer) in manifest.layers.enumerated() where layer.mediaType == DSSEEnvelope.mediaType {
                let bytes = try await blob(image, layer.digest, size: layer.size)
                material.attestations.append(
                    AttestationCandidate(
                        envelopeJSON: bytes, certificate: layer.annotations[SignatureLayer.certificateAnnotation],
                        rekorBundle: layer.annotations[SignatureLayer.bundleAnnotation].map { Array($0.utf8) },
                        source: "\(image.name):\(attTag) layer \(n + 1)"))
            }
        } else {
            material.notes.append("no \(attTag) tag")
        }
        let referrers = try await referrers(image, of: digest)
        for descriptor in referrers where descriptor.artifactType == MediaType.sigstoreBundle {
            let source = "\(image.name)@\(descriptor.digest) (bundle referrer)"
            let manifest = try await self.manifest(image, tagOrDigest: descriptor.digest.description)
            guard manifest.subject?.digest == digest else {
                material.attestations.append(
                    AttestationCandidate(invalid: "the bundle referrer's subject is not \(digest)", source: source))
                continue
            }
            guard let layer = manifest.layers.first else { continue }
            let bytes = try await blob(image, layer.digest, size: layer.size)
            do throws(SupplyChainError) {
                let bundle = try SigstoreBundle(parsing: bytes)
                guard case .publicKey = bundle.material else {
                    material.attestations.append(AttestationCandidate(bundle: bundle, source: source))
                    continue
                }
                guard let envelope = bundle.envelope else {
                    throw SupplyChainError(
                        .malformedDocument, "the Sigstore bundle holds a message signature; only DSSE bundles attest")
                }
                material.attestations.append(AttestationCandidate(envelope: envelope, source: source))
            } catch {
                material.attestations.append(AttestationCandidate(invalid: error.reason, source: source))
            }
        }
        if referrers.isEmpty { material.notes.append("no referrers") }
        return material
    }

    func optionalManifest(_ image: ImageReference, _ tag: String) async throws(SupplyChainError) -> Manifest? {
        do { return try await manifest(image, tagOrDigest: tag) } catch  where error.code == .notFound { return nil }
    }

    // MARK: HTTP

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var contentType: String? { headers.first(name: "Content-Type") }
    }

    func url(_ image: ImageReference, _ path: String) -> String {
        let host = image.apiHost
        let bare: String
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            bare = String(host[...close])
        } else {
            bare = String(host.split(separator: ":").first ?? Substring(host))
        }
        let scheme = configuration.plainHTTPHosts.contains(bare) ? "http" : "https"
        return "\(scheme)://\(host)/v2/\(image.repository)/\(path)"
    }

    /// One GET with auth, retried once after a challenge; non-2xx statuses become errors (404 → `notFound`).
    func send(_ url: String, image: ImageReference, accept: String, maxBytes: Int) async throws(SupplyChainError)
        -> Response
    {
        let scope = "repository:\(image.repository):pull"
        var authorization = authorizationHeader(registry: image.registry, scope: scope)
        for attempt in 0..<2 {
            var headers = HTTPHeaders()
            headers.add(name: "Accept", value: accept)
            if let authorization { headers.add(name: "Authorization", value: authorization) }
            let response = try await exchange(url, headers: headers, maxBytes: maxBytes)
            switch response.status {
            case 200..<300:
                return response
            case 401 where attempt == 0:
                guard let header = response.headers.first(name: "WWW-Authenticate"),
                    let challenge = AuthChallenge(header: header)
                else {
                    throw SupplyChainError(.unauthorized, "GET \(url): 401 without a challenge the client understands")
                }
                authorization = try await answer(challenge, registry: image.registry, scope: scope, url: url)
            case 401, 403:
                throw SupplyChainError(
                    .unauthorized, "GET \(url): \(response.status) \(RegistryClient.errorSummary(response.body))")
            case 404:
                throw SupplyChainError(.notFound, "GET \(url): 404 \(RegistryClient.errorSummary(response.body))")
            default:
                throw SupplyChainError(
                    .registryError, "GET \(url): \(response.status) \(RegistryClient.errorSummary(response.body))")
            }
        }
        throw SupplyChainError(.unauthorized, "GET \(url): still unauthorized after answering the challenge")
    }

    func authorizationHeader(registry: String, scope: String) -> String? {
        if let token = tokens.token(registry: registry, scope: scope) { return "Bearer \(token)" }
        switch configuration.credentials[registry] {
        case .token(let t): return "Bearer \(t)"
        case .basic(let user, let password): return "Basic \(Base64.encode(Array("\(user):\(password)".utf8)))"
        case nil: return nil
        }
    }

    /// Answers a challenge: Basic with the configured credentials, Bearer by asking the realm for a token.
    func answer(_ challenge: AuthChallenge, registry: String, scope: String, url: String)
        async throws(SupplyChainError) -> String
    {
        let credentials = configuration.credentials[registry]
        switch challenge.scheme {
        case .basic:
            guard case .basic(let user, let password) = credentials else {
                throw SupplyChainError(
                    .unauthorized, "GET \(url): the registry wants Basic credentials; none are configured")
            }
            return "Basic \(Base64.encode(Array("\(user):\(password)".utf8)))"
        case .bearer:
            if case .token(let t) = credentials { return "Bearer \(t)" }
            guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
                let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http"
            else {
                throw SupplyChainError(.unauthorized, "GET \(url): the Bearer challenge has no usable realm")
            }
            var items = components.queryItems ?? []
            if let service = challenge.parameters["service"] {
                items.append(URLQueryItem(name: "service", value: service))
            }
            items.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? scope))
            components.queryItems = items
            guard let tokenURL = components.string else {
                throw SupplyChainError(.unauthorized, "GET \(url): the Bearer realm is not a URL")
            }
            var headers = HTTPHeaders()
            if case .basic(let user, let password) = credentials {
                headers.add(name: "Authorization", value: "Basic \(Base64.encode(Array("\(user):\(password)".utf8)))")
            }
            let response = try await exchange(tokenURL, headers: headers, maxBytes: 1 << 20)
            guard (200..<300).contains(response.status) else {
                throw SupplyChainError(.unauthorized, "GET \(tokenURL): the token service answered \(response.status)")
            }
            let json = try JSONValue.document(response.body, what: "the token response from \(tokenURL)")
            guard let token = json["token"]?.stringValue ?? json["access_token"]?.stringValue, !token.isEmpty else {
                throw SupplyChainError(.unauthorized, "GET \(tokenURL): the token response holds no token")
            }
            tokens.store(token, registry: registry, scope: scope)
            return "Bearer \(token)"
        }
    }

    /// The raw exchange under the deadline: the head *and* the body must arrive in time, so a registry that
    /// dribbles bytes cannot hold a verification open.
    func exchange(_ url: String, headers: HTTPHeaders, maxBytes: Int) async throws(SupplyChainError) -> Response {
        try await traced("registry.get", kind: .client) { span throws(SupplyChainError) in
            span.attributes["http.request.method"] = "GET"
            span.attributes["url.full"] = url
            let response = try await get(url, headers: headers, maxBytes: maxBytes)
            span.attributes["http.response.status_code"] = response.status
            return response
        }
    }

    /// One GET within the configured timeout, its body collected up to `maxBytes`.
    private func get(_ url: String, headers: HTTPHeaders, maxBytes: Int) async throws(SupplyChainError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers = headers
        let timeout = configuration.timeout
        let (seconds, atto) = timeout.components
        let amount = TimeAmount.nanoseconds(seconds * 1_000_000_000 + atto / 1_000_000_000)
        let client = http
        let prepared = request
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, timeout: amount)
                    let buffer = try await response.body.collect(upTo: maxBytes)
                    return Response(
                        status: Int(response.status.code), headers: response.headers,
                        body: Array(buffer.readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw HTTPClientError.deadlineExceeded
                }
                return response
            }
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw SupplyChainError(.tooLarge, "GET \(url): the response exceeds \(maxBytes) bytes")
        } catch let error as HTTPClientError
            where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        {
            throw SupplyChainError(
                .registryUnavailable,
                "GET \(url): no complete answer within \(timeout) (the registry is down, unreachable or too slow)")
        } catch is CancellationError {
            throw SupplyChainError(.registryUnavailable, "GET \(url): cancelled")
        } catch {
            throw SupplyChainError(.registryUnavailable, "GET \(url): the registry is unreachable (\(error))")
        }
    }

    /// The first `errors[].code: message` of a distribution error body, or the start of the body.
    static func errorSummary(_ body: [UInt8]) -> String {
        if let json = try? JSONValue.document(Array(body.prefix(64 << 10)), what: "error"),
            let first = json["errors"]?.arrayValue?.first
        {
            let code = first["code"]?.stringValue ?? ""
            let message = first["message"]?.stringValue ?? ""
            return "\(code)\(code.isEmpty || message.isEmpty ? "" : ": ")\(message)".prefix(300).description
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) ? text : "(\(body.count) bytes)"
    }
}

/// Bearer tokens obtained from token services, per registry and scope.
final class TokenStore: Sendable {
    private let tokens = Mutex<[String: String]>([:])

    func token(registry: String, scope: String) -> String? { tokens.withLock { $0["\(registry) \(scope)"] } }

    func store(_ token: String, registry: String, scope: String) {
        tokens.withLock { t in
            if t.count > 256 { t.removeAll() }
            t["\(registry) \(scope)"] = token
        }
    }
}
