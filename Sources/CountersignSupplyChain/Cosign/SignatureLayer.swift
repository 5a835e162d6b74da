/// One legacy cosign signature as found in a `sha256-<hex>.sig` manifest: the payload blob (already checked
/// against its descriptor's digest by the registry client) and the base64 signature from the layer annotation
/// `dev.cosignproject.cosign/signature`.
public struct SignatureLayer: Sendable, Hashable {
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    public static let certificateAnnotation = "dev.sigstore.cosign/certificate"
    public static let chainAnnotation = "dev.sigstore.cosign/chain"
    public static let bundleAnnotation = "dev.sigstore.cosign/bundle"

    /// The exact payload bytes that were signed.
    public let payload: [UInt8]
    /// The annotation's text, standard base64 of a DER (or raw) signature.
    public let signature: String
    /// A PEM certificate (keyless / BYO PKI), kept for the keyless verifier.
    public let certificate: String?
    /// The PEM chain and the Rekor bundle annotations, for the keyless verifier.
    public let chain: String?
    public let transparencyLogEntry: [UInt8]?
    /// Where it came from, for messages: `127.0.0.1:5000/demo/app:sha256-….sig layer 1`.
    public let source: String

    public init(
        payload: [UInt8], signature: String, certificate: String? = nil, chain: String? = nil,
        transparencyLogEntry: [UInt8]? = nil, source: String
    ) {
        self.payload = payload
        self.signature = signature
        self.certificate = certificate
        self.chain = chain
        self.transparencyLogEntry = transparencyLogEntry
        self.source = source
    }
}
