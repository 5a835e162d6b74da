import CountersignSupplyChain
import Foundation
import Testing

@Suite struct ManifestTests {
    static let hex = String(repeating: "1", count: 64)

    @Test func readsDockerAndOCIManifestsAndIndexes() throws {
        let docker = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:\#(Self.hex)","size":7},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:\#(Self.hex)","size":9}]}"#
                .utf8)
        let manifest = try Manifest(parsing: docker, digest: Digest.of(docker), contentType: MediaType.dockerManifest)
        #expect(manifest.mediaType == MediaType.dockerManifest)
        #expect(!manifest.isIndex)
        #expect(manifest.layers.map(\.size) == [9])
        let index = Array(
            #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(Self.hex)","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}"#
                .utf8)
        // No mediaType in the document and a generic content type: the shape decides.
        let parsed = try Manifest(parsing: index, digest: Digest.of(index), contentType: "application/json")
        #expect(parsed.isIndex)
        #expect(parsed.manifests.first?.platform == "linux/arm64/v8")
    }

    @Test(arguments: [
        #"{"schemaVersion":1,"config":{}}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#,
        #"{"schemaVersion":2,"mediaType":"text/plain","config":{}}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":{}}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[{"mediaType":"x","digest":"sha256:abc","size":1}]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[{"mediaType":"x","digest":"sha256:\#(String(repeating: "1", count: 64))","size":-1}]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[1]}"#,
    ])
    func rejectsMalformedManifests(json: String) {
        #expect(throws: SupplyChainError.self) {
            try Manifest(parsing: Array(json.utf8), digest: Fixtures.digest, contentType: nil)
        }
    }

    @Test func aMediaTypeThatContradictsTheContentTypeIsRefused() {
        let body = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)
        #expect(throws: SupplyChainError.self) {
            try Manifest(parsing: body, digest: Fixtures.digest, contentType: MediaType.ociManifest)
        }
    }
}

@Suite struct ProvenanceAndChallengeTests {
    @Test func aProvenanceNamingTwoSourcesIsRefused() throws {
        let release = TestKey("release")
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        var statement = String(decoding: Fixtures.statement(), as: UTF8.self)
        statement = statement.replacingOccurrences(
            of: "\"uri\": \"git+https://github.com/acme/app@refs/heads/main\"",
            with: "\"uri\": \"git+https://github.com/evil/app@refs/heads/main\"")
        let material = ArtifactMaterial(
            signatures: [Fixtures.signature(Fixtures.payload(), by: release)],
            attestations: [
                AttestationCandidate(
                    envelopeJSON: Fixtures.envelope(Array(statement.utf8), signers: [release]), source: "att")
            ])
        let reasons = verifier.verify(Fixtures.image, material: material).reasons
        #expect(
            reasons.contains {
                $0.contains(
                    "names two source repositories, https://github.com/acme/app and https://github.com/evil/app")
            })
    }
}
