internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import CountersignSupplyChain
internal import Foundation

extension ControlPlane {
    /// Verifies `reference` against the registry under every ArtifactPolicy that covers it, records each result
    /// as `artifact.verified` (what was checked, with which key or builder, or every reason it was rejected), and
    /// decides the open requests for the digest again. Builders and deployers may ask.
    public func verifyArtifact(
        _ text: String, with verifier: RegistryVerifier, by principal: Principal
    ) async throws(ControlError) -> [VerificationResult] {
        try principal.require(.builder, .deployer, to: "verify artifacts")
        let reference: ImageReference
        do { reference = try ImageReference(parsing: text) } catch {
            throw ControlError(.badRequest, error.reason, details: ["field": "reference"])
        }
        guard reference.digest != nil else {
            throw ControlError(
                .badRequest, "\(text) is not pinned by digest; approve the digest, never the tag",
                details: ["field": "reference"])
        }
        let results: [VerificationResult]
        let started = ContinuousClock.now
        do { results = try await verifier.verify(reference, now: now()) } catch {
            metrics.verification(outcome: "error", duration: ContinuousClock.now - started)
            throw ControlError(.unavailable, "cannot verify \(reference.canonical): \(error.reason)")
        }
        for result in results {
            metrics.verification(
                outcome: result.verdict == .verified ? "verified" : "rejected", duration: ContinuousClock.now - started)
        }
        for result in results {
            guard let digest = result.digest?.description else { continue }
            let details =
                result.verdict == .verified
                ? (["signed by " + result.signers.joined(separator: ", ")]
                    + (result.builder.map { ["built by \($0)"] } ?? []))
                    .joined(separator: "; ")
                : result.reasons.joined(separator: "; ")
            let verified = ArtifactVerified(
                digest: digest, policy: result.policy, verified: result.verdict == .verified, details: details,
                policyHash: result.policyHash, sourceCommit: result.sourceCommit.flatMap(Self.commitID),
                sourceRepository: result.sourceRepository, reference: "\(reference.name)@\(digest)")
            var batch = EntryBatch()
            let at = now()
            try batch.add(verified, actor: principal.identity, at: at)
            // Verified provenance binds the digest to its commit: the commit's GitHub checks become the digest's.
            if verified.verified, let commit = verified.sourceCommit {
                for check in try await commitChecks(verified.sourceRepository, commit, for: digest) {
                    try batch.add(check, actor: "github", at: at)
                }
            }
            _ = try await record(batch)
            try await redecide(digest: digest, by: principal.identity)
        }
        return results
    }

    /// A provenance's source commit when it is a full commit id (a binding needs one; anything else binds nothing).
    static func commitID(_ commit: String) -> String? { Change.isCommitID(commit) ? commit.lowercased() : nil }

    /// Registers an artifact by its digest-pinned reference (builders), with the commit (and repository) it was
    /// built from when given: the record that binds the digest to its change, which the gate counts from a builder
    /// that cannot deploy.
    public func registerArtifact(
        reference: String, commit: String? = nil, repository: String? = nil, by principal: Principal
    ) async throws(ControlError) -> String {
        try principal.require(.builder, to: "register artifacts")
        guard let parsed = try? ArtifactReference(parsing: reference) else {
            throw ControlError(
                .badRequest, "\(reference) is not pinned by digest (registry/repo@sha256:…)",
                details: ["field": "reference"])
        }
        if let commit, !Change.isCommitID(commit) {
            throw ControlError(
                .badRequest, "commit \(commit) is not a full git commit id (40 or 64 hex digits)",
                details: ["field": "commit"])
        }
        var batch = EntryBatch()
        let at = now()
        try batch.add(
            ArtifactRegistered(reference: reference, commit: commit?.lowercased(), repository: repository),
            actor: principal.identity, at: at)
        // A registration that binds (a builder that cannot deploy) gives the digest its commit's GitHub checks.
        let binds = policy.bundle.identity(principal.identity).map { !$0.roles.contains(.deployer) } ?? true
        if let commit, binds {
            for check in try await commitChecks(repository, commit, for: parsed.digest) {
                try batch.add(check, actor: "github", at: at)
            }
        }
        _ = try await record(batch)
        if commit != nil { try await redecide(digest: parsed.digest, by: principal.identity) }
        return parsed.digest
    }
}
