import AsyncHTTPClient
import CountersignSupplyChain
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Verification against a real registry (distribution 2.8) holding an image pushed by skopeo, signatures made by
/// openssl and attestations made by securesystemslib — each tampered variant rejected with its reason.
@Suite(.serialized) struct RegistryEndToEndTests {
    func verify(_ name: String) async throws -> [VerificationResult] {
        let fixture = try await RegistryFixture.get()
        return try await withHTTPClient { http in
            let verifier = RegistryVerifier(client: RegistryClient(httpClient: http), policies: try fixture.policies())
            return try await verifier.verify(try ImageReference(parsing: try fixture.reference(name)), now: Date())
        }
    }

    @Test func resolvesTheTagSkopeoPushed() async throws {
        let fixture = try await RegistryFixture.get()
        try await withHTTPClient { http in
            let client = RegistryClient(httpClient: http)
            let digest = try await client.resolve(try ImageReference(parsing: "\(fixture.registry)/demo/app:v1"))
            #expect(digest == fixture.digest)
            let manifest = try await client.manifest(
                try ImageReference(parsing: "\(fixture.registry)/demo/app@\(digest)"))
            #expect(manifest.mediaType == MediaType.ociManifest)
            #expect(manifest.layers.count == 1)
            let missing = await #expect(throws: SupplyChainError.self) {
                try await client.resolve(try ImageReference(parsing: "\(fixture.registry)/demo/app:nope"))
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func theSignedImageIsVerified() async throws {
        let results = try await verify("app")
        let result = try #require(results.first)
        #expect(results.count == 1)
        #expect(result.verdict == .verified, "\(result.reasons)")
        #expect(result.signers == ["release.pub"])
        #expect(result.builder == "https://github.com/actions/runner/github-hosted")
        // The commit the accepted provenance names: what binds the digest to its change.
        #expect(result.sourceCommit == "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d")
        #expect(result.sourceRepository == "https://github.com/acme/app")
        #expect(
            result.checks.contains {
                $0.name == "provenance" && $0.kind == .requirement
                    && $0.detail.contains("https://github.com/acme/app@refs/heads/main")
            })
    }

    @Test func slsaV02AnEd25519KeyAndAFallbackBundleAreVerified() async throws {
        for name in ["v02", "ed25519", "bundle"] {
            let result = try #require(try await verify(name).first)
            #expect(result.verdict == .verified, "\(name): \(result.reasons)")
        }
        let bundle = try #require(try await verify("bundle").first)
        #expect(bundle.checks.contains { $0.detail.contains("bundle referrer") && $0.passed })
    }

    @Test func aMultiArchIndexIsVerifiedThroughItsPlatformManifestWhenConfigured() async throws {
        let fixture = try await RegistryFixture.get()
        let platform = try #require(try await verify("multi").first)
        #expect(platform.policy == "platform-signed")
        #expect(platform.verdict == .verified, "\(platform.reasons)")
        #expect(platform.checks.first?.detail.hasPrefix("platform manifest \(fixture.digest) of index sha256:") == true)
        // The index digest itself carries no signature: a policy that verifies the index rejects it.
        let index = try #require(try await verify("multiidx").first)
        #expect(index.policy == "index-signed")
        #expect(index.verdict == .rejected)
        #expect(index.reasons.first?.hasPrefix("no cosign signature found for sha256:") == true)
        #expect(index.digest != fixture.digest)
        // Resolving the index for a platform pins the platform manifest.
        try await withHTTPClient { http in
            let pinned = try await RegistryClient(httpClient: http).platformManifest(
                try ImageReference(parsing: try fixture.reference("multi")), platform: "linux/amd64")
            #expect(pinned == fixture.digest)
            let error = await #expect(throws: SupplyChainError.self) {
                try await RegistryClient(httpClient: http).platformManifest(
                    try ImageReference(parsing: try fixture.reference("multi")), platform: "linux/arm64")
            }
            #expect(error?.reason.contains("lists no linux/arm64 manifest (it lists linux/amd64)") == true)
        }
    }

    /// skopeo (containers/image, an independent reader of the `.sig` layout) carries the signature along when
    /// it promotes the image; the copy verifies where the policy does not bind the repository, and is rejected
    /// where it does, because the signed payload still names demo/app.
    @Test func signaturesCarriedBySkopeoVerifyAndStayBoundToTheirRepository() async throws {
        let fixture = try await RegistryFixture.get()
        let copied = try #require(try await verify("copied-app").first)
        #expect(copied.policy == "signature-only")
        #expect(copied.verdict == .verified, "\(copied.reasons)")
        #expect(copied.signers == ["release.pub"])
        let promoted = try #require(try await verify("demo-promoted").first)
        #expect(promoted.verdict == .rejected)
        #expect(
            promoted.reasons.contains {
                $0.contains(
                    "names docker-reference '\(fixture.registry)/demo/app', not \(fixture.registry)/demo/promoted")
            }, "\(promoted.reasons)")
    }

    @Test(arguments: [
        ("wrongkey", "is not by a key in the trusted set (release.pub)"),
        ("otherdigest", "names sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd, not artifact"),
        ("modified", "is not by a key in the trusted set (release.pub)"),
        (
            "othersubject",
            "attestation subject sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd does not match artifact"
        ),
        ("untrusted", "provenance builder https://evil.example/builder is not trusted"),
        ("featureref", "provenance source ref refs/heads/feature/x does not match ^refs/heads/(main|release/.*)$"),
        ("tagonly", "is not pinned by digest"),
    ])
    func eachTamperedVariantIsRejectedWithItsReason(name: String, reason: String) async throws {
        let result = try #require(try await verify(name).first)
        #expect(result.verdict == .rejected)
        #expect(result.reasons.contains { $0.contains(reason) }, "\(result.reasons)")
    }

    @Test func aVerifiedDigestComesFromTheCacheUntilThePolicyChanges() async throws {
        let fixture = try await RegistryFixture.get()
        try await withHTTPClient { http in
            let cache = VerificationCache(timeToLive: 60)
            let policies = try fixture.policies()
            let reference = try ImageReference(parsing: try fixture.reference("app"))
            let now = Date()
            let first = try await RegistryVerifier(
                client: RegistryClient(httpClient: http), policies: policies, cache: cache
            )
            .verify(reference, now: now)
            #expect(first.first?.verdict == .verified)
            #expect(cache.count == 1)
            // A client that cannot reach any registry still answers from the cache.
            var offline = RegistryConfiguration()
            offline.plainHTTPHosts = []
            offline.timeout = .milliseconds(200)
            let cached = try await RegistryVerifier(
                client: RegistryClient(httpClient: http, configuration: offline), policies: policies, cache: cache
            ).verify(reference, now: now.addingTimeInterval(30))
            #expect(cached.first?.verdict == .verified)
        }
    }
}

/// Issue 18, item 4: no signed child inside an unsigned wrapper. Anyone who can push to the repository can write an
/// index that lists the legitimately signed linux/amd64 manifest beside an unsigned one for linux/arm64; a policy that
/// verifies only its platform's manifest would admit it, and arm64 nodes would run the unsigned image.
@Suite(.serialized) struct MultiArchIndexTests {
    @Test func anIndexWrappingASignedChildWithAnUnsignedOneIsRejected() async throws {
        let fixture = try await RegistryFixture.get()
        let reference = try ImageReference(parsing: try fixture.reference("multi"))
        try await withHTTPClient { http in
            // Any other manifest of the repository stands in for the attacker's image: the signature's own manifest.
            let base = "http://\(fixture.registry)/v2/\(reference.repository)/manifests/"
            func head(_ tag: String) async throws -> (digest: String, size: Int) {
                var head = HTTPClientRequest(url: base + tag)
                head.method = .HEAD
                head.headers.add(name: "Accept", value: "application/vnd.oci.image.manifest.v1+json")
                let found = try await http.execute(head, timeout: .seconds(10))
                return (
                    try #require(found.headers.first(name: "Docker-Content-Digest")),
                    try #require(found.headers.first(name: "Content-Length").flatMap(Int.init))
                )
            }
            let (unsigned, size) = try await head("\(fixture.digest.tagForm).sig")
            let (_, signedSize) = try await head(fixture.digest.description)
            let index = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
                  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(fixture.digest)",
                   "size": \(signedSize), "platform": {"os": "linux", "architecture": "amd64"}},
                  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(unsigned)",
                   "size": \(size), "platform": {"os": "linux", "architecture": "arm64"}}]}
                """
            var put = HTTPClientRequest(url: base + "wrapped")
            put.method = .PUT
            put.headers.add(name: "Content-Type", value: "application/vnd.oci.image.index.v1+json")
            put.body = .bytes(ByteBuffer(string: index))
            let pushed = try await http.execute(put, timeout: .seconds(10))
            #expect(pushed.status.code == 201)
            let wrapped = try #require(pushed.headers.first(name: "Docker-Content-Digest"))

            let verifier = RegistryVerifier(client: RegistryClient(httpClient: http), policies: try fixture.policies())
            let result = try #require(
                try await verifier.verify(
                    try ImageReference(parsing: "\(fixture.registry)/\(reference.repository)@\(wrapped)"), now: Date()
                ).first)
            #expect(result.policy == "platform-signed")
            #expect(result.verdict == .rejected)
            #expect(
                result.reasons.contains {
                    $0.contains(
                        "is not signed as a whole, and not every manifest it lists verifies: linux/arm64 \(unsigned)")
                }, "\(result.reasons)")
            // The fixture's own index lists only the signed manifest: every child verifies.
            let honest = try #require(try await verifier.verify(reference, now: Date()).first)
            #expect(honest.verdict == .verified, "\(honest.reasons)")
            #expect(honest.checks.contains { $0.name == "index" && $0.detail.contains("every manifest the index") })
        }
    }
}
