import AsyncHTTPClient
import CountersignCore
import CountersignSupplyChain
import Crypto
import Foundation
import Testing

/// The project's digest type (swift-crypto has a `Digest` protocol too).
typealias Digest = CountersignSupplyChain.Digest

/// A P-256 signing key made for one test run (the private half never leaves the test).
struct TestKey: @unchecked Sendable {
    let name: String
    let key: P256.Signing.PrivateKey

    init(_ name: String) {
        self.name = name
        key = P256.Signing.PrivateKey()
    }

    var pem: String { key.publicKey.pemRepresentation }
    func sign(_ bytes: [UInt8]) -> [UInt8] { Array(try! key.signature(for: bytes).derRepresentation) }
    func signBase64(_ bytes: [UInt8]) -> String { Data(sign(bytes)).base64EncodedString() }
}

/// An Ed25519 key; PEM written by hand (RFC 8410 SPKI prefix + the 32 raw bytes).
struct TestEd25519Key: @unchecked Sendable {
    let name: String
    let key = Curve25519.Signing.PrivateKey()

    init(_ name: String) { self.name = name }

    var pem: String {
        let der =
            [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
            + Array(key.publicKey.rawRepresentation)
        return "-----BEGIN PUBLIC KEY-----\n\(Data(der).base64EncodedString())\n-----END PUBLIC KEY-----\n"
    }
    func sign(_ bytes: [UInt8]) -> [UInt8] { Array(try! key.signature(for: bytes)) }
}

enum Fixtures {
    static let digest = try! Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))
    static let otherDigest = try! Digest(parsing: "sha256:" + String(repeating: "cd", count: 32))
    static let image = try! ImageReference(parsing: "registry.example.com/team/app@\(digest)")
    static let trustedBuilder = "https://github.com/actions/runner/github-hosted"

    /// Cosign's simple-signing payload, byte for byte as cosign writes it.
    static func payload(digest: Digest = digest, reference: String = "registry.example.com/team/app") -> [UInt8] {
        Array(
            #"{"critical":{"identity":{"docker-reference":"\#(reference)"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"cosign container image signature"},"optional":null}"#
                .utf8)
    }

    /// A SLSA v1 statement in GitHub's build type.
    static func statement(
        subject: Digest = digest, builder: String = trustedBuilder, ref: String = "refs/heads/main",
        repository: String = "https://github.com/acme/app", statementType: String = "https://in-toto.io/Statement/v1"
    ) -> [UInt8] {
        Array(
            """
            {"_type": "\(statementType)", "subject": [{"name": "registry.example.com/team/app", "digest": {"sha256": "\(subject.hex)"}}], "predicateType": "https://slsa.dev/provenance/v1", "predicate": {"buildDefinition": {"buildType": "https://actions.github.io/buildtypes/workflow/v1", "externalParameters": {"workflow": {"ref": "\(ref)", "repository": "\(repository)", "path": ".github/workflows/build.yml"}}, "resolvedDependencies": [{"uri": "git+\(repository)@\(ref)", "digest": {"gitCommit": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}}]}, "runDetails": {"builder": {"id": "\(builder)"}, "metadata": {"invocationId": "run-1"}}}}
            """.utf8)
    }

    /// A SLSA v0.2 statement (in-toto v0.1), as slsa-github-generator wrote them.
    static func statementV02(subject: Digest = digest, ref: String = "refs/heads/main") -> [UInt8] {
        Array(
            """
            {"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"app","digest":{"sha256":"\(subject.hex)"}}],"predicate":{"builder":{"id":"\(trustedBuilder)"},"buildType":"https://github.com/slsa-framework/slsa-github-generator/generic@v1","invocation":{"configSource":{"uri":"git+https://github.com/acme/app@\(ref)","digest":{"sha1":"7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"},"entryPoint":".github/workflows/build.yml"},"environment":{"github_ref":"\(ref)"}},"materials":[{"uri":"git+https://github.com/acme/app@\(ref)","digest":{"sha1":"7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}}]}}
            """.utf8)
    }

    /// A DSSE envelope over `statement`, signed by each of `signers`.
    static func envelope(_ statement: [UInt8], signers: [TestKey], payloadType: String = DSSEEnvelope.inTotoPayloadType)
        -> [UInt8]
    {
        let pae = DSSEEnvelope.pae(payloadType: payloadType, payload: statement)
        let sigs = signers.map { #"{"keyid":"\#($0.name)","sig":"\#(Data($0.sign(pae)).base64EncodedString())"}"# }
        return Array(
            #"{"payload":"\#(Data(statement).base64EncodedString())","payloadType":"\#(payloadType)","signatures":[\#(sigs.joined(separator: ","))]}"#
                .utf8)
    }

    static func signature(_ payload: [UInt8], by key: TestKey, source: String = "test.sig layer 1") -> SignatureLayer {
        SignatureLayer(payload: payload, signature: key.signBase64(payload), source: source)
    }

    /// An ArtifactPolicy document loaded through the real policy loader, made ready with `keys`.
    static func policy(_ spec: String, keys: [String: String], name: String = "signed-from-main") throws
        -> VerificationPolicy
    {
        let indented = spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(
            separator: "\n")
        let yaml = """
            apiVersion: countersign.dev/v1alpha1
            kind: ArtifactPolicy
            metadata: { name: \(name) }
            spec:
            \(indented)
            """
        let bundle = try PolicyLoader.load(sources: [(file: "policy.yaml", text: yaml)])
        return try VerificationPolicy(
            policy: try #require(bundle.artifactPolicies[name]), keys: keys)
    }

    /// The policy DESIGN §3 shows: a release key, SLSA v1 from GitHub's hosted runner, main or release branches.
    static func standardPolicy(_ release: TestKey, extra: String = "") throws -> VerificationPolicy {
        try policy(
            """
            images: ["registry.example.com/*"]
            signatures: { keys: [keys/release.pub] }
            provenance:
              predicateTypes: ["https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"]
              builders: ["\(trustedBuilder)"]
              sourceRefs: ["^refs/heads/(main|release/.*)$"]
            \(extra)
            """, keys: ["keys/release.pub": release.pem])
    }
}

/// Runs `body` with an HTTP client that is shut down afterwards, whatever happens.
func withHTTPClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await body(http)
        try await http.shutdown()
        return result
    } catch {
        try await http.shutdown()
        throw error
    }
}
