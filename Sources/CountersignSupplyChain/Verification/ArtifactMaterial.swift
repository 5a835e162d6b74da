/// Everything found in a registry about one digest: legacy `.sig` layers and attestation envelopes (from `.att`
/// layers and Sigstore bundles), plus notes on where the client looked. The verifier judges it without I/O, so
/// verification is a pure function of (policy, digest, material).
public struct ArtifactMaterial: Sendable {
    public var signatures: [SignatureLayer]
    public var attestations: [AttestationCandidate]
    /// Discovery notes ("no sha256-….sig tag"), shown when nothing usable was found.
    public var notes: [String]

    public init(signatures: [SignatureLayer] = [], attestations: [AttestationCandidate] = [], notes: [String] = []) {
        self.signatures = signatures
        self.attestations = attestations
        self.notes = notes
    }
}

/// One attestation as found: the raw envelope bytes of an `.att` layer, an envelope taken from a Sigstore
/// bundle, or why the bundle could not be used.
public struct AttestationCandidate: Sendable {
    enum Content: Sendable {
        case raw([UInt8])
        case envelope(DSSEEnvelope)
        /// A certificate-signed (keyless) bundle: a cosign v3 signature or attestation, a GitHub attestation.
        case bundle(SigstoreBundle)
        case invalid(String)
    }
    let content: Content
    /// Where it came from, for messages.
    public let source: String
    /// A keyless `.att` layer's certificate and Rekor bundle annotations.
    let certificate: String?
    let rekorBundle: [UInt8]?
    /// For a keyless candidate, what keyless verification came to (``RegistryVerifier`` fills it in).
    public var keyless: KeylessVerdict?

    /// The envelope, however it came.
    var envelope: DSSEEnvelope? {
        switch content {
        case .envelope(let e): e
        case .bundle(let b): b.envelope
        case .raw(let bytes): try? DSSEEnvelope(parsing: bytes)
        case .invalid: nil
        }
    }

    /// Whether it is certificate-signed: a keyless bundle, or an `.att` layer with a certificate.
    var isKeyless: Bool {
        if case .bundle = content { return true }
        return certificate != nil
    }

    /// The cosign v3 signature this candidate is — a bundle's DSSE statement of the cosign/sign predicate, key-signed
    /// or keyless — or nil: a signature, counted as one, never provenance.
    var cosignSignature: (envelope: DSSEEnvelope, statement: InTotoStatement)? {
        switch content {
        case .envelope, .bundle:
            guard let envelope, let statement = try? InTotoStatement(parsing: envelope.payload),
                statement.predicateType == ArtifactVerifier.cosignSignPredicate
            else { return nil }
            return (envelope, statement)
        case .raw, .invalid: return nil
        }
    }

    /// The candidate as the keyless bundle it amounts to, when it is one.
    func keylessBundle() throws(SupplyChainError) -> SigstoreBundle? {
        switch content {
        case .bundle(let bundle): return bundle
        case .raw(let bytes):
            guard let certificate else { return nil }
            return try SigstoreBundle.cosign(
                certificatePEM: certificate, rekorBundle: rekorBundle, timestamp: nil,
                content: .dsse(try DSSEEnvelope(parsing: bytes)))
        default: return nil
        }
    }

    /// A keyless bundle from a referrer.
    init(bundle: SigstoreBundle, source: String) {
        content = .bundle(bundle)
        self.source = source
        certificate = nil
        rekorBundle = nil
    }

    /// An `.att` layer's blob with its certificate and Rekor bundle annotations (keyless `cosign attest`).
    init(envelopeJSON: [UInt8], certificate: String?, rekorBundle: [UInt8]?, source: String) {
        content = .raw(envelopeJSON)
        self.source = source
        self.certificate = certificate
        self.rekorBundle = rekorBundle
    }

    /// An `.att` layer's blob: the DSSE envelope JSON.
    public init(envelopeJSON: [UInt8], source: String) {
        self.init(envelopeJSON: envelopeJSON, certificate: nil, rekorBundle: nil, source: source)
    }

    public init(envelope: DSSEEnvelope, source: String) {
        content = .envelope(envelope)
        self.source = source
        certificate = nil
        rekorBundle = nil
    }

    init(invalid reason: String, source: String) {
        content = .invalid(reason)
        self.source = source
        certificate = nil
        rekorBundle = nil
    }
}
