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
        case invalid(String)
    }
    let content: Content
    /// Where it came from, for messages.
    public let source: String

    /// An `.att` layer's blob: the DSSE envelope JSON.
    public init(envelopeJSON: [UInt8], source: String) {
        content = .raw(envelopeJSON)
        self.source = source
    }

    public init(envelope: DSSEEnvelope, source: String) {
        content = .envelope(envelope)
        self.source = source
    }

    init(invalid reason: String, source: String) {
        content = .invalid(reason)
        self.source = source
    }
}
