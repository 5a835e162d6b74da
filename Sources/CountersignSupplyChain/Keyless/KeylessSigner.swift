public import Foundation

/// Who a keyless signature was made by, once ``BundleVerifier`` proved it: the certificate's identities (SAN values)
/// and OIDC issuer, what the CI said about the run, when it was signed, and the certificate's key. Whether this
/// signer is *accepted* is the policy's question (``CertificateIdentity``), asked separately, so one verification of
/// a registry's material serves every policy that reads it.
public struct KeylessSigner: Sendable, Hashable {
    public let subjects: [String]
    public let issuer: String?
    public let claims: [String: String]
    public let signedAt: [Date]
    /// The certificate's key (ephemeral: it identifies nothing by itself).
    let key: PublicKey

    /// The signer as a threshold counts it: one per identity, whichever certificate (key) it signed with that time —
    /// so the same workflow signing twice is one signer, never two.
    func counted(as identity: CertificateIdentity) -> PublicKey {
        let name = subjects.first ?? "certificate"
        return PublicKey(renaming: key, to: name, id: "keyless:\(issuer ?? "")\u{0}\(name)")
    }

    /// The first identity of `identities` that admits this signer.
    func admitted(by identities: [CertificateIdentity]) -> CertificateIdentity? {
        identities.first { $0.admits(issuer: issuer, subjects: subjects) }
    }

    public var description: String { "\(subjects.first ?? "?") (issuer \(issuer ?? "none"))" }
}

/// What keyless verification of one signature or attestation came to, before any policy looked at it.
public enum KeylessVerdict: Sendable, Hashable {
    case verified(KeylessSigner)
    case rejected(String)

    /// The signer, when verified.
    public var signer: KeylessSigner? {
        if case .verified(let signer) = self { return signer }
        return nil
    }
}
