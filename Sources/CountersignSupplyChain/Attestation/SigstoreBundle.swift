internal import CountersignEncoding
internal import SwiftASN1
public import X509

/// A Sigstore bundle (`dev.sigstore.bundle.v1.Bundle`, media types v0.1 to v0.3): what was signed (a message digest
/// and its signature, or a DSSE envelope), the material to verify it with (a key hint, or a signing certificate), the
/// transparency-log entries that prove when and that it was logged, and RFC 3161 timestamps.
///
/// Parsing checks the shape the version requires and nothing cryptographic: v0.1 entries carry a signed entry
/// timestamp, v0.2 and later an inclusion proof; v0.3 carries a single certificate, never a chain. Everything a
/// verifier decides from is kept as the bytes the bundle holds.
public struct SigstoreBundle: Sendable {
    public enum Material: Sendable {
        /// A managed key, named by an unauthenticated hint.
        case publicKey(hint: String?)
        /// The signing (leaf) certificate: `certificate`, or the first of `x509CertificateChain` (the rest is
        /// ignored — trust comes from the trusted root, never from what the signer ships).
        case certificate(Certificate, der: [UInt8])
    }

    public enum Content: Sendable {
        /// A signature over the artifact's digest (`hashedrekord`).
        case message(digest: [UInt8], signature: [UInt8])
        case dsse(DSSEEnvelope)
    }

    /// One transparency-log entry.
    public struct LogEntry: Sendable {
        public struct InclusionProof: Sendable {
            public let logIndex: Int64
            public let rootHash: [UInt8]
            public let treeSize: Int64
            public let hashes: [[UInt8]]
            /// The signed checkpoint (a C2SP signed note), when present.
            public let checkpoint: String?
        }
        /// The entry's index in the whole log (Rekor v1: across shards; what the SET signs).
        public let logIndex: Int64
        public let logID: [UInt8]
        public let kind: String
        public let version: String
        public let integratedTime: Int64?
        public let signedEntryTimestamp: [UInt8]?
        public let inclusionProof: InclusionProof?
        /// `canonicalizedBody`: the leaf's bytes.
        public let body: [UInt8]
    }

    public let mediaType: String
    /// The minor version: 1, 2 or 3.
    public let version: Int
    public let material: Material
    public let content: Content
    public let logEntries: [LogEntry]
    /// DER `TimeStampResp`s over the signature.
    public let timestamps: [[UInt8]]

    /// The envelope of a DSSE bundle.
    public var envelope: DSSEEnvelope? {
        if case .dsse(let envelope) = content { return envelope }
        return nil
    }

    /// The signature bytes: what RFC 3161 timestamps and log entries vouch for.
    public var signature: [UInt8] {
        switch content {
        case .message(_, let signature): signature
        case .dsse(let envelope): envelope.signatures.first?.signature ?? []
        }
    }

    static let mediaTypes: [String: Int] = [
        "application/vnd.dev.sigstore.bundle.v0.3+json": 3,
        "application/vnd.dev.sigstore.bundle+json;version=0.3": 3,
        "application/vnd.dev.sigstore.bundle+json;version=0.2": 2,
        "application/vnd.dev.sigstore.bundle+json;version=0.1": 1,
    ]

    /// The most log entries and timestamps one bundle may carry: more is a resource attack, not evidence.
    static let maxEntries = 8
    static let maxTimestamps = 32
    /// The largest bundle read (a DSSE provenance bundle is tens of kilobytes).
    public static let maxBytes = 4 << 20

    public init(parsing bytes: [UInt8]) throws(SupplyChainError) {
        guard bytes.count <= Self.maxBytes else {
            throw SupplyChainError(.tooLarge, "the Sigstore bundle is larger than \(Self.maxBytes >> 20) MiB")
        }
        let json = try JSONValue.document(bytes, what: "the Sigstore bundle", maxDepth: 24)
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the Sigstore bundle \(why)")
        }
        guard json.objectMembers != nil else { throw fail("is not a JSON object") }
        guard let type = json["mediaType"]?.stringValue, let version = Self.mediaTypes[type] else {
            throw fail(
                "has media type '\(json["mediaType"]?.stringValue?.prefix(100) ?? "none")', not a bundle v0.1–v0.3")
        }
        mediaType = type
        self.version = version
        guard let material = json["verificationMaterial"], material.objectMembers != nil else {
            throw fail("has no verificationMaterial")
        }
        func decoded(_ value: JSONValue?, _ what: String) throws(SupplyChainError) -> [UInt8] {
            guard let text = value?.stringValue else { throw fail("has no \(what)") }
            return try Base64.decode(text, what: "the bundle's \(what)")
        }
        func certificate(_ der: [UInt8], _ what: String) throws(SupplyChainError) -> Material {
            do { return .certificate(try Certificate(derEncoded: der), der: der) } catch {
                throw fail("\(what) is not an X.509 certificate")
            }
        }
        if let leaf = material["certificate"], leaf != .null {
            self.material = try certificate(try decoded(leaf["rawBytes"], "certificate.rawBytes"), "certificate")
        } else if let chain = material["x509CertificateChain"], chain != .null {
            guard version < 3 else { throw fail("v0.3 carries a certificate, not an x509CertificateChain") }
            guard let first = chain["certificates"]?.arrayValue?.first else {
                throw fail("has an empty x509CertificateChain")
            }
            self.material = try certificate(
                try decoded(first["rawBytes"], "x509CertificateChain leaf"), "the chain's leaf")
        } else if let key = material["publicKey"], key != .null {
            self.material = .publicKey(hint: key["hint"]?.stringValue)
        } else {
            throw fail("names no certificate or public key")
        }

        if let envelope = json["dsseEnvelope"], envelope != .null {
            let parsed = try DSSEEnvelope(json: envelope)
            guard parsed.signatures.count == 1 else {
                throw fail("DSSE envelope carries \(parsed.signatures.count) signatures; a bundle's carries one")
            }
            content = .dsse(parsed)
        } else if let message = json["messageSignature"], message != .null {
            if let algorithm = message["messageDigest"]?["algorithm"]?.stringValue, algorithm != "SHA2_256" {
                throw fail("message digest is \(algorithm); only SHA2_256 is verified")
            }
            let digest = try decoded(message["messageDigest"]?["digest"], "messageDigest.digest")
            guard digest.count == 32 else { throw fail("message digest is \(digest.count) bytes, not 32") }
            content = .message(
                digest: digest, signature: try decoded(message["signature"], "messageSignature.signature"))
        } else {
            throw fail("holds neither a messageSignature nor a dsseEnvelope")
        }

        var entries: [LogEntry] = []
        let list = material["tlogEntries"].flatMap { $0 == .null ? nil : $0 }
        guard list == nil || list?.arrayValue != nil else { throw fail("tlogEntries is not a list") }
        let items = list?.arrayValue ?? []
        guard items.count <= Self.maxEntries else {
            throw fail("has \(items.count) transparency-log entries (at most \(Self.maxEntries))")
        }
        for (n, item) in items.enumerated() {
            let what = "tlogEntries[\(n)]"
            func int(_ value: JSONValue?, _ field: String) throws(SupplyChainError) -> Int64? {
                guard let value, value != .null else { return nil }
                // Protobuf JSON writes 64-bit integers as strings; numbers are accepted as parsers accept them.
                let parsed: Int64? =
                    value.stringValue.flatMap { Int64($0) }
                    ?? value.numberValue.flatMap { $0 == $0.rounded() && abs($0) < 9e15 ? Int64($0) : nil }
                guard let parsed else { throw fail("\(what).\(field) is not an integer") }
                guard parsed >= 0 else { throw fail("\(what).\(field) is negative") }
                return parsed
            }
            guard let logIndex = try int(item["logIndex"], "logIndex") else { throw fail("\(what) has no logIndex") }
            let kind = item["kindVersion"]?["kind"]?.stringValue ?? ""
            let kindVersion = item["kindVersion"]?["version"]?.stringValue ?? ""
            var proof: LogEntry.InclusionProof? = nil
            if let p = item["inclusionProof"], p != .null {
                guard let index = try int(p["logIndex"], "inclusionProof.logIndex"),
                    let size = try int(p["treeSize"], "inclusionProof.treeSize")
                else { throw fail("\(what).inclusionProof has no logIndex or treeSize") }
                let hashList = p["hashes"]?.arrayValue ?? []
                guard hashList.count <= 64 else { throw fail("\(what).inclusionProof has over 64 hashes") }
                var hashes: [[UInt8]] = []
                for h in hashList { hashes.append(try decoded(h, "\(what).inclusionProof hash")) }
                proof = LogEntry.InclusionProof(
                    logIndex: index, rootHash: try decoded(p["rootHash"], "\(what).inclusionProof.rootHash"),
                    treeSize: size, hashes: hashes, checkpoint: p["checkpoint"]?["envelope"]?.stringValue)
            }
            let promise = item["inclusionPromise"]?["signedEntryTimestamp"]
            let set = promise == nil || promise == .null ? nil : try decoded(promise, "\(what).signedEntryTimestamp")
            if version == 1, set == nil { throw fail("v0.1 \(what) has no inclusionPromise") }
            if version >= 2, proof == nil { throw fail("\(what) has no inclusionProof (v0.2 and later need one)") }
            entries.append(
                LogEntry(
                    logIndex: logIndex, logID: try decoded(item["logId"]?["keyId"], "\(what).logId.keyId"), kind: kind,
                    version: kindVersion, integratedTime: try int(item["integratedTime"], "integratedTime"),
                    signedEntryTimestamp: set, inclusionProof: proof,
                    body: try decoded(item["canonicalizedBody"], "\(what).canonicalizedBody")))
        }
        logEntries = entries

        var timestamps: [[UInt8]] = []
        let tokens = material["timestampVerificationData"]?["rfc3161Timestamps"]?.arrayValue ?? []
        guard tokens.count <= Self.maxTimestamps else {
            throw fail("has \(tokens.count) timestamps (at most \(Self.maxTimestamps))")
        }
        for (n, token) in tokens.enumerated() {
            let der = try decoded(token["signedTimestamp"], "rfc3161Timestamps[\(n)].signedTimestamp")
            guard !timestamps.contains(der) else { throw fail("repeats timestamp \(n)") }
            timestamps.append(der)
        }
        self.timestamps = timestamps
    }
}
