internal import Crypto
internal import Foundation
internal import SwiftASN1
internal import X509

/// One embedded SCT and the exact bytes its log signed (RFC 6962 §3.2 digitally-signed struct for a precert entry).
///
/// A Fulcio leaf carries the SCTs its CT log(s) issued for the *precertificate*; the log signed a reconstruction of
/// that precertificate (the leaf's TBSCertificate without the SCT-list extension) bound to the issuer's key. This type
/// does the reconstruction once, at parse time, so verification is a single signature check over `signedData`.
struct EmbeddedSCT: Sendable, Hashable {
    /// The log's id: SHA-256 of its key, 32 bytes.
    let logID: [UInt8]
    /// Milliseconds since the epoch.
    let timestamp: UInt64
    let extensions: [UInt8]
    /// TLS HashAlgorithm (4 = sha256).
    let hashAlgorithm: UInt8
    /// TLS SignatureAlgorithm (1 = rsa, 3 = ecdsa).
    let signatureAlgorithm: UInt8
    /// DER ECDSA or RSA PKCS#1 v1.5 signature bytes.
    let signature: [UInt8]
    /// What the log signed: version, type, timestamp, entry_type = 1, issuer_key_hash, u24 TBS, u16 extensions.
    let signedData: [UInt8]

    /// OID of the X.509v3 extension holding a `SignedCertificateTimestampList` (RFC 6962 §3.3).
    static let sctListExtensionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 4, 2]

    /// TLS `HashAlgorithm.sha256` (RFC 5246 §7.4.1.4.1): RFC 6962 §2.1.4 allows logs no other hash.
    static let hashSHA256: UInt8 = 4
    /// TLS `SignatureAlgorithm.rsa`.
    static let signatureRSA: UInt8 = 1
    /// TLS `SignatureAlgorithm.ecdsa`.
    static let signatureECDSA: UInt8 = 3

    /// Every SCT embedded in `leaf`, issued by `issuer` (for the issuer key hash: SHA-256 of the issuer's
    /// SubjectPublicKeyInfo DER). Throws ``SupplyChainError`` naming the field on a
    /// malformed list; returns [] when the leaf has no SCT extension.
    ///
    /// `issuer` must be the certificate whose key signed the precertificate. If the leaf was issued by a dedicated
    /// precertificate-signing certificate (EKU 1.3.6.1.4.1.11129.2.4.4), RFC 6962 §3.2 says the hash is of *that
    /// cert's issuer*, so the caller passes the next certificate up instead.
    ///
    /// SCTs whose version is not v1 are skipped, not rejected: the list length-prefixes each SCT precisely so that
    /// old clients can step over versions they do not understand (RFC 6962 §3.3).
    static func all(in leaf: Certificate, issuer: Certificate) throws -> [EmbeddedSCT] {
        // Work on the TBS bytes exactly as they were parsed (swift-certificates keeps them), never a re-encoding of
        // the decoded certificate: the log signed the CA's bytes, and any re-encoding difference breaks the check.
        let split = try PrecertificateTBS(leafTBS: leaf.tbsCertificateBytes)
        guard let listBytes = split.sctList else { return [] }

        let issuerKeyHash = Array(SHA256.hash(data: try subjectPublicKeyInfoDER(of: issuer)))
        let tbs = split.tbsWithoutSCTList
        // The TBS is a u24-length-prefixed vector in the signed struct; a larger one cannot have been logged.
        guard tbs.count < 1 << 24 else {
            throw SupplyChainError(
                .malformedDocument, "precertificate TBS is \(tbs.count) bytes, more than a u24 length can carry")
        }

        return try parseSCTList(listBytes).map { parsed in
            var signed: [UInt8] = []
            signed.reserveCapacity(1 + 1 + 8 + 2 + 32 + 3 + tbs.count + 2 + parsed.extensions.count)
            signed.append(0)  // sct_version = v1
            signed.append(0)  // signature_type = certificate_timestamp
            appendBigEndian(parsed.timestamp, byteCount: 8, to: &signed)
            appendBigEndian(1, byteCount: 2, to: &signed)  // entry_type = precert_entry
            signed.append(contentsOf: issuerKeyHash)
            appendBigEndian(UInt64(tbs.count), byteCount: 3, to: &signed)
            signed.append(contentsOf: tbs)
            // Extensions are signed verbatim: Static-CT logs put the leaf index here, so dropping them breaks the check.
            appendBigEndian(UInt64(parsed.extensions.count), byteCount: 2, to: &signed)
            signed.append(contentsOf: parsed.extensions)
            return EmbeddedSCT(
                logID: parsed.logID, timestamp: parsed.timestamp, extensions: parsed.extensions,
                hashAlgorithm: parsed.hashAlgorithm, signatureAlgorithm: parsed.signatureAlgorithm,
                signature: parsed.signature, signedData: signed)
        }
    }

    // MARK: - Certificate structure

    /// The issuer's SubjectPublicKeyInfo exactly as encoded in its certificate. `Certificate.PublicKey` is a decoded
    /// key that re-serializes in a canonical form (and `subjectPublicKeyInfoBytes` is only the BIT STRING contents),
    /// whereas the log hashed the CA's own bytes; so take the element out of the parsed TBS.
    private static func subjectPublicKeyInfoDER(of certificate: Certificate) throws -> ArraySlice<UInt8> {
        let root = try derNode(certificate.tbsCertificateBytes, what: "issuer TBSCertificate")
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw SupplyChainError(.malformedDocument, "issuer TBSCertificate is not a SEQUENCE")
        }
        // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject,
        // subjectPublicKeyInfo, ... } (RFC 5280 §4.1): the key is the sixth field after the optional version.
        var fields = Array(children)[...]
        if let first = fields.first, first.identifier == versionTag { fields = fields.dropFirst() }
        let fieldsBeforeKey = 5
        guard fields.count > fieldsBeforeKey else {
            throw SupplyChainError(.malformedDocument, "issuer TBSCertificate has no subjectPublicKeyInfo")
        }
        let spki = fields[fields.startIndex + fieldsBeforeKey]
        guard spki.identifier == .sequence else {
            throw SupplyChainError(.malformedDocument, "issuer subjectPublicKeyInfo is not a SEQUENCE")
        }
        return spki.encodedBytes
    }

    private static let versionTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)

    /// A leaf's TBSCertificate split into what the CT log signed and the SCT list that was added afterwards.
    private struct PrecertificateTBS {
        /// The TBS re-encoded without the SCT-list extension: every other element byte-identical, only the
        /// enclosing lengths recomputed (what RFC 6962 §3.2 calls the `tbs_certificate` of a precert entry).
        var tbsWithoutSCTList: [UInt8] = []
        /// The TLS-encoded `SignedCertificateTimestampList`, or nil when the leaf has no SCT extension.
        var sctList: ArraySlice<UInt8>?

        init(leafTBS: ArraySlice<UInt8>) throws {
            let root = try derNode(leafTBS, what: "leaf TBSCertificate")
            guard root.identifier == .sequence, case .constructed(let fields) = root.content else {
                throw SupplyChainError(.malformedDocument, "leaf TBSCertificate is not a SEQUENCE")
            }
            var found: ArraySlice<UInt8>?
            var sawExtensions = false
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { tbs in
                for field in fields {
                    guard field.identifier == EmbeddedSCT.extensionsTag else {
                        // Copy untouched fields as their original encoding, not a re-serialization of the parse tree.
                        tbs.serializeRawBytes(field.encodedBytes)
                        continue
                    }
                    // swift-certificates would not have parsed such a certificate, but a TBS is only bytes here.
                    guard !sawExtensions else {
                        throw SupplyChainError(.malformedDocument, "leaf TBSCertificate has two extensions fields")
                    }
                    sawExtensions = true
                    found = try Self.rewriteExtensions(field, into: &tbs)
                }
            }
            self.tbsWithoutSCTList = coder.serializedBytes
            self.sctList = found
        }

        /// Writes `[3] EXPLICIT Extensions` minus the SCT-list extension into `coder`, returning that extension's
        /// TLS payload (nil if absent). If it was the only extension the field is omitted entirely, because
        /// `Extensions` is `SIZE (1..MAX)` (RFC 5280 §4.1) and an empty wrapper would not be valid DER for it.
        private static func rewriteExtensions(
            _ field: ASN1Node, into coder: inout DER.Serializer
        ) throws -> ArraySlice<UInt8>? {
            guard case .constructed(let wrapper) = field.content else {
                throw SupplyChainError(.malformedDocument, "leaf extensions field is not constructed")
            }
            var wrapped = wrapper.makeIterator()
            guard let list = wrapped.next(), wrapped.next() == nil, list.identifier == .sequence,
                case .constructed(let extensions) = list.content
            else {
                throw SupplyChainError(.malformedDocument, "leaf extensions field is not exactly one SEQUENCE")
            }

            var kept: [ASN1Node] = []
            var sctList: ArraySlice<UInt8>?
            for candidate in extensions {
                // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
                guard candidate.identifier == .sequence, case .constructed(let parts) = candidate.content else {
                    throw SupplyChainError(.malformedDocument, "leaf extension is not a SEQUENCE")
                }
                let items = Array(parts)
                guard let first = items.first, let last = items.last, items.count == 2 || items.count == 3 else {
                    throw SupplyChainError(
                        .malformedDocument, "leaf extension has \(items.count) elements, expected 2 or 3")
                }
                let oid = try decoding("leaf extension ID") { try ASN1ObjectIdentifier(derEncoded: first) }
                guard oid == EmbeddedSCT.sctListExtensionOID else {
                    kept.append(candidate)
                    continue
                }
                // A second copy would make "the" SCT list ambiguous; X.509 forbids repeated extensions anyway.
                guard sctList == nil else {
                    throw SupplyChainError(.malformedDocument, "leaf has more than one SCT-list extension")
                }
                // extnValue is an OCTET STRING whose contents are the DER of another OCTET STRING (RFC 6962 §3.3
                // defines the extension value as `SignedCertificateTimestampList ::= OCTET STRING`).
                sctList = try decoding("SCT extension value") {
                    let extnValue = try ASN1OctetString(derEncoded: last)
                    return try ASN1OctetString(derEncoded: extnValue.bytes).bytes
                }
            }

            if !kept.isEmpty {
                coder.appendConstructedNode(identifier: EmbeddedSCT.extensionsTag) { wrapper in
                    wrapper.appendConstructedNode(identifier: .sequence) { list in
                        for item in kept { list.serializeRawBytes(item.encodedBytes) }
                    }
                }
            }
            return sctList
        }
    }

    /// `DER.parse` with the failure named after the structure being read.
    private static func derNode(_ bytes: ArraySlice<UInt8>, what: String) throws -> ASN1Node {
        try decoding(what) { try DER.parse(bytes) }
    }

    /// Runs a swift-asn1 decode, turning its error into a `SupplyChainError` that says which structure was bad, so callers
    /// see one error type from `all`.
    private static func decoding<T>(_ what: String, _ decode: () throws -> T) throws -> T {
        do {
            return try decode()
        } catch let error as SupplyChainError {
            throw error
        } catch {
            throw SupplyChainError(.malformedDocument, "\(what) is not valid DER: \(error)")
        }
    }

    // MARK: - TLS encoding

    /// The fields of one v1 SCT as they appear on the wire.
    private struct ParsedSCT {
        var logID: [UInt8]
        var timestamp: UInt64
        var extensions: [UInt8]
        var hashAlgorithm: UInt8
        var signatureAlgorithm: UInt8
        var signature: [UInt8]
    }

    /// Parses `struct { SerializedSCT sct_list<1..2^16-1>; }` with `opaque SerializedSCT<1..2^16-1>` (RFC 6962 §3.3).
    /// Every vector must be exactly filled: trailing bytes anywhere are an error, not something to ignore, so that two
    /// different byte strings never parse as the same list.
    private static func parseSCTList(_ bytes: ArraySlice<UInt8>) throws -> [ParsedSCT] {
        var outer = TLSReader(bytes)
        var list = TLSReader(try outer.vector(lengthBytes: 2, "SCT list"))
        try outer.expectEnd("SCT list")
        guard !list.isAtEnd else { throw SupplyChainError(.malformedDocument, "SCT list is empty") }

        var result: [ParsedSCT] = []
        while !list.isAtEnd {
            let serialized = try list.vector(lengthBytes: 2, "SCT")
            guard !serialized.isEmpty else { throw SupplyChainError(.malformedDocument, "SCT entry is empty") }
            if let sct = try parseSCT(serialized) { result.append(sct) }
        }
        return result
    }

    /// One `SignedCertificateTimestamp` (RFC 6962 §3.2), or nil for a version other than v1, whose layout after the
    /// version byte is unknown.
    private static func parseSCT(_ bytes: ArraySlice<UInt8>) throws -> ParsedSCT? {
        var reader = TLSReader(bytes)
        guard try reader.uint(byteCount: 1, "SCT version") == 0 else { return nil }
        let logID = try reader.bytes(32, "SCT log_id")
        let timestamp = try reader.uint(byteCount: 8, "SCT timestamp")
        let extensions = try reader.vector(lengthBytes: 2, "SCT extensions")
        // digitally-signed struct: SignatureAndHashAlgorithm, then opaque signature<0..2^16-1> (RFC 5246 §4.7).
        let hashAlgorithm = UInt8(try reader.uint(byteCount: 1, "SCT hash algorithm"))
        let signatureAlgorithm = UInt8(try reader.uint(byteCount: 1, "SCT signature algorithm"))
        let signature = try reader.vector(lengthBytes: 2, "SCT signature")
        try reader.expectEnd("SCT")
        return ParsedSCT(
            logID: Array(logID), timestamp: timestamp, extensions: Array(extensions),
            hashAlgorithm: hashAlgorithm, signatureAlgorithm: signatureAlgorithm, signature: Array(signature))
    }

    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to output: inout [UInt8]) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// A cursor over TLS presentation-language bytes. Every read checks the remaining count before touching the
    /// buffer and throws instead, so hostile lengths can neither trap nor read past the end.
    private struct TLSReader {
        private let buffer: ArraySlice<UInt8>
        private var position: Int

        init(_ buffer: ArraySlice<UInt8>) {
            self.buffer = buffer
            self.position = buffer.startIndex
        }

        var isAtEnd: Bool { position >= buffer.endIndex }
        private var remaining: Int { buffer.endIndex - position }

        mutating func bytes(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
            guard count >= 0, count <= remaining else {
                throw SupplyChainError(.malformedDocument, "\(what): needs \(count) bytes, only \(remaining) left")
            }
            defer { position += count }
            return buffer[position..<(position + count)]
        }

        /// A big-endian unsigned integer; callers ask for 1 to 8 bytes (more would only lose high bits, not trap).
        mutating func uint(byteCount: Int, _ what: String) throws -> UInt64 {
            try bytes(byteCount, what).reduce(0) { $0 << 8 | UInt64($1) }
        }

        /// A vector `<0..2^(8*lengthBytes)-1>`: its length prefix, then exactly that many bytes.
        mutating func vector(lengthBytes: Int, _ what: String) throws -> ArraySlice<UInt8> {
            let length = try uint(byteCount: lengthBytes, "\(what) length")
            // Lengths come from at most 3 bytes here, so they always fit in Int; compare before converting anyway.
            guard length <= UInt64(remaining) else {
                throw SupplyChainError(
                    .malformedDocument, "\(what): length \(length) exceeds the \(remaining) bytes left")
            }
            return try bytes(Int(length), what)
        }

        func expectEnd(_ what: String) throws {
            guard isAtEnd else {
                throw SupplyChainError(.malformedDocument, "\(what): \(remaining) unexpected trailing bytes")
            }
        }
    }
}
