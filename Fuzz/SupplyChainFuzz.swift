// libFuzzer harness `supply-chain`: every input goes through each supply-chain parser — image references and
// digests, the strict JSON reader, DSSE envelopes, in-toto statements and SLSA provenance, cosign's simple-signing
// payload, Sigstore bundles, OCI manifests, public keys (PEM and DER), registry auth challenges, base64 — and then
// through `ArtifactVerifier.verify`, the function `countersign artifact verify` and the server's artifact gate call
// with what a registry served:
//
// - as a raw `.att` layer (the verifier parses the envelope itself);
// - signed by the harness's trusted key as a DSSE payload and as a simple-signing payload, so the fuzzer reaches
//   what lies behind the signature check — the statement, the subject match, the SLSA fields, the source-ref
//   patterns and the policy's CEL condition — which are parsed only after a signature verified.
//
// Properties: canonical forms of references and digests round-trip; verification is deterministic (checked on one
// input in eight); and flipping a byte of a payload that verified makes it fail (the signature covers every
// byte).

import CountersignEncoding
internal import Crypto
internal import Foundation

@testable internal import CountersignCore
@testable internal import CountersignSupplyChain

/// The trusted key: an Ed25519 key made from a fixed seed, for the fuzzer only (swift-crypto 3 does not mark keys
/// `Sendable`; this one is only read).
nonisolated(unsafe) let signingKey = try! Curve25519.Signing.PrivateKey(
    rawRepresentation: [UInt8](repeating: 7, count: 32))
let publicKeyPEM =
    "-----BEGIN PUBLIC KEY-----\n"
    + Data(PublicKey.ed25519Prefix + Array(signingKey.publicKey.rawRepresentation)).base64EncodedString()
    + "\n-----END PUBLIC KEY-----\n"
/// Two ArtifactPolicies that together use every check: cosign signatures by the key (bound to the repository), and
/// provenance by the key with builders, source repositories, source refs and a condition. The subject is the
/// digest the seed corpus's statements and payloads name.
let policyText = """
    apiVersion: countersign.dev/v1alpha1
    kind: ArtifactPolicy
    metadata: { name: signed }
    spec:
      images: ["registry.example.com/*"]
      signatures: { keys: [fuzz.pub], matchDockerReference: true }
    ---
    apiVersion: countersign.dev/v1alpha1
    kind: ArtifactPolicy
    metadata: { name: built }
    spec:
      images: ["registry.example.com/*"]
      provenance:
        keys: [fuzz.pub]
        predicateTypes: ["https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"]
        builders: ["https://github.com/actions/runner/github-hosted"]
        sourceRepositories: ["https://github.com/acme/app"]
        sourceRefs: ["^refs/(heads/main|tags/v[0-9]+(\\\\.[0-9]+)*)$"]
        condition: "provenance.buildType.startsWith('https://') && size(provenance.sourceCommit) >= 7"
    """
let verifiers: [ArtifactVerifier] = {
    let bundle = try! PolicyLoader.load(sources: [("fuzz.yaml", policyText)])
    return ["signed", "built"].map { name in
        let policy = try! VerificationPolicy(
            policy: bundle.artifactPolicies[name]!, keys: ["fuzz.pub": publicKeyPEM])
        return ArtifactVerifier(policy: policy)
    }
}()
/// The public-good trusted root, whose logs no fuzzed note can have been signed by.
let publicGood = try! TrustedRoot.publicGood.get()
let subject = try! ImageReference(
    parsing: "registry.example.com/acme/app@sha256:" + String(repeating: "ab", count: 32))

func sign(_ message: [UInt8]) -> [UInt8] { Array(try! signingKey.signature(for: message)) }

/// `payload` as a registry would serve it signed by the trusted key: a cosign `.sig` layer (simple signing) and a
/// DSSE in-toto attestation. `signedBytes` is what the signatures cover (the payload itself, unless a test
/// tampers with it after signing).
func material(_ payload: [UInt8], signedBytes: [UInt8]? = nil) -> ArtifactMaterial {
    let signed = signedBytes ?? payload
    let type = DSSEEnvelope.inTotoPayloadType
    let envelope = DSSEEnvelope(
        payloadType: type, payload: payload,
        signatures: [.init(keyID: "fuzz", signature: sign(DSSEEnvelope.pae(payloadType: type, payload: signed)))])
    let layer = SignatureLayer(payload: payload, signature: Base64.encode(sign(signed)), source: "fuzz")
    return ArtifactMaterial(
        signatures: [layer], attestations: [AttestationCandidate(envelope: envelope, source: "fuzz")])
}

func summary(_ result: VerificationResult) -> String {
    "\(result.verdict) " + result.checks.map { "\($0.name) \($0.passed) \($0.detail)" }.joined(separator: "|")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    if let reference = try? ImageReference(parsing: text) {
        // The canonical form must read back to the same reference.
        guard let again = try? ImageReference(parsing: reference.canonical), again == reference else {
            fatalError("canonical form does not round-trip: \(text)")
        }
    }
    if let digest = try? Digest(parsing: text), digest.description != text {
        fatalError("a digest parsed from non-canonical text: \(text)")
    }
    _ = try? JSONValue.document(input, what: "fuzz")
    _ = try? DSSEEnvelope(parsing: input)
    if let statement = try? InTotoStatement(parsing: input) { _ = try? SLSAProvenance(statement: statement) }
    _ = try? SimpleSigningPayload(parsing: input)
    _ = try? SigstoreBundle(parsing: input)
    _ = try? TrustedRoot(json: input, source: "fuzz")
    _ = try? DockerConfig.credentials(json: input, source: "fuzz")
    if let log = publicGood.transparencyLogs.first,
        (try? SignedCheckpoint(verifying: text, log: log, strictOrigin: false)) != nil,
        let blank = input.firstIndex(of: 0x0A)
    {
        // A checkpoint the log really signed (the seed corpus holds one): any change to its first line breaks it.
        var tampered = input
        tampered[blank / 2] ^= 0x01
        require(
            (try? SignedCheckpoint(
                verifying: String(decoding: tampered, as: UTF8.self), log: log, strictOrigin: false)) == nil,
            "a checkpoint changed after signing still verified")
    }
    _ = try? Manifest(parsing: input, digest: Digest.of(input), contentType: nil)
    _ = try? PublicKey(pem: text, name: "fuzz")
    _ = try? PublicKey(der: input, name: "fuzz")
    _ = AuthChallenge(header: text)
    _ = try? Base64.decode(text, what: "fuzz")

    // As an unsigned `.att` blob: rejected, whatever it holds, and without a trap.
    for verifier in verifiers {
        let raw = verifier.verify(
            subject,
            material: ArtifactMaterial(attestations: [AttestationCandidate(envelopeJSON: input, source: "fuzz")]))
        require(raw.verdict == .rejected, "an unsigned attestation verified: \(summary(raw))")
    }

    // Signed by the trusted key: only JSON objects can be statements or simple-signing payloads.
    guard input.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else { return 0 }
    let signed = material(input)
    for verifier in verifiers {
        let result = verifier.verify(subject, material: signed)
        if input.count % 8 == 0 {  // one input in eight (by length): a verification is most of an execution
            let again = verifier.verify(subject, material: signed)
            require(summary(result) == summary(again), "verifying the same material twice gave different results")
        }
        guard result.verdict == .verified else { continue }
        var tampered = input
        tampered[tampered.count / 2] ^= 0x01
        let forged = verifier.verify(subject, material: material(tampered, signedBytes: input))
        require(forged.verdict == .rejected, "a payload changed after signing still verified: \(summary(forged))")
    }
    return 0
}
