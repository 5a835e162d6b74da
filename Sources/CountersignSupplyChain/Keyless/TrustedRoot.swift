internal import CountersignEncoding
public import Foundation
internal import SwiftASN1
public import X509

/// What keyless verification trusts, in Sigstore's `trusted_root.json` form (`dev.sigstore.trustroot.v1.TrustedRoot`):
/// the transparency logs (Rekor v1 and v2), the certificate authorities that issue signing certificates (Fulcio),
/// the certificate-transparency logs whose SCTs those certificates carry, and the RFC 3161 timestamp authorities.
/// Each with the period it is trusted for — a closed interval, as the format says.
///
/// ``publicGood`` is Sigstore's public-good instance, shipped with Countersign; staging and private instances come
/// from a file (`--trusted-root`). Read strictly, with the JSON reader every document goes through: a log without
/// its key, id or start of validity is an error (a key trusted from the beginning of time is not what anyone
/// published); a log or authority whose key type Countersign cannot use is left out, which only trusts less.
public struct TrustedRoot: Sendable {
    /// `[start, end]`; no end is open.
    public struct Validity: Sendable, Hashable {
        public let start: Date
        public let end: Date?
        public func contains(_ time: Date) -> Bool { start <= time && end.map { time <= $0 } ?? true }
    }

    /// A transparency log (Rekor) or certificate-transparency log: its key, the id entries and SCTs name it by, and
    /// the host its checkpoints are signed as (Rekor v2 checkpoints name it as their origin).
    public struct Log: Sendable {
        public let baseURL: String
        public let host: String
        /// `logId.keyId` as the root gives it: SHA-256 of the key's SPKI for Rekor v1 and CT logs, the signed-note
        /// key id for Rekor v2 — never recomputed, since the two differ.
        public let logID: [UInt8]
        public let key: PublicKey
        public let validity: Validity
    }

    /// A certificate authority (Fulcio) or timestamp authority: its chain, first certificate the one that issues (or,
    /// for a TSA, signs), the trust anchor last.
    public struct Authority: Sendable {
        public let uri: String?
        public let chain: [Certificate]
        public let validity: Validity
    }

    public let transparencyLogs: [Log]
    public let certificateTransparencyLogs: [Log]
    public let certificateAuthorities: [Authority]
    public let timestampAuthorities: [Authority]

    static let mediaTypes: Set<String> = [
        "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "application/vnd.dev.sigstore.trustedroot.v0.1+json", "application/vnd.dev.sigstore.trustedroot.v0.2+json",
    ]

    /// The largest trusted root read: the public-good one is 7 KB.
    static let maxBytes = 1 << 20

    /// Reads a `trusted_root.json`; `source` names it in messages.
    public init(json bytes: [UInt8], source: String) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.invalidConfiguration, "trusted root \(source): \(why)")
        }
        guard bytes.count <= Self.maxBytes else { throw fail("is larger than 1 MiB") }
        let json: JSONValue
        do { json = try JSONValue.document(bytes, what: "the document", maxDepth: 16) } catch {
            throw fail(error.reason)
        }
        guard json.objectMembers != nil else { throw fail("is not a JSON object") }
        guard let type = json["mediaType"]?.stringValue, Self.mediaTypes.contains(type) else {
            throw fail("media type '\(json["mediaType"]?.stringValue ?? "none")' is not a Sigstore trusted root")
        }
        transparencyLogs = try Self.logs(json["tlogs"], "tlogs", fail)
        certificateTransparencyLogs = try Self.logs(json["ctlogs"], "ctlogs", fail)
        certificateAuthorities = try Self.authorities(json["certificateAuthorities"], "certificateAuthorities", fail)
        timestampAuthorities = try Self.authorities(json["timestampAuthorities"], "timestampAuthorities", fail)
    }

    /// Reads a `trusted_root.json` file.
    public init(contentsOf path: String) throws(SupplyChainError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SupplyChainError(.invalidConfiguration, "trusted root \(path): cannot be read")
        }
        try self.init(json: [UInt8](data), source: path)
    }

    /// Sigstore's public-good instance (rekor.sigstore.dev, fulcio.sigstore.dev, its CT logs and timestamp
    /// authority), as its TUF repository published it (``PublicGoodTrustedRoot``).
    public static let publicGood: Result<TrustedRoot, SupplyChainError> = Result { () throws(SupplyChainError) in
        try TrustedRoot(json: Array(PublicGoodTrustedRoot.json.utf8), source: "(public-good)")
    }

    /// A list member that is absent or `null` reads as empty (protobuf JSON writes nulls for unset fields).
    static func list(_ value: JSONValue?, _ field: String, _ fail: (String) -> SupplyChainError)
        throws(SupplyChainError)
        -> [JSONValue]
    {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else { throw fail("\(field) is not a list") }
        guard items.count <= 64 else { throw fail("\(field) lists \(items.count) entries (at most 64)") }
        return items
    }

    static func validity(_ value: JSONValue?, _ what: String, _ fail: (String) -> SupplyChainError)
        throws(SupplyChainError) -> Validity
    {
        guard let value, value != .null else { throw fail("\(what) has no validFor") }
        guard let startText = value["start"]?.stringValue else {
            throw fail("\(what) has no validFor.start: a key trusted from the beginning of time was never published")
        }
        guard let start = RFC3339.date(startText) else {
            throw fail("\(what): validFor.start '\(startText)' is not a time")
        }
        var end: Date? = nil
        if let endValue = value["end"], endValue != .null {
            guard let text = endValue.stringValue, let time = RFC3339.date(text) else {
                throw fail("\(what): validFor.end is not a time")
            }
            guard time >= start else { throw fail("\(what): validFor ends before it starts") }
            end = time
        }
        return Validity(start: start, end: end)
    }

    static func logs(_ value: JSONValue?, _ field: String, _ fail: (String) -> SupplyChainError)
        throws(SupplyChainError) -> [Log]
    {
        var out: [Log] = []
        for (n, item) in try list(value, field, fail).enumerated() {
            let what = "\(field)[\(n)]"
            let baseURL = item["baseUrl"]?.stringValue ?? ""
            if let algorithm = item["hashAlgorithm"]?.stringValue, algorithm != "SHA2_256" {
                throw fail("\(what) hashes with \(algorithm); only SHA2_256 logs exist")
            }
            guard let keyID = item["logId"]?["keyId"]?.stringValue else { throw fail("\(what) has no logId.keyId") }
            let logID = try decode(keyID, "\(what).logId.keyId", fail)
            guard logID.count == 32 else { throw fail("\(what).logId.keyId is \(logID.count) bytes, not 32") }
            guard let publicKey = item["publicKey"], let raw = publicKey["rawBytes"]?.stringValue else {
                throw fail("\(what) has no publicKey.rawBytes")
            }
            let validity = try validity(publicKey["validFor"], what, fail)
            let details = publicKey["keyDetails"]?.stringValue ?? ""
            let der = try decode(raw, "\(what).publicKey.rawBytes", fail)
            // A key of a type Countersign cannot verify with is left out: trusting less is safe.
            guard let key = try? PublicKey(der: der, name: Self.host(baseURL) ?? what) else {
                if Self.knownKeyDetails.contains(details) { throw fail("\(what): its \(details) key cannot be read") }
                continue
            }
            out.append(
                Log(baseURL: baseURL, host: Self.host(baseURL) ?? "", logID: logID, key: key, validity: validity))
        }
        return out
    }

    /// Key types Countersign verifies with; a key of one of these that does not read is a broken root, not an
    /// unsupported one.
    static let knownKeyDetails: Set<String> = [
        "PKIX_ECDSA_P256_SHA_256", "PKIX_ECDSA_P384_SHA_384", "PKIX_ECDSA_P384_SHA_256", "PKIX_ED25519",
        "PKIX_RSA_PKCS1V15_2048_SHA256", "PKIX_RSA_PKCS1V15_3072_SHA256", "PKIX_RSA_PKCS1V15_4096_SHA256",
        "PKIX_RSA_PKCS1V5", "PKCS1_RSA_PKCS1V5",
    ]

    static func authorities(_ value: JSONValue?, _ field: String, _ fail: (String) -> SupplyChainError)
        throws(SupplyChainError) -> [Authority]
    {
        var out: [Authority] = []
        for (n, item) in try list(value, field, fail).enumerated() {
            let what = "\(field)[\(n)]"
            let certificates = try list(item["certChain"]?["certificates"], "\(what).certChain.certificates", fail)
            guard !certificates.isEmpty else { throw fail("\(what) has an empty certificate chain") }
            var chain: [Certificate] = []
            for (i, c) in certificates.enumerated() {
                guard let raw = c["rawBytes"]?.stringValue else {
                    throw fail("\(what) certificate \(i) has no rawBytes")
                }
                let der = try decode(raw, "\(what) certificate \(i)", fail)
                do { chain.append(try Certificate(derEncoded: der)) } catch {
                    throw fail("\(what) certificate \(i) is not an X.509 certificate")
                }
            }
            out.append(
                Authority(
                    uri: item["uri"]?.stringValue, chain: chain, validity: try validity(item["validFor"], what, fail)))
        }
        return out
    }

    static func decode(_ text: String, _ what: String, _ fail: (String) -> SupplyChainError) throws(SupplyChainError)
        -> [UInt8]
    {
        do { return try Base64.decode(text, what: what) } catch { throw fail(error.reason) }
    }

    /// The host of a base URL (`https://log2025-1.rekor.sigstore.dev` → `log2025-1.rekor.sigstore.dev`).
    static func host(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            return nil
        }
        return host
    }

    /// The log a transparency-log entry or SCT names, by id.
    func transparencyLog(_ id: [UInt8]) -> Log? { transparencyLogs.first { $0.logID == id } }
    func certificateTransparencyLog(_ id: [UInt8]) -> Log? { certificateTransparencyLogs.first { $0.logID == id } }
}
