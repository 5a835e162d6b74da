public import Foundation

/// The trust root keyless verification will use, designed now so policies and the verifier have a place for it:
/// Fulcio's certificate authorities, the transparency logs whose inclusion proofs (or signed entry timestamps)
/// prove when a short-lived certificate signed, and the identities a policy accepts.
///
/// The verification it plugs into (``KeylessVerifier``) will: build the chain from the leaf certificate in a
/// `dev.sigstore.cosign/certificate` annotation or a bundle's `verificationMaterial.certificate` to one of
/// ``certificateAuthorities`` (swift-certificates' `Verifier`, at the time of signing); require the log entry to
/// verify against ``transparencyLogs`` (the SET over `logIndex`/`body`/`integratedTime`, or an RFC 6962 inclusion
/// proof with a checkpoint signed as a C2SP note — the ledger already implements both proof algorithms); take the
/// signing time from the log, never from the certificate; check the certificate's SAN and the Fulcio issuer
/// extension (`1.3.6.1.4.1.57264.1.8`) against ``identities``; and only then use the certificate's key on the
/// payload exactly as a configured key is used today.
public struct KeylessTrustRoot: Sendable {
    /// A Fulcio CA: its DER certificate chain (root last) and the period it issued in.
    public struct CertificateAuthority: Sendable, Hashable {
        public var chainDER: [[UInt8]]
        public var validFrom: Date
        public var validUntil: Date?
        public init(chainDER: [[UInt8]], validFrom: Date, validUntil: Date? = nil) {
            self.chainDER = chainDER
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }

    /// A transparency log: its public key (the log ID is the SHA-256 of its DER) and checkpoint origin.
    public struct TransparencyLog: Sendable {
        public var key: PublicKey
        public var origin: String
        public init(key: PublicKey, origin: String) {
            self.key = key
            self.origin = origin
        }
    }

    /// An accepted signer: an OIDC issuer and a subject pattern (an e-mail, or a workflow URI such as
    /// `https://github.com/o/r/.github/workflows/build.yml@refs/heads/main`).
    public struct Identity: Sendable, Hashable {
        public var issuer: String
        public var subjectPattern: String
        public init(issuer: String, subjectPattern: String) {
            self.issuer = issuer
            self.subjectPattern = subjectPattern
        }
    }

    public var certificateAuthorities: [CertificateAuthority]
    public var transparencyLogs: [TransparencyLog]
    public var identities: [Identity]

    public init(
        certificateAuthorities: [CertificateAuthority], transparencyLogs: [TransparencyLog], identities: [Identity]
    ) {
        self.certificateAuthorities = certificateAuthorities
        self.transparencyLogs = transparencyLogs
        self.identities = identities
    }
}

/// Where keyless verification plugs into ``ArtifactVerifier``: given a certificate-bearing signature, answer
/// with the key to verify the payload with and the identity it belongs to, or why the certificate is not trusted.
public protocol KeylessVerifier: Sendable {
    func signingKey(
        certificatePEM: String, chainPEM: String?, transparencyLogEntry: [UInt8]?, trustRoot: KeylessTrustRoot
    )
        -> Result<(key: PublicKey, identity: String), SupplyChainError>
}
