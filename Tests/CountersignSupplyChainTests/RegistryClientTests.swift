import AsyncHTTPClient
import CountersignSupplyChain
import Foundation
import NIOHTTP1
import Testing

/// The registry client against a fake server: the hostile and broken answers a real registry won't give.
@Suite struct RegistryClientTests {
    static let manifest = Array(
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#
            .utf8)
    static let digest = Digest.of(manifest)

    func withClient<T>(
        timeout: Duration = .seconds(5), credentials: RegistryCredentials? = nil,
        route: @escaping @Sendable (FakeHTTPServer.Request) -> FakeHTTPServer.Reply,
        _ body: (RegistryClient, FakeHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await FakeHTTPServer(route: route)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var configuration = RegistryConfiguration()
        configuration.timeout = timeout
        if let credentials { configuration.credentials[server.host] = credentials }
        let client = RegistryClient(httpClient: http, configuration: configuration)
        do {
            let result = try await body(client, server)
            try await http.shutdown()
            try await server.stop()
            return result
        } catch {
            try await http.shutdown()
            try await server.stop()
            throw error
        }
    }

    static func serveManifest(_ bytes: [UInt8], digestHeader: String? = nil)
        -> @Sendable (FakeHTTPServer.Request) -> FakeHTTPServer.Reply
    {
        { request in
            guard request.uri.contains("/manifests/") else { return .init(status: .notFound) }
            var headers = [("Content-Type", "application/vnd.oci.image.manifest.v1+json")]
            if let digestHeader { headers.append(("Docker-Content-Digest", digestHeader)) }
            return .init(headers: headers, body: bytes)
        }
    }

    @Test func resolvesATagSendingEveryManifestType() async throws {
        let seen = Box()
        let digest = try await withClient(route: { request in
            seen.set(request.header("Accept") ?? "")
            return Self.serveManifest(Self.manifest, digestHeader: Self.digest.description)(request)
        }) { client, server in
            try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
        }
        #expect(digest == Self.digest)
        for type in [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList]
        {
            #expect(seen.value.contains(type))
        }
    }

    @Test func bytesThatDoNotMatchTheDigestAreRefused() async throws {
        var tampered = Self.manifest
        tampered[tampered.count - 3] = UInt8(ascii: " ")
        let error = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: Self.serveManifest(tampered)) { client, server in
                try await client.manifest(try ImageReference(parsing: "\(server.host)/demo/app@\(Self.digest)"))
            }
        }
        #expect(error?.code == .digestMismatch)
        #expect(error?.reason.contains("not \(Self.digest)") == true)
        // By tag, a Docker-Content-Digest that disagrees with the bytes is refused too.
        let byTag = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: Self.serveManifest(tampered, digestHeader: Self.digest.description)) {
                client, server in
                try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
            }
        }
        #expect(byTag?.code == .digestMismatch)
    }

    @Test func blobsAreCheckedAgainstTheirDigest() async throws {
        let error = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: { _ in .init(body: Array("not the payload".utf8)) }) { client, server in
                try await client.blob(try ImageReference(parsing: "\(server.host)/demo/app"), Fixtures.digest)
            }
        }
        #expect(error?.code == .digestMismatch)
    }

    @Test func garbageAndErrorsAreClearErrors() async throws {
        let garbage = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: { _ in .init(body: Array("<html>hello</html>".utf8)) }) { client, server in
                try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
            }
        }
        #expect(garbage?.code == .malformedDocument)
        let failing = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: { _ in
                .init(
                    status: .internalServerError, body: Array(#"{"errors":[{"code":"UNKNOWN","message":"boom"}]}"#.utf8)
                )
            }) { client, server in
                try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
            }
        }
        #expect(failing?.code == .registryError)
        #expect(failing?.reason.contains("500 UNKNOWN: boom") == true)
        let missing = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: { _ in .init(status: .notFound) }) { client, server in
                try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
            }
        }
        #expect(missing?.code == .notFound)
    }

    @Test func aSilentOrDribblingRegistryTimesOut() async throws {
        for reply in [FakeHTTPServer.Reply(hang: true), FakeHTTPServer.Reply(body: Self.manifest, dribble: true)] {
            let error = await #expect(throws: SupplyChainError.self) {
                try await withClient(timeout: .milliseconds(600), route: { _ in reply }) { client, server in
                    try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
                }
            }
            #expect(error?.code == .registryUnavailable)
            #expect(error?.reason.contains("no complete answer within") == true)
        }
    }

    @Test func anUnreachableRegistryIsAnError() async throws {
        var configuration = RegistryConfiguration()
        configuration.timeout = .seconds(3)
        let error = await #expect(throws: SupplyChainError.self) {
            try await withHTTPClient { http in
                try await RegistryClient(httpClient: http, configuration: configuration)
                    .resolve(try ImageReference(parsing: "127.0.0.1:1/demo/app:v1"))
            }
        }
        #expect(error?.code == .registryUnavailable)
    }

    @Test func hugeManifestsAreRefused() async throws {
        let error = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: { _ in .init(body: [UInt8](repeating: 0x20, count: (4 << 20) + 10)) }) {
                client, server in
                try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
            }
        }
        #expect(error?.code == .tooLarge)
    }

    @Test func theBearerTokenFlowIsFollowed() async throws {
        let digest = try await withClient(credentials: .basic(username: "ci", password: "s3cret")) { request in
            if request.uri.hasPrefix("/token") {
                // The token service gets the basic credentials, the service and the scope.
                guard request.header("Authorization") == "Basic Y2k6czNjcmV0",
                    request.uri.contains("service=fake"),
                    request.uri.contains("scope=repository%3Ademo%2Fapp%3Apull")
                        || request.uri.contains("scope=repository:demo/app:pull")
                else { return .init(status: .unauthorized) }
                return .init(body: Array(#"{"token":"tok-123"}"#.utf8))
            }
            guard request.header("Authorization") == "Bearer tok-123" else {
                return .init(
                    status: .unauthorized,
                    headers: [
                        (
                            "WWW-Authenticate",
                            #"Bearer realm="http://\#(request.header("Host") ?? "")/token",service="fake",scope="repository:demo/app:pull""#
                        )
                    ])
            }
            return Self.serveManifest(Self.manifest)(request)
        } _: { client, server in
            try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
        }
        #expect(digest == Self.digest)
    }

    @Test func basicChallengesUseTheConfiguredCredentialsAndNoneIsUnauthorized() async throws {
        let route: @Sendable (FakeHTTPServer.Request) -> FakeHTTPServer.Reply = { request in
            guard request.header("Authorization") == "Basic Y2k6czNjcmV0" else {
                return .init(status: .unauthorized, headers: [("WWW-Authenticate", #"Basic realm="registry""#)])
            }
            return Self.serveManifest(Self.manifest)(request)
        }
        let digest = try await withClient(credentials: .basic(username: "ci", password: "s3cret"), route: route) {
            client, server in
            try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
        }
        #expect(digest == Self.digest)
        let error = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: route) { client, server in
                try await client.resolve(try ImageReference(parsing: "\(server.host)/demo/app:v1"))
            }
        }
        #expect(error?.code == .unauthorized)
    }

    /// The whole verification over a registry that serves a signature payload whose bytes are not the ones its
    /// descriptor names: an error (exit 1 in the CLI), never a verification or a plain rejection.
    @Test func aSignatureBlobThatDoesNotMatchItsDescriptorStopsVerification() async throws {
        let release = TestKey("release")
        let payload = Fixtures.payload(digest: Self.digest, reference: "x")
        let payloadDigest = Digest.of(payload)
        let sig = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"\#(payloadDigest)","size":\#(payload.count),"annotations":{"dev.cosignproject.cosign/signature":"\#(release.signBase64(payload))"}}]}"#
                .utf8)
        var tampered = payload
        tampered[tampered.count - 2] = UInt8(ascii: "x")
        let swapped = tampered
        let policy = try Fixtures.policy("images: ['*']\nsignatures: { keys: [k] }", keys: ["k": release.pem])
        let error = await #expect(throws: SupplyChainError.self) {
            try await withClient(route: { request in
                if request.uri.hasSuffix("/manifests/\(Self.digest)") {
                    return .init(headers: [("Content-Type", MediaType.ociManifest)], body: Self.manifest)
                }
                if request.uri.hasSuffix("/manifests/\(Self.digest.tagForm).sig") {
                    return .init(headers: [("Content-Type", MediaType.ociManifest)], body: sig)
                }
                if request.uri.hasSuffix("/blobs/\(payloadDigest)") { return .init(body: swapped) }
                return .init(status: .notFound)
            }) { client, server in
                try await RegistryVerifier(client: client, policies: [policy]).verify(
                    try ImageReference(parsing: "\(server.host)/demo/app@\(Self.digest)"), now: Date())
            }
        }
        #expect(error?.code == .digestMismatch)
        #expect(error?.reason.contains("/blobs/\(payloadDigest): the blob's bytes hash to") == true)
    }

    @Test func theReferrersAPIIsUsedWhenTheRegistryHasIt() async throws {
        let referrer = try Digest(parsing: "sha256:" + String(repeating: "2", count: 64))
        let index = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(referrer)","size":10,"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"}]}"#
                .utf8)
        let seen = Box()
        let found = try await withClient(route: { request in
            if request.uri.hasSuffix("/referrers/\(Fixtures.digest)") {
                seen.set(request.header("Accept") ?? "")
                return .init(headers: [("Content-Type", MediaType.ociIndex)], body: index)
            }
            return .init(status: .internalServerError)
        }) { client, server in
            try await client.referrers(try ImageReference(parsing: "\(server.host)/demo/app"), of: Fixtures.digest)
        }
        #expect(found.map(\.digest) == [referrer])
        #expect(seen.value == MediaType.ociIndex)
    }

    @Test func referrersFallBackToTheTagSchema() async throws {
        let referrer = try Digest(parsing: "sha256:" + String(repeating: "1", count: 64))
        let index = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(referrer)","size":10,"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"}]}"#
                .utf8)
        let found = try await withClient(route: { request in
            if request.uri.contains("/referrers/") { return .init(status: .notFound) }
            if request.uri.hasSuffix("/manifests/\(Fixtures.digest.tagForm)") {
                return .init(headers: [("Content-Type", MediaType.ociIndex)], body: index)
            }
            return .init(status: .notFound)
        }) { client, server in
            try await client.referrers(try ImageReference(parsing: "\(server.host)/demo/app"), of: Fixtures.digest)
        }
        #expect(found.map(\.digest) == [referrer])
        #expect(found.first?.artifactType == MediaType.sigstoreBundle)
    }
}

/// A value shared with a server route.
final class Box: @unchecked Sendable {
    private var stored = ""
    private let lock = NSLock()
    func set(_ v: String) { lock.withLock { stored = v } }
    var value: String { lock.withLock { stored } }
}

/// Issue 18, item 6: one deadline for a whole verification. A hostile registry answers each of many signature
/// layers just inside the per-request timeout; the verification ends at its own deadline, not after all of them.
@Suite struct VerificationDeadlineTests {
    @Test func manyLayersEachJustInTimeStillEndAtTheVerificationsDeadline() async throws {
        let blob = Array("x".utf8)
        let blobDigest = Digest.of(blob)
        let layers = (0..<40).map { _ in
            #"{"mediaType":"\#(SimpleSigningPayload.mediaType)","digest":"\#(blobDigest)","size":1,"annotations":{"dev.cosignproject.cosign/signature":"c2ln"}}"#
        }
        let sig = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[\#(layers.joined(separator: ","))]}"#
                .utf8)
        let image = RegistryClientTests.manifest
        let digest = RegistryClientTests.digest
        let blobs = Box()
        let server = try await FakeHTTPServer { request in
            let manifestHeaders = [("Content-Type", "application/vnd.oci.image.manifest.v1+json")]
            if request.uri.hasSuffix("/manifests/\(digest)") { return .init(headers: manifestHeaders, body: image) }
            if request.uri.hasSuffix("/manifests/\(digest.tagForm).sig") {
                return .init(headers: manifestHeaders, body: sig)
            }
            // Each layer arrives a byte at a time, well inside the per-request timeout.
            if request.uri.contains("/blobs/") {
                blobs.set(blobs.value + "b")
                return .init(body: blob, dribble: true)
            }
            return .init(status: .notFound)
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var configuration = RegistryConfiguration()
        configuration.timeout = .seconds(5)
        configuration.verificationDeadline = .milliseconds(1_500)
        let release = TestKey("release")
        let policy = try Fixtures.policy(
            #"images: ["\#(server.host)/*"]\#nsignatures: { keys: [keys/release.pub] }"#,
            keys: ["keys/release.pub": release.pem])
        let verifier = RegistryVerifier(
            client: RegistryClient(httpClient: http, configuration: configuration), policies: [policy])
        // Without the deadline this returns a rejected result after all 40 layers; with it, an error — and the
        // layers stop being fetched. (Wall-clock bounds are left out: on a busy two-core test machine the
        // scheduler, not the verifier, decides when a task runs.)
        let error = await #expect(throws: SupplyChainError.self) {
            try await verifier.verify(try ImageReference(parsing: "\(server.host)/demo/app@\(digest)"), now: Date())
        }
        #expect(error?.code == .registryUnavailable)
        #expect(error?.reason.contains("did not finish within") == true, "\(error?.reason ?? "")")
        let fetched = blobs.value.count
        try await Task.sleep(for: .seconds(1))
        #expect(blobs.value.count <= fetched + 1, "the cancelled verification stops fetching")
        #expect(blobs.value.count < 40, "stopped before the 40th layer: \(blobs.value.count)")
        try await http.shutdown()
        try await server.stop()
    }
}

extension RegistryClientTests {
    /// A `.sig` tag whose manifest carries no signature layers says so, rather than passing for a missing tag.
    @Test func aSigTagWithoutSignatureLayersIsNamed() async throws {
        let digest = Self.digest
        let material = try await withClient(route: { request in
            if request.uri.hasSuffix("/manifests/\(digest.tagForm).sig") {
                return .init(
                    headers: [("Content-Type", "application/vnd.oci.image.manifest.v1+json")], body: Self.manifest)
            }
            return .init(status: .notFound)
        }) { client, server in
            try await client.material(
                for: try ImageReference(parsing: "\(server.host)/demo/app@\(digest)"), digest: digest)
        }
        #expect(material.signatures.isEmpty)
        #expect(material.notes.contains("the \(digest.tagForm).sig tag has no signature layers"), "\(material.notes)")
    }
}
