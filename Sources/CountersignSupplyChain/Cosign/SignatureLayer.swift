/// One legacy cosign signature as found in a `sha256-<hex>.sig` manifest: the payload blob (already checked
/// against its descriptor's digest by the registry client) and the base64 signature from the layer annotation
/// `dev.cosignproject.cosign/signature`.
public struct SignatureLayer: Sendable, Hashable {
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    public static let certificateAnnotation = "dev.sigstore.cosign/certificate"
    public static let chainAnnotation = "dev.sigstore.cosign/chain"
    public static let bundleAnnotation = "dev.sigstore.cosign/bundle"
    public static let timestampAnnotation = "dev.sigstore.cosign/rfc3161timestamp"

    /// The exact payload bytes that were signed.
    public let payload: [UInt8]
    /// The annotation's text, standard base64 of a DER (or raw) signature.
    public let signature: String
    /// A PEM certificate (keyless / BYO PKI), kept for the keyless verifier.
    public let certificate: String?
    /// The PEM chain and the Rekor bundle annotations, for the keyless verifier.
    public let chain: String?
    public let transparencyLogEntry: [UInt8]?
    /// The RFC 3161 timestamp annotation (`{"SignedRFC3161Timestamp": …}`).
    public let timestamp: [UInt8]?
    /// Where it came from, for messages: `127.0.0.1:5000/demo/app:sha256-….sig layer 1`.
    public let source: String
    /// For a certificate-bearing layer, what keyless verification came to (``RegistryVerifier`` fills it in against
    /// the policy's trusted root; the pure verifier reads it).
    public var keyless: KeylessVerdict?

    public init(
        payload: [UInt8], signature: String, certificate: String? = nil, chain: String? = nil,
        transparencyLogEntry: [UInt8]? = nil, timestamp: [UInt8]? = nil, source: String
    ) {
        self.payload = payload
        self.signature = signature
        self.certificate = certificate
        self.chain = chain
        self.transparencyLogEntry = transparencyLogEntry
        self.timestamp = timestamp
        self.source = source
    }

    /// The layer as the keyless bundle it amounts to, when it carries a certificate.
    func keylessBundle() throws(SupplyChainError) -> SigstoreBundle? {
        guard let certificate else { return nil }
        let signature = try Base64.decode(self.signature, what: "the signature annotation")
        return try SigstoreBundle.cosign(
            certificatePEM: certificate, rekorBundle: transparencyLogEntry, timestamp: timestamp,
            content: .message(digest: Digest.of(payload).bytes, signature: signature))
    }
}
