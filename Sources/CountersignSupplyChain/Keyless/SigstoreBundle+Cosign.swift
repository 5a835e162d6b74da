internal import CountersignEncoding
internal import SwiftASN1
internal import X509

extension SigstoreBundle {
    init(
        mediaType: String, version: Int, material: Material, content: Content, logEntries: [LogEntry],
        timestamps: [[UInt8]]
    ) {
        self.mediaType = mediaType
        self.version = version
        self.material = material
        self.content = content
        self.logEntries = logEntries
        self.timestamps = timestamps
    }

    /// A keyless signature or attestation as cosign stores it on a legacy `.sig` or `.att` layer, read as the bundle
    /// it amounts to: the certificate from `dev.sigstore.cosign/certificate`, the Rekor entry from
    /// `dev.sigstore.cosign/bundle` (`{"SignedEntryTimestamp", "Payload": {body, integratedTime, logIndex, logID}}`:
    /// a signed entry timestamp, no inclusion proof), RFC 3161 timestamps from `dev.sigstore.cosign/rfc3161timestamp`
    /// (`{"SignedRFC3161Timestamp": base64}`). The chain annotation is not read: trust comes from the trusted root.
    static func cosign(
        certificatePEM: String, rekorBundle: [UInt8]?, timestamp: [UInt8]?, content: Content
    ) throws(SupplyChainError) -> SigstoreBundle {
        func fail(_ why: String) -> SupplyChainError { SupplyChainError(.malformedDocument, "the cosign layer \(why)") }
        let certificate: Certificate
        let der: [UInt8]
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            der = serializer.serializedBytes
        } catch { throw fail("certificate annotation is not a PEM X.509 certificate") }
        var entries: [LogEntry] = []
        if let rekorBundle {
            let json = try JSONValue.document(rekorBundle, what: "the cosign Rekor bundle annotation", maxDepth: 8)
            let payload = json["Payload"]
            guard let set = json["SignedEntryTimestamp"]?.stringValue, let bodyText = payload?["body"]?.stringValue,
                let time = payload?["integratedTime"]?.numberValue, let index = payload?["logIndex"]?.numberValue,
                let logID = payload?["logID"]?.stringValue.flatMap(Hex.decode), time >= 0, index >= 0,
                time == time.rounded(), index == index.rounded(), time < 9e15, index < 9e15
            else { throw fail("Rekor bundle annotation lacks SignedEntryTimestamp or Payload fields") }
            let body = try Base64.decode(bodyText, what: "the Rekor bundle's body")
            let parsed = try JSONValue.document(body, what: "the Rekor entry body", maxDepth: 16)
            entries.append(
                LogEntry(
                    logIndex: Int64(index), logID: logID, kind: parsed["kind"]?.stringValue ?? "",
                    version: parsed["apiVersion"]?.stringValue ?? "", integratedTime: Int64(time),
                    signedEntryTimestamp: try Base64.decode(set, what: "the signed entry timestamp"),
                    inclusionProof: nil, body: body))
        }
        var timestamps: [[UInt8]] = []
        if let timestamp {
            let json = try JSONValue.document(timestamp, what: "the cosign timestamp annotation", maxDepth: 4)
            guard let token = json["SignedRFC3161Timestamp"]?.stringValue else {
                throw fail("timestamp annotation has no SignedRFC3161Timestamp")
            }
            timestamps.append(try Base64.decode(token, what: "the RFC 3161 timestamp"))
        }
        return SigstoreBundle(
            mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1", version: 1,
            material: .certificate(certificate, der: der), content: content, logEntries: entries,
            timestamps: timestamps)
    }
}
