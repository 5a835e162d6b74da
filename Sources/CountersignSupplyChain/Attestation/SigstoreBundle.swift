internal import CountersignEncoding

/// A Sigstore bundle (v0.3, and the `+json;version=0.x` spellings before it), as cosign v3 stores it in a
/// referrer. Key-signed bundles are supported: `verificationMaterial.publicKey` with a DSSE envelope, verified
/// like any attestation envelope. Certificate-bearing (keyless) bundles are recognised and refused with that
/// reason until the keyless verifier (``KeylessTrustRoot``) lands.
public struct SigstoreBundle: Sendable {
    public let mediaType: String
    public let envelope: DSSEEnvelope
    /// The key hint of `verificationMaterial.publicKey`, informative only.
    public let keyHint: String?

    static let acceptedMediaTypes: Set<String> = [
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
    ]

    public init(parsing bytes: [UInt8]) throws(SupplyChainError) {
        let json = try JSONValue.document(bytes, what: "the Sigstore bundle", maxDepth: 24)
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the Sigstore bundle \(why)")
        }
        guard let type = json["mediaType"]?.stringValue, SigstoreBundle.acceptedMediaTypes.contains(type) else {
            throw fail(
                "has media type '\(json["mediaType"]?.stringValue?.prefix(100) ?? "none")', not a bundle v0.1–v0.3")
        }
        guard let material = json["verificationMaterial"], material.objectMembers != nil else {
            throw fail("has no verificationMaterial")
        }
        if material["certificate"] != nil || material["x509CertificateChain"] != nil {
            throw fail("is certificate-signed (keyless); keyless verification is not enabled")
        }
        guard let publicKey = material["publicKey"] else { throw fail("names no public key") }
        guard let envelope = json["dsseEnvelope"] else {
            if json["messageSignature"] != nil {
                throw fail("holds a message signature; only DSSE bundles are verified")
            }
            throw fail("holds no dsseEnvelope")
        }
        mediaType = type
        keyHint = publicKey["hint"]?.stringValue
        self.envelope = try DSSEEnvelope(json: envelope)
    }
}
