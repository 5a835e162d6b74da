public import Foundation
internal import SwiftASN1
@_spi(FixedExpiryValidationTime) public import X509

/// A short-lived signing certificate as Fulcio issues it: the signer's identity in its SAN (an e-mail, or a workflow
/// URI such as `https://github.com/o/r/.github/workflows/build.yml@refs/heads/main`), the OIDC issuer that vouched
/// for it in Sigstore's extension, and — for CI identities — what GitHub (or another CI) said about the run: the
/// repository, ref, workflow, trigger and commit (OIDs 1.3.6.1.4.1.57264.1.9–22), which policies may read.
///
/// Certificates are read with swift-certificates; nothing here parses X.509 by hand.
public struct FulcioCertificate: Sendable {
    public let certificate: Certificate
    public let der: [UInt8]
    /// Every SAN value: e-mail addresses, URIs, and Fulcio's `otherName` usernames.
    public let subjects: [String]
    /// The OIDC issuer: the V2 extension (`.1.8`, a DER UTF8String) when present, else the deprecated `.1.1`.
    public let issuer: String?
    /// The Fulcio extensions a CI fills in, by name (`sourceRepositoryURI`, `sourceRepositoryRef`, …).
    public let claims: [String: String]
    /// The certificate's key, as signatures are verified with.
    public let key: PublicKey

    static let sigstoreArc: [UInt] = [1, 3, 6, 1, 4, 1, 57264, 1]

    /// The Fulcio extensions GitHub (and other CIs) fill in, by their last arc, with the names sigstore gives them.
    static let claimNames: [UInt: String] = [
        9: "buildSignerURI", 10: "buildSignerDigest", 11: "runnerEnvironment", 12: "sourceRepositoryURI",
        13: "sourceRepositoryDigest", 14: "sourceRepositoryRef", 15: "sourceRepositoryIdentifier",
        16: "sourceRepositoryOwnerURI", 17: "sourceRepositoryOwnerIdentifier", 18: "buildConfigURI",
        19: "buildConfigDigest", 20: "buildTrigger", 21: "runInvocationURI", 22: "sourceRepositoryVisibilityAtSigning",
    ]

    public init(_ certificate: Certificate, der: [UInt8]) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the signing certificate \(why)")
        }
        self.certificate = certificate
        self.der = der
        var subjects: [String] = []
        do {
            for name in try certificate.extensions.subjectAlternativeNames.map(Array.init) ?? [] {
                switch name {
                case .rfc822Name(let email): subjects.append(email)
                case .uniformResourceIdentifier(let uri): subjects.append(uri)
                case .otherName(let other) where Array(other.typeID.oidComponents) == Self.sigstoreArc + [7]:
                    if let value = other.value, let text = try? ASN1UTF8String(asn1Any: value) {
                        subjects.append(String(text))
                    }
                default: continue
                }
            }
        } catch { throw fail("has an unreadable subject alternative name") }
        self.subjects = subjects
        var claims: [String: String] = [:]
        var issuerV1: String? = nil
        var issuerV2: String? = nil
        for ext in certificate.extensions {
            let arcs = Array(ext.oid.oidComponents)
            guard arcs.count == 9, Array(arcs.prefix(8)) == Self.sigstoreArc else { continue }
            switch arcs[8] {
            case 1:
                // The deprecated issuer extension holds the raw string, no DER around it.
                issuerV1 = String(validating: Array(ext.value), as: UTF8.self)
            case 8:
                issuerV2 = Self.utf8String(ext.value)
                if issuerV2 == nil { throw fail("has an issuer extension that is not a DER UTF8String") }
            case let arc:
                if let name = Self.claimNames[arc], let value = Self.utf8String(ext.value) { claims[name] = value }
            }
        }
        issuer = issuerV2 ?? issuerV1
        self.claims = claims
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate.publicKey)
            key = try PublicKey(der: serializer.serializedBytes, name: subjects.first ?? "certificate key")
        } catch let error as SupplyChainError {
            throw error
        } catch {
            throw fail("has a key that cannot be read")
        }
    }

    /// A DER UTF8String and nothing after it.
    static func utf8String(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let node = try? DER.parse(bytes), let text = try? ASN1UTF8String(derEncoded: node) else { return nil }
        return String(text)
    }

    /// Why the certificate may not sign code, or nil: a leaf (not a CA) whose key usage includes digital signature
    /// and whose extended key usage includes code signing.
    public func signingUseProblem() -> String? {
        if case .some(.isCertificateAuthority) = try? certificate.extensions.basicConstraints {
            return "the signing certificate is a certificate authority"
        }
        guard let usage = try? certificate.extensions.keyUsage, usage.digitalSignature else {
            return "the signing certificate's key usage does not include digital signature"
        }
        guard let extended = try? certificate.extensions.extendedKeyUsage, extended.contains(.codeSigning) else {
            return "the signing certificate's extended key usage does not include code signing"
        }
        return nil
    }

    /// Whether the certificate chains to `authority` at `time`: path validation (signatures, basic constraints,
    /// name constraints, every certificate's validity) at that instant — the time the log or a timestamp authority
    /// attests — never now; and `time` inside the authority's trusted period.
    ///
    /// Every certificate of the authority's chain is an anchor: the trusted root lists them all as what it trusts
    /// (sigstore-python reads it so too), so the path is leaf → issuing CA, whose own validity at `time` is still
    /// checked — and the CA-to-root signature, the same for every bundle, is not verified again for each (a P-384
    /// verification, a quarter of the work).
    func chains(to authority: TrustedRoot.Authority, at time: Date) async -> Bool {
        guard authority.validity.contains(time), !authority.chain.isEmpty else { return false }
        guard authority.chain.allSatisfy({ $0.notValidBefore <= time && time <= $0.notValidAfter }) else {
            return false
        }
        var verifier = Verifier(rootCertificates: CertificateStore(authority.chain)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            CodeSigningLeafPolicy()
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore())
        if case .validCertificate = result { return true }
        return false
    }
}

/// Tells swift-certificates' verifier that the leaf's critical key-usage, extended-key-usage and SAN extensions are
/// understood (``FulcioCertificate/signingUseProblem()`` and the identity policy check them); it decides nothing
/// itself.
struct CodeSigningLeafPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage, .X509ExtensionID.subjectAlternativeName,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult { .meetsPolicy }
}
