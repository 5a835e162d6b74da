// RFC 3161 timestamp-token verification, exactly as Sigstore needs it.
//
// Sigstore bundles carry RFC 3161 `TimeStampResp` structures as proof that the bundle's signature
// existed at a point in time (`genTime`). Because Rekor v2 entries carry no integrated time, a
// verified genTime is often the only trusted time a verifier has, so every field that influences
// it must be checked. This file does that with:
//   * swift-asn1 for the DER structures of RFC 3161 (TimeStampResp, TSTInfo) and RFC 5652 (CMS
//     ContentInfo / SignedData / SignerInfo), declared below as small private types;
//   * swift-certificates for certificates, signature verification and path validation.
// swift-certificates' `@_spi(CMS)` API is deliberately not used: it is unstable and verifies CMS
// for other purposes than a TSA token.
//
// Standards: RFC 3161 (TSP) §2.4.2, RFC 5652 (CMS) §§5, 11, RFC 5816 (ESSCertIDv2 in TSP),
// RFC 5280 (path validation), RFC 5754/5753 and RFC 8017 (algorithm identifiers).

internal import Crypto
internal import Foundation
internal import SwiftASN1
@_spi(FixedExpiryValidationTime) internal import X509

// MARK: - Public surface

/// A trusted timestamp authority as the Sigstore trusted root lists it.
struct TimestampAuthority: Sendable {
    let chain: [Certificate]  // leaf first, root last
    let validFrom: Date
    let validUntil: Date?  // closed interval
}

struct TimestampError: Error, Sendable { let message: String }

extension TimestampError: CustomStringConvertible {
    var description: String { message }
}

enum TimestampToken {
    /// A DER TimeStampResp larger than this is refused before parsing. Real tokens are 0.5–6 KiB
    /// (FreeTSA's, with two embedded RSA-4096 certificates, is about 5.4 KiB).
    static let maxResponseSize = 64 * 1024

    /// The most timestamps a bundle may carry (sigstore-python's MAX_ALLOWED_TIMESTAMP).
    static let maxTokenCount = 32

    /// Verifies a DER TimeStampResp over `message` against `authorities` and returns the token's genTime:
    /// status granted; CMS SignedData with one SignerInfo whose signed attributes (re-encoded as a SET,
    /// tag 0x31, for the signature) include contentType = id-ct-TSTInfo and messageDigest = H(eContent);
    /// the signer certificate found by issuerAndSerialNumber (or subjectKeyIdentifier) among the embedded
    /// certificates or else the authority's leaf, and if embedded it must equal the authority's leaf;
    /// the signature (ECDSA or RSA, with the digest algorithm the SignerInfo names: SHA-256/384/512)
    /// valid under the leaf's key; messageImprint.hashedMessage == H(message) with the imprint's
    /// algorithm; the leaf's EKU critical and containing id-kp-timeStamping; the chain leaf→root valid
    /// at genTime (path validation at genTime, not now); genTime within the authority's validFor
    /// (closed). Tries each authority; throws TimestampError saying precisely why when none verifies.
    ///
    /// `async` because swift-certificates' `Verifier.validate` is `async`.
    static func verify(_ response: [UInt8], over message: [UInt8], authorities: [TimestampAuthority]) async throws
        -> Date
    {
        // Everything that does not depend on which TSA signed is checked once, up front, so that a
        // token that is bad in itself (wrong payload, broken CMS) gets one precise reason instead of
        // the same reason repeated per authority.
        let token = try ParsedToken(response: response, message: message)

        guard !authorities.isEmpty else {
            throw TimestampError(message: "no timestamp authority is trusted, so no timestamp can be verified")
        }

        var reasons: [String] = []
        for (index, authority) in authorities.enumerated() {
            do {
                try await token.verify(against: authority)
                return token.genTime
            } catch let error as TimestampError {
                let name = authority.chain.first.map { "\($0.subject)" } ?? "empty chain"
                reasons.append("TSA \(index + 1) of \(authorities.count) (\(name)): \(error.message)")
            }
        }
        throw TimestampError(
            message: "no trusted timestamp authority verified the timestamp: " + reasons.joined(separator: "; ")
        )
    }

    /// Verifies every timestamp of a bundle (each must verify, as sigstore-go and sigstore-python
    /// require) and returns their genTimes in order. Refuses more than ``maxTokenCount`` tokens and
    /// duplicate tokens: a repeated token would otherwise count twice towards a timestamp threshold.
    static func verifyAll(_ responses: [[UInt8]], over message: [UInt8], authorities: [TimestampAuthority])
        async throws -> [Date]
    {
        guard responses.count <= maxTokenCount else {
            throw TimestampError(
                message: "the bundle carries \(responses.count) timestamps; at most \(maxTokenCount) are accepted"
            )
        }
        guard Set(responses).count == responses.count else {
            throw TimestampError(message: "the bundle carries the same timestamp more than once")
        }
        var times: [Date] = []
        for (index, response) in responses.enumerated() {
            do {
                times.append(try await verify(response, over: message, authorities: authorities))
            } catch let error as TimestampError {
                throw TimestampError(message: "timestamp \(index + 1) of \(responses.count): \(error.message)")
            }
        }
        return times
    }
}

// MARK: - Verification

/// A TimeStampResp whose authority-independent properties have been checked: it parsed, the TSA
/// granted it, its CMS signed attributes bind the TSTInfo, and the TSTInfo timestamps `message`.
private struct ParsedToken {
    let genTime: Date
    let signerInfo: SignerInfo
    let embeddedCertificates: [Certificate]
    /// The signed attributes as the signer signed them: DER with the universal SET tag (RFC 5652 §5.4).
    let signedAttributesForSignature: [UInt8]
    /// The SignerInfo's digest algorithm, which (RFC 5652 §5.4) is the hash of the signature too.
    let digest: DigestAlgorithm

    init(response: [UInt8], message: [UInt8]) throws {
        guard response.count <= TimestampToken.maxResponseSize else {
            throw TimestampError(
                message: "timestamp response is \(response.count) bytes; at most "
                    + "\(TimestampToken.maxResponseSize) are accepted"
            )
        }

        let resp: TimeStampResp
        do {
            resp = try TimeStampResp(derEncoded: response)
        } catch {
            throw TimestampError(message: "malformed TimeStampResp (not DER as RFC 3161 specifies): \(error)")
        }

        // RFC 3161 §2.4.2: only granted(0) carries a token as issued. Sigstore accepts nothing else.
        guard resp.status.status == PKIStatusInfo.granted else {
            let text = resp.status.statusText.map { " (\($0))" } ?? ""
            throw TimestampError(message: "the TSA did not grant the timestamp: PKIStatus \(resp.status.status)\(text)")
        }
        guard let contentInfo = resp.timeStampToken else {
            throw TimestampError(message: "the TimeStampResp has status granted but no timeStampToken")
        }
        let signedData = contentInfo.signedData

        // RFC 3161 §2.4.2: the encapsulated content is a DER TSTInfo of type id-ct-TSTInfo.
        guard signedData.encapContentInfo.eContentType == OID.tstInfo else {
            throw TimestampError(
                message: "the token's eContentType is \(signedData.encapContentInfo.eContentType), not id-ct-TSTInfo"
            )
        }
        guard let eContent = signedData.encapContentInfo.eContent else {
            throw TimestampError(message: "the token has no encapsulated TSTInfo (detached content)")
        }

        // Exactly one signer, as sigstore-python requires: with several, "the" TSA would be ambiguous.
        guard signedData.signerInfos.count == 1, let signerInfo = signedData.signerInfos.first else {
            throw TimestampError(
                message: "the token has \(signedData.signerInfos.count) SignerInfos; exactly one is required"
            )
        }
        // RFC 5652 §5.1/§5.3: version 3 because eContentType is not id-data; SignerInfo version 1 for
        // issuerAndSerialNumber, 3 for subjectKeyIdentifier. These fields are unsigned; checking them
        // means they cannot be altered unnoticed either.
        guard signedData.version == 3 else {
            throw TimestampError(message: "SignedData version is \(signedData.version); RFC 5652 requires 3 here")
        }
        let expectedSignerVersion: Int
        switch signerInfo.sid {
        case .issuerAndSerialNumber: expectedSignerVersion = 1
        case .subjectKeyIdentifier: expectedSignerVersion = 3
        }
        guard signerInfo.version == expectedSignerVersion else {
            throw TimestampError(
                message: "SignerInfo version is \(signerInfo.version); RFC 5652 requires \(expectedSignerVersion) "
                    + "for its kind of signer identifier"
            )
        }

        let digest = try DigestAlgorithm(signerInfo.digestAlgorithm, role: "SignerInfo digestAlgorithm")
        // digestAlgorithms is unsigned and only a hint for one-pass processing, but it must list the
        // signer's algorithm, well-formed, or the SignedData contradicts its own SignerInfo.
        let listed = signedData.digestAlgorithms.contains { identifier in
            identifier.algorithm == signerInfo.digestAlgorithm.algorithm
                && (try? DigestAlgorithm(identifier, role: "digestAlgorithms entry")) != nil
        }
        guard listed else {
            throw TimestampError(message: "SignedData.digestAlgorithms does not list the signer's \(digest.name)")
        }

        // RFC 5652 §5.3: with any eContentType other than id-data, signedAttrs must be present, and
        // they must carry contentType (= eContentType) and messageDigest (= H(eContent)); that is
        // what makes the signature over the attributes cover the TSTInfo.
        guard let signedAttrs = signerInfo.signedAttrs else {
            throw TimestampError(message: "the SignerInfo has no signed attributes, so the TSTInfo is not signed")
        }
        let contentType = try signedAttrs.singleValue(of: OID.contentTypeAttribute, name: "contentType")
        guard (try? ASN1ObjectIdentifier(derEncoded: contentType)) == OID.tstInfo else {
            throw TimestampError(message: "the signed contentType attribute is not id-ct-TSTInfo")
        }
        let messageDigestNode = try signedAttrs.singleValue(of: OID.messageDigestAttribute, name: "messageDigest")
        guard let messageDigest = try? ASN1OctetString(derEncoded: messageDigestNode) else {
            throw TimestampError(message: "the signed messageDigest attribute is not an OCTET STRING")
        }
        guard Array(messageDigest.bytes) == digest.hash(eContent) else {
            throw TimestampError(message: "the signed messageDigest is not the \(digest.name) of the TSTInfo")
        }

        let tstInfo: TSTInfo
        do {
            tstInfo = try TSTInfo(derEncoded: eContent)
        } catch {
            throw TimestampError(message: "malformed TSTInfo: \(error)")
        }
        guard tstInfo.version == 1 else {
            throw TimestampError(message: "TSTInfo version is \(tstInfo.version); RFC 3161 defines only v1")
        }

        // The timestamp is only about `message` if the imprint is its hash (RFC 3161 §2.4.2).
        let imprintDigest = try DigestAlgorithm(
            tstInfo.messageImprint.hashAlgorithm,
            role: "messageImprint hashAlgorithm"
        )
        guard Array(tstInfo.messageImprint.hashedMessage) == imprintDigest.hash(message) else {
            throw TimestampError(
                message: "the message imprint does not match: the token timestamps other data than this "
                    + "signature (\(imprintDigest.name) differs)"
            )
        }

        self.genTime = try TimestampToken.date(of: tstInfo.genTime)
        self.signerInfo = signerInfo
        self.embeddedCertificates = signedData.certificates
        self.signedAttributesForSignature = signedAttrs.reencodedAsSet
        self.digest = digest
    }

    /// Checks the parts that depend on the authority: who signed, with which key, whether that key
    /// is the authority's and whether the authority vouched for it at genTime.
    func verify(against authority: TimestampAuthority) async throws {
        guard let leaf = authority.chain.first, let root = authority.chain.last else {
            throw TimestampError(message: "the trusted root lists no certificates for this TSA")
        }

        // The signer certificate: an embedded one the SignerInfo names, which must then be the
        // authority's own leaf (a token may carry any certificate it likes; only the trusted root
        // decides which key is the TSA's), or else the authority's leaf, which the SignerInfo must
        // name (the issuer+serial check sigstore-go and rfc3161-client call verifyESSCertID).
        if let embedded = embeddedCertificates.first(where: { signerInfo.sid.identifies($0) }) {
            guard embedded == leaf else {
                throw TimestampError(
                    message: "the embedded signer certificate (\(embedded.subject), issued by \(embedded.issuer)) "
                        + "is not the TSA's leaf certificate"
                )
            }
        } else if !signerInfo.sid.identifies(leaf) {
            throw TimestampError(
                message: "the token's signer (\(signerInfo.sid)) is not the TSA's leaf certificate "
                    + "(issuer \(leaf.issuer), serial \(hex(leaf.serialNumber.bytes)))"
            )
        }

        let algorithm = try signatureAlgorithm(signerInfo.signatureAlgorithm, digest: digest)
        guard
            leaf.publicKey.isValidSignature(
                signerInfo.signature,
                for: signedAttributesForSignature,
                signatureAlgorithm: algorithm
            )
        else {
            throw TimestampError(
                message: "the CMS signature over the signed attributes is not valid under the TSA leaf's "
                    + "\(leaf.publicKey) key (\(algorithm))"
            )
        }

        // RFC 3161 §2.3: the TSA's certificate carries a critical EKU with id-kp-timeStamping. Checked
        // here for a precise message; the chain policy repeats it so that Verifier may accept the
        // critical extension. (Containment, as sigstore-python checks; sigstore-go additionally
        // demands it be the only purpose.)
        if let reason = TimeStampingPolicy.leafEKUFailure(leaf) {
            throw TimestampError(message: reason)
        }

        // The trusted root's validFor says when this TSA may be believed; both ends inclusive.
        guard genTime >= authority.validFrom else {
            throw TimestampError(
                message: "genTime \(rfc3339(genTime)) is before the TSA's trusted-root validFor start "
                    + rfc3339(authority.validFrom)
            )
        }
        if let validUntil = authority.validUntil, genTime > validUntil {
            throw TimestampError(
                message:
                    "genTime \(rfc3339(genTime)) is after the TSA's trusted-root validFor end \(rfc3339(validUntil))"
            )
        }

        // Path validation at genTime, not now: TSA certificates are short-lived, and a token stays
        // good after its chain expires as long as the chain was valid when the token was made.
        // Certificate validity is also checked one by one first, only to name the offending one.
        for certificate in authority.chain
        where genTime < certificate.notValidBefore || genTime > certificate.notValidAfter {
            throw TimestampError(
                message: "TSA certificate \(certificate.subject) is not valid at genTime \(rfc3339(genTime)) "
                    + "(valid \(rfc3339(certificate.notValidBefore)) to \(rfc3339(certificate.notValidAfter)))"
            )
        }
        let genTime = self.genTime
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            // Deprecated in favour of an SPI initializer; the public one is the stable way to get a
            // fixed validation time, and a fixed time (genTime) is exactly what is needed here.
            RFC5280Policy(fixedExpiryValidationTime: genTime)
            TimeStampingPolicy()
        }
        let intermediates = CertificateStore(authority.chain.dropFirst().dropLast())
        let result = await verifier.validate(leaf: leaf, intermediates: intermediates)
        if case .couldNotValidate(let failures) = result {
            // Verifier reports no failures when it found no candidate chain at all.
            let detail =
                failures.isEmpty
                ? "no acceptable path from the leaf to the TSA root "
                    + "(unknown issuer, or a critical extension no policy handles)"
                : failures.map { "\($0.policyFailureReason)" }.joined(separator: "; ")
            throw TimestampError(
                message: "the TSA certificate chain does not validate at genTime \(rfc3339(genTime)): \(detail)"
            )
        }
    }
}

/// Combines the SignerInfo's signatureAlgorithm with its digestAlgorithm into the algorithm
/// swift-certificates verifies with. CMS allows both the combined identifiers (ecdsa-with-SHA256,
/// sha256WithRSAEncryption) and the bare key-type ones (rsaEncryption, RFC 8017; id-ecPublicKey, as
/// some encoders write), in which case the digest algorithm supplies the hash.
private func signatureAlgorithm(
    _ identifier: AlgorithmIdentifierDER,
    digest: DigestAlgorithm
) throws -> Certificate.SignatureAlgorithm {
    let ecdsa: Certificate.SignatureAlgorithm
    let rsa: Certificate.SignatureAlgorithm
    switch digest {
    case .sha256: (ecdsa, rsa) = (.ecdsaWithSHA256, .sha256WithRSAEncryption)
    case .sha384: (ecdsa, rsa) = (.ecdsaWithSHA384, .sha384WithRSAEncryption)
    case .sha512: (ecdsa, rsa) = (.ecdsaWithSHA512, .sha512WithRSAEncryption)
    }

    let combined: [ASN1ObjectIdentifier: (DigestAlgorithm, Certificate.SignatureAlgorithm)] = [
        OID.ecdsaWithSHA256: (.sha256, .ecdsaWithSHA256),
        OID.ecdsaWithSHA384: (.sha384, .ecdsaWithSHA384),
        OID.ecdsaWithSHA512: (.sha512, .ecdsaWithSHA512),
        OID.sha256WithRSAEncryption: (.sha256, .sha256WithRSAEncryption),
        OID.sha384WithRSAEncryption: (.sha384, .sha384WithRSAEncryption),
        OID.sha512WithRSAEncryption: (.sha512, .sha512WithRSAEncryption),
    ]
    if let (hash, algorithm) = combined[identifier.algorithm] {
        // The messageDigest was computed with the digest algorithm; a signature computed with a
        // different hash would mean the token names two hashes for one signer.
        guard hash == digest else {
            throw TimestampError(
                message: "signatureAlgorithm \(identifier.algorithm) uses \(hash.name) but the SignerInfo's "
                    + "digestAlgorithm is \(digest.name)"
            )
        }
        return algorithm
    }
    switch identifier.algorithm {
    case OID.ecPublicKey: return ecdsa
    case OID.rsaEncryption: return rsa
    default:
        throw TimestampError(
            message:
                "unsupported CMS signatureAlgorithm \(identifier.algorithm) (ECDSA and RSA PKCS#1 v1.5 are supported)"
        )
    }
}

/// Path-validation policy for a TSA chain. Besides the checks it makes, declaring the EKU extension
/// as handled is what lets `Verifier` accept the critical EKU that RFC 3161 §2.3 requires on a TSA
/// leaf: a chain with an unhandled critical extension is rejected outright.
private struct TimeStampingPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if let reason = Self.leafEKUFailure(chain.leaf) {
            return .failsToMeetPolicy(reason: reason)
        }
        // A CA that restricts its EKUs must allow timestamping to vouch for a TSA (the EKU chaining
        // that Go's crypto/x509 and OpenSSL apply); the self-signed root is a trust anchor and exempt.
        for certificate in chain.dropFirst().dropLast() {
            let usages: ExtendedKeyUsage?
            do {
                usages = try certificate.extensions.extendedKeyUsage
            } catch {
                return .failsToMeetPolicy(reason: "intermediate \(certificate.subject) has a malformed EKU: \(error)")
            }
            if let usages, !usages.contains(.timeStamping), !usages.contains(.any) {
                return .failsToMeetPolicy(
                    reason: "intermediate \(certificate.subject) restricts its EKU without id-kp-timeStamping"
                )
            }
        }
        return .meetsPolicy
    }

    /// Why `leaf` may not sign timestamps, or nil when it may (RFC 3161 §2.3).
    static func leafEKUFailure(_ leaf: Certificate) -> String? {
        guard let ext = leaf.extensions[oid: .X509ExtensionID.extendedKeyUsage] else {
            return "the TSA leaf certificate has no extended key usage; RFC 3161 requires id-kp-timeStamping"
        }
        guard ext.critical else {
            return "the TSA leaf certificate's extended key usage is not critical, as RFC 3161 requires"
        }
        guard let usages = try? ExtendedKeyUsage(ext) else {
            return "the TSA leaf certificate's extended key usage is malformed"
        }
        guard usages.contains(.timeStamping) else {
            return "the TSA leaf certificate's extended key usage does not include id-kp-timeStamping"
        }
        return nil
    }
}

// MARK: - Algorithms

/// The digest algorithms Sigstore uses for imprints and CMS signers.
private enum DigestAlgorithm: Equatable {
    case sha256, sha384, sha512

    /// Accepts the parameters absent (RFC 5754 §2) or NULL (what many encoders still write).
    init(_ identifier: AlgorithmIdentifierDER, role: String) throws {
        switch identifier.algorithm {
        case OID.sha256: self = .sha256
        case OID.sha384: self = .sha384
        case OID.sha512: self = .sha512
        default:
            throw TimestampError(
                message: "unsupported \(role) \(identifier.algorithm) (SHA-256, SHA-384 and SHA-512 are supported)"
            )
        }
        if let parameters = identifier.parameters, (try? ASN1Null(derEncoded: parameters)) == nil {
            throw TimestampError(message: "\(role) \(name) has parameters other than NULL")
        }
    }

    var name: String {
        switch self {
        case .sha256: "SHA-256"
        case .sha384: "SHA-384"
        case .sha512: "SHA-512"
        }
    }

    func hash(_ bytes: some DataProtocol) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }
}

private enum OID {
    static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]  // RFC 5652 §5.1
    static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]  // RFC 3161 §2.4.2
    static let contentTypeAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]  // RFC 5652 §11.1
    static let messageDigestAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]  // RFC 5652 §11.2
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
}

// MARK: - Time helpers

extension TimestampToken {
    /// Converts a DER GeneralizedTime (always UTC, optionally with fractional seconds, which RFC 3161
    /// §2.4.2 allows in genTime) into a Date, keeping the fraction so that validity-boundary
    /// comparisons are exact.
    static func date(of time: GeneralizedTime) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let components = DateComponents(
            year: time.year,
            month: time.month,
            day: time.day,
            hour: time.hours,
            minute: time.minutes,
            second: time.seconds
        )
        guard let whole = calendar.date(from: components) else {
            throw TimestampError(message: "genTime \(time) is not a representable date")
        }
        return whole.addingTimeInterval(time.fractionalSeconds)
    }
}

/// Lower-case hex, for serial numbers and key identifiers in messages.
private func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return byte < 0x10 ? "0" + digits : digits
    }.joined()
}

/// RFC 3339 rendering for messages, with the fraction only when there is one.
private func rfc3339(_ date: Date) -> String {
    let hasFraction = date.timeIntervalSince1970.rounded(.down) != date.timeIntervalSince1970
    return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: hasFraction))
}

// MARK: - ASN.1 structures (RFC 3161, RFC 5652)
//
// Each type parses exactly the DER its ASN.1 definition allows; `DER.sequence` rejects trailing
// elements, so nothing unexpected can ride along unnoticed. Fields this verifier does not need are
// still checked for shape and then skipped.

/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
private struct AlgorithmIdentifierDER: DERParseable {
    let algorithm: ASN1ObjectIdentifier
    let parameters: ASN1Node?

    init(derEncoded node: ASN1Node) throws {
        (algorithm, parameters) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try ASN1ObjectIdentifier(derEncoded: &nodes), nodes.next())
        }
    }
}

/// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
/// TimeStampToken ::= ContentInfo  (RFC 3161 §2.4.2)
private struct TimeStampResp: DERParseable {
    let status: PKIStatusInfo
    let timeStampToken: ContentInfo?

    init(derEncoded node: ASN1Node) throws {
        (status, timeStampToken) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try PKIStatusInfo(derEncoded: &nodes), try nodes.next().map(ContentInfo.init(derEncoded:)))
        }
    }
}

/// PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
///                              failInfo PKIFailureInfo OPTIONAL }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String  (RFC 3161 §2.4.2, RFC 4210)
private struct PKIStatusInfo: DERParseable {
    static let granted = 0
    let status: Int
    /// The TSA's explanation, kept only to make a refusal's error message useful.
    let statusText: String?

    init(derEncoded node: ASN1Node) throws {
        (status, statusText) = try DER.sequence(node, identifier: .sequence) { nodes in
            let status = try Int(derEncoded: &nodes)
            let text = try optionalNode(&nodes, .sequence).map { node in
                try DER.sequence(of: ASN1UTF8String.self, identifier: .sequence, rootNode: node)
                    .map(String.init).joined(separator: " ")
            }
            _ = try DER.optionalImplicitlyTagged(&nodes, tag: .bitString) as ASN1BitString?
            return (status, text)
        }
    }
}

/// ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY DEFINED BY contentType }
/// (RFC 5652 §3). A timestamp token's content is always SignedData.
private struct ContentInfo: DERParseable {
    let signedData: SignedData

    init(derEncoded node: ASN1Node) throws {
        signedData = try DER.sequence(node, identifier: .sequence) { nodes in
            let contentType = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard contentType == OID.signedData else {
                throw ASN1Error.invalidASN1Object(
                    reason: "timeStampToken content type \(contentType) is not SignedData")
            }
            return try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                try SignedData(derEncoded: node)
            }
        }
    }
}

/// SignedData ::= SEQUENCE {
///   version CMSVersion, digestAlgorithms SET OF DigestAlgorithmIdentifier,
///   encapContentInfo EncapsulatedContentInfo, certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL, signerInfos SET OF SignerInfo }  (RFC 5652 §5.1)
private struct SignedData: DERParseable {
    let version: Int
    let digestAlgorithms: [AlgorithmIdentifierDER]
    let encapContentInfo: EncapsulatedContentInfo
    let certificates: [Certificate]
    let signerInfos: [SignerInfo]

    init(derEncoded node: ASN1Node) throws {
        (version, digestAlgorithms, encapContentInfo, certificates, signerInfos) = try DER.sequence(
            node,
            identifier: .sequence
        ) { nodes in
            let version = try Int(derEncoded: &nodes)
            let digestAlgorithms = try unorderedSet(of: AlgorithmIdentifierDER.self, &nodes)
            let encapContentInfo = try EncapsulatedContentInfo(derEncoded: &nodes)
            // CertificateChoices also allows obsolete and attribute certificates (tagged [0]–[3]);
            // they can never be the signer's certificate, so only plain certificates are kept.
            let certificates =
                try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                    try children(of: node).filter { $0.identifier == .sequence }.map(Certificate.init(derEncoded:))
                } ?? []
            // Revocation information is not used: Sigstore's TSA checks are time-based, not CRL-based.
            _ = optionalNode(&nodes, .context(1))
            let signerInfos = try unorderedSet(of: SignerInfo.self, &nodes)
            return (version, digestAlgorithms, encapContentInfo, certificates, signerInfos)
        }
    }
}

/// EncapsulatedContentInfo ::= SEQUENCE { eContentType ContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
private struct EncapsulatedContentInfo: DERParseable {
    let eContentType: ASN1ObjectIdentifier
    /// The DER TSTInfo: the bytes messageDigest is computed over (the OCTET STRING's content).
    let eContent: ArraySlice<UInt8>?

    init(derEncoded node: ASN1Node) throws {
        (eContentType, eContent) = try DER.sequence(node, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let content = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try ASN1OctetString(derEncoded: $0).bytes
            }
            return (type, content)
        }
    }
}

/// SignerInfo ::= SEQUENCE {
///   version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
///   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL, signatureAlgorithm SignatureAlgorithmIdentifier,
///   signature SignatureValue, unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }  (RFC 5652 §5.3)
private struct SignerInfo: DERParseable {
    let version: Int
    let sid: SignerIdentifier
    let digestAlgorithm: AlgorithmIdentifierDER
    let signedAttrs: SignedAttributes?
    let signatureAlgorithm: AlgorithmIdentifierDER
    let signature: ArraySlice<UInt8>

    init(derEncoded node: ASN1Node) throws {
        (version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signature) = try DER.sequence(
            node,
            identifier: .sequence
        ) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard let sidNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "SignerInfo has no signer identifier")
            }
            let sid = try SignerIdentifier(derEncoded: sidNode)
            let digestAlgorithm = try AlgorithmIdentifierDER(derEncoded: &nodes)
            let signedAttrs = try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try SignedAttributes(derEncoded: $0)
            }
            let signatureAlgorithm = try AlgorithmIdentifierDER(derEncoded: &nodes)
            let signature = try ASN1OctetString(derEncoded: &nodes).bytes
            // Unsigned attributes (e.g. counter-signatures) are not covered by the signature; skip.
            _ = optionalNode(&nodes, .context(1))
            return (version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signature)
        }
    }
}

/// SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber,
///                               subjectKeyIdentifier [0] SubjectKeyIdentifier }
/// IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
private enum SignerIdentifier: CustomStringConvertible {
    case issuerAndSerialNumber(issuer: DistinguishedName, serial: Certificate.SerialNumber)
    case subjectKeyIdentifier(ArraySlice<UInt8>)

    init(derEncoded node: ASN1Node) throws {
        let skiTag = ASN1Identifier.context(0)
        switch node.identifier {
        case .sequence:
            self = try DER.sequence(node, identifier: .sequence) { nodes in
                guard let issuerNode = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "IssuerAndSerialNumber has no issuer")
                }
                let issuer = try DistinguishedName(derEncoded: issuerNode)
                let serial = try ArraySlice<UInt8>(derEncoded: &nodes)
                return .issuerAndSerialNumber(issuer: issuer, serial: Certificate.SerialNumber(bytes: serial))
            }
        case skiTag:
            self = .subjectKeyIdentifier(try ASN1OctetString(derEncoded: node, withIdentifier: skiTag).bytes)
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    /// Whether `certificate` is the one this identifier names (RFC 5652 §5.3).
    func identifies(_ certificate: Certificate) -> Bool {
        switch self {
        case .issuerAndSerialNumber(let issuer, let serial):
            return certificate.issuer == issuer && certificate.serialNumber == serial
        case .subjectKeyIdentifier(let keyIdentifier):
            guard let ski = try? certificate.extensions.subjectKeyIdentifier else { return false }
            return ski.keyIdentifier == keyIdentifier
        }
    }

    var description: String {
        switch self {
        case .issuerAndSerialNumber(let issuer, let serial): "issuer \(issuer), serial \(hex(serial.bytes))"
        case .subjectKeyIdentifier(let keyIdentifier): "subjectKeyIdentifier \(hex(keyIdentifier))"
        }
    }
}

/// SignedAttributes ::= SET SIZE (1..MAX) OF Attribute
/// Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
private struct SignedAttributes {
    /// Each attribute's type and the nodes of its values, in encoded order.
    let attributes: [(type: ASN1ObjectIdentifier, values: [ASN1Node])]
    /// RFC 5652 §5.4: the signature is over the DER of the attributes with the universal SET tag,
    /// not the [0] IMPLICIT tag they travel under. The elements are copied in their transmitted
    /// order, byte for byte, because that is what the signer signed.
    let reencodedAsSet: [UInt8]

    init(derEncoded node: ASN1Node) throws {
        let elements = try children(of: node)
        guard !elements.isEmpty else {
            throw ASN1Error.invalidASN1Object(reason: "signedAttrs is empty")
        }
        attributes = try elements.map { element in
            try DER.sequence(element, identifier: .sequence) { nodes in
                let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
                guard let valuesNode = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "attribute \(type) has no values")
                }
                guard valuesNode.identifier == .set else {
                    throw ASN1Error.unexpectedFieldType(valuesNode.identifier)
                }
                return (type, try children(of: valuesNode))
            }
        }
        var serializer = DER.Serializer()
        serializer.appendConstructedNode(identifier: .set) { set in
            for element in elements {
                set.serializeRawBytes(element.encodedBytes)
            }
        }
        reencodedAsSet = serializer.serializedBytes
    }

    /// The value of the attribute `type`, which RFC 5652 §§11.1–11.2 require to occur once with
    /// exactly one value (for contentType and messageDigest).
    func singleValue(of type: ASN1ObjectIdentifier, name: String) throws -> ASN1Node {
        let matches = attributes.filter { $0.type == type }
        guard matches.count == 1, let attribute = matches.first else {
            throw TimestampError(
                message: "the signed attributes contain \(matches.count) \(name) attributes; exactly one is required"
            )
        }
        guard attribute.values.count == 1, let value = attribute.values.first else {
            throw TimestampError(
                message: "the signed \(name) attribute has \(attribute.values.count) values; exactly one is required"
            )
        }
        return value
    }
}

/// TSTInfo ::= SEQUENCE {
///   version INTEGER { v1(1) }, policy TSAPolicyId, messageImprint MessageImprint,
///   serialNumber INTEGER, genTime GeneralizedTime, accuracy Accuracy OPTIONAL,
///   ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL, tsa [0] GeneralName OPTIONAL,
///   extensions [1] IMPLICIT Extensions OPTIONAL }  (RFC 3161 §2.4.2)
private struct TSTInfo: DERParseable {
    let version: Int
    let messageImprint: MessageImprint
    let genTime: GeneralizedTime

    init(derEncoded node: ASN1Node) throws {
        (version, messageImprint, genTime) = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            // The policy is not constrained: Sigstore does not pin TSA policies.
            _ = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let messageImprint = try MessageImprint(derEncoded: &nodes)
            _ = try SignedIntegerBytes(derEncoded: &nodes)  // serialNumber
            let genTime = try GeneralizedTime(derEncoded: &nodes)
            // Accuracy, ordering and nonce are not used by Sigstore; their shape is still checked.
            _ = try optionalNode(&nodes, .sequence).map(children(of:))
            _ = try DER.optionalImplicitlyTagged(&nodes, tag: .boolean) as Bool?
            _ = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as SignedIntegerBytes?  // nonce
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
            _ = optionalNode(&nodes, .context(1))
            return (version, messageImprint, genTime)
        }
    }
}

/// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
private struct MessageImprint: DERParseable {
    let hashAlgorithm: AlgorithmIdentifierDER
    let hashedMessage: ArraySlice<UInt8>

    init(derEncoded node: ASN1Node) throws {
        (hashAlgorithm, hashedMessage) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try AlgorithmIdentifierDER(derEncoded: &nodes), try ASN1OctetString(derEncoded: &nodes).bytes)
        }
    }
}

// MARK: - ASN.1 helpers

/// A DER INTEGER of any sign, kept as its two's-complement bytes. RFC 3161 does not require the
/// TSTInfo serialNumber or nonce to be positive, and real tokens carry negative ones (the
/// sigstore.mock TSA's serial is 0xDEADBEEF encoded in four bytes), while swift-asn1's
/// `ArraySlice<UInt8>` integer accepts only non-negative values.
private struct SignedIntegerBytes: ASN1IntegerRepresentable {
    static var isSigned: Bool { true }
    let bytes: ArraySlice<UInt8>

    init(derIntegerBytes bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    init(berIntegerBytes bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    func withBigEndianIntegerBytes<Result>(_ body: (ArraySlice<UInt8>) throws -> Result) rethrows -> Result {
        try body(bytes)
    }
}

extension ASN1Identifier {
    /// The context-specific tag `[number]`.
    fileprivate static func context(_ number: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific)
    }
}

/// Consumes the next node if it has `identifier`: how DER tells which OPTIONAL field comes next.
private func optionalNode(_ nodes: inout ASN1NodeCollection.Iterator, _ identifier: ASN1Identifier) -> ASN1Node? {
    var lookahead = nodes
    guard let node = lookahead.next(), node.identifier == identifier else { return nil }
    nodes = lookahead
    return node
}

/// The elements of a constructed node (SET, SEQUENCE or an IMPLICIT-tagged one).
private func children(of node: ASN1Node) throws -> [ASN1Node] {
    guard case .constructed(let nodes) = node.content else {
        throw ASN1Error.invalidASN1Object(reason: "expected a constructed \(node.identifier)")
    }
    return Array(nodes)
}

/// Parses the next node as a SET OF `T` without insisting on DER's sorted element order.
/// swift-asn1's `DER.set(of:)` rejects unsorted sets; CMS encoders (FreeTSA's among them) do not
/// always sort, and for these sets order carries no meaning, so tolerating it loses nothing.
private func unorderedSet<T: DERParseable>(
    of type: T.Type,
    _ nodes: inout ASN1NodeCollection.Iterator
) throws -> [T] {
    guard let node = nodes.next() else {
        throw ASN1Error.invalidASN1Object(reason: "missing SET OF \(T.self)")
    }
    guard node.identifier == .set else {
        throw ASN1Error.unexpectedFieldType(node.identifier)
    }
    return try children(of: node).map(T.init(derEncoded:))
}
