public import CountersignCore
public import Foundation

/// The outcome of verifying one digest under one ``VerificationPolicy``: a value, not an error (STYLE: a
/// rejection is an answer). Every check is listed with its result, so the CLI can print them and the ledger can
/// record what was checked, with which key or builder.
public struct VerificationResult: Sendable {
    public enum Verdict: String, Sendable { case verified, rejected }

    public struct Check: Sendable, Hashable {
        /// A requirement decides the verdict; a candidate is one signature or attestation that was examined (one
        /// good candidate is enough for its requirement, so a bad one does not reject by itself).
        public enum Kind: String, Sendable { case requirement, candidate }
        public let name: String
        public let passed: Bool
        public let detail: String
        public let kind: Kind
    }

    public let reference: String
    public let digest: Digest?
    public let policy: String
    public let policyHash: String
    public let checks: [Check]
    /// The trusted keys that signed the digest.
    public let signers: [String]
    /// The builder of the accepted provenance.
    public let builder: String?
    /// The source commit and repository the accepted provenance names: what binds the digest to its change.
    public var sourceCommit: String? = nil
    public var sourceRepository: String? = nil

    public var verdict: Verdict {
        checks.contains { $0.kind == .requirement } && checks.allSatisfy { $0.kind == .candidate || $0.passed }
            ? .verified : .rejected
    }

    /// Why it was rejected: each failed requirement, then each failed candidate. Empty when verified.
    public var reasons: [String] {
        guard verdict == .rejected else { return [] }
        return checks.filter { !$0.passed && $0.kind == .requirement }.map(\.detail)
            + checks.filter { !$0.passed && $0.kind == .candidate }.map(\.detail)
    }

    /// The evidence the gate engine consumes (`artifact.verified`), with what was checked in `details`.
    public func evidence(id: String, at: Date) -> ArtifactVerification {
        let details: String
        if verdict == .verified {
            details = checks.filter { $0.passed && $0.kind == .requirement }.map(\.detail).joined(separator: "; ")
        } else {
            details = reasons.joined(separator: "; ")
        }
        return ArtifactVerification(
            id: id, digest: digest?.description ?? reference, policy: policy, verified: verdict == .verified,
            details: details, at: at, policyHash: policyHash,
            repository: (try? ImageReference(parsing: reference))?.name)
    }
}
