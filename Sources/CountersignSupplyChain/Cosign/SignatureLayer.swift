/// One legacy cosign signature as found in a `sha256-<hex>.sig` manifest: the payload blob (already checked
/// against its descriptor's digest by the registry client) and the base64 signature from the layer annotation
/// `dev.cosignproject.cosign/signature`.
public struct SignatureLayer: Sendable, Hashable {
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    public static let certificateAnnotation = "dev.sigstore.cosign/certificate"

    /// The exact payload bytes that were signed.
    public let payload: [UInt8]
    /// The annotation's text, standard base64 of a DER (or raw) signature.
    public let signature: String
    /// A PEM certificate (keyless / BYO PKI), kept for the keyless verifier.
    public let certificate: String?
    /// Where it came from, for messages: `127.0.0.1:5000/demo/app:sha256-….sig layer 1`.
    public let source: String

    public init(payload: [UInt8], signature: String, certificate: String? = nil, source: String) {
        self.payload = payload
        self.signature = signature
        self.certificate = certificate
        self.source = source
    }
}
