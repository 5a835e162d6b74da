import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignSQLite
import CountersignSupplyChain
import Foundation
import Testing

/// Issue 18 item 5 through the ledger: a verification is recorded with the repository and the ArtifactPolicy
/// definition it was made under (`artifact_verifications`), and the gate and admission count it only for those.
/// The attacks: a digest verified in staging's repository deployed (and pulled) from production's; a verification
/// made before the policy began requiring provenance.
@Suite struct ArtifactEvidenceBindingTests {
    static let digest = "sha256:" + String(repeating: "cd", count: 32)
    static let production = "registry.example.com/shop@" + digest
    static let staging = "staging.example.com/shop@" + digest

    static func policy(provenance: Bool) -> String {
        #expect(ControlPlaneTests.policy.contains("  controls:\n    approvals:\n      - { team: owners, count: 1 }"))
        return ControlPlaneTests.policy.replacingOccurrences(of: "protected: true", with: "protected: false")
            .replacingOccurrences(
                of: "  controls:\n    approvals:\n      - { team: owners, count: 1 }",
                with: "  controls:\n    artifact: { policy: release }")
                + """

                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Environment
                metadata: { name: staging }
                spec: { rank: 10, deployers: [deploy-bot], namespaces: [shop-staging] }
                ---
                apiVersion: countersign.dev/v1alpha1
                kind: ArtifactPolicy
                metadata: { name: release }
                spec:
                  images: ["registry.example.com/*", "staging.example.com/*"]
                  signatures: { keys: [release.pub], matchDockerReference: true }
                """
            + (provenance ? "\n  provenance: { builders: [\"https://github.com/actions/runner/github-hosted\"] }" : "")
    }

    static func control(provenance: Bool = false) throws -> (ControlPlane, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("binding-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("policy.yaml")
        try write(provenance: provenance, to: file)
        let control = ControlPlane(
            store: try SQLiteLedger(path: directory.appendingPathComponent("ledger.db").path),
            policy: PolicyHolder(try PolicyLoader.load(path: file.path), path: file.path))
        return (control, directory)
    }

    /// The policy, production's namespace `shop`, written to `file`.
    static func write(provenance: Bool, to file: URL) throws {
        try policy(provenance: provenance).replacingOccurrences(
            of: "spec: { rank: 30, protected: false,", with: "spec: { rank: 30, protected: false, namespaces: [shop],"
        ).write(to: file, atomically: true, encoding: .utf8)
    }

    static func verified(_ control: ControlPlane, _ reference: String, hash: String?) async throws {
        try await control.record(
            ArtifactVerified(
                digest: digest, policy: "release", verified: true, details: "signed by release.pub", policyHash: hash,
                reference: reference),
            actor: "ci")
    }

    static func input(_ artifact: String) -> DeployRequestInput {
        var input = ControlPlaneTests.input
        input.artifact = artifact
        return input
    }

    static func artifactMessage(_ decision: Decision?) -> String {
        decision?.controls.first { $0.control == "artifact" }.map { "\($0.status.rawValue): \($0.message)" } ?? "none"
    }

    @Test func aDigestVerifiedInStagingIsNotVerifiedForProduction() async throws {
        let (control, _) = try Self.control()
        let hash = try #require(control.policy.bundle.artifactPolicies["release"]?.hash)
        try await Self.verified(control, Self.staging, hash: hash)
        let bot = ControlPlaneTests.principal("deploy-bot", .deployer, .automation)
        let requested = try await control.requestDeploy(Self.input(Self.production), by: bot)
        let message = Self.artifactMessage(requested.decision)
        #expect(message.hasPrefix("pending: "), "\(message)")
        #expect(message.contains("ignored verifications in staging.example.com/shop"), "\(message)")

        // Admission refuses the production pod (no allowed deploy) whatever the staging verification says.
        let approver = LedgerImageApprover(control: control)
        let image = try ImageReference(parsing: Self.production)
        let digest = try Digest(parsing: Self.digest)
        #expect(await approver.approval(of: image, digest: digest, namespace: "shop") != .approved)

        // Verified in production's repository: allowed, and admitted from that repository only.
        try await Self.verified(control, Self.production, hash: hash)
        let decided = try await control.decide(id: requested.request.id, by: "test")
        #expect(decided.verdict == .allowed, "\(Self.artifactMessage(decided))")
        #expect(await approver.approval(of: image, digest: digest, namespace: "shop") == .approved)
        let copy = try ImageReference(parsing: Self.staging)
        let refused = await approver.approval(of: copy, digest: digest, namespace: "shop")
        guard case .denied(let why) = refused else {
            Issue.record("the staging copy was admitted to production: \(refused)")
            return
        }
        #expect(why.contains("deployed the digest from registry.example.com/shop, not from staging.example.com/shop"))
        #expect(why.contains("ArtifactPolicy release binds signatures to the repository"))

        // The evidence the gate read is the ledger's, per verification, with its repository and definition.
        let evidence = try await control.read { r throws(LedgerError) in
            try await r.evidence(for: requested.request, digest: Self.digest)
        }
        #expect(
            evidence.artifactVerifications.map(\.repository) == [
                "staging.example.com/shop", "registry.example.com/shop",
            ])
        #expect(evidence.artifactVerifications.allSatisfy { $0.policyHash == hash })
        #expect(Set(evidence.artifactVerifications.map(\.id)).count == 2)
    }

    @Test func aVerificationMadeBeforeThePolicyRequiredProvenanceCountsForNothing() async throws {
        let (control, directory) = try Self.control()
        let before = try #require(control.policy.bundle.artifactPolicies["release"]?.hash)
        try await Self.verified(control, Self.production, hash: before)
        // The policy now requires provenance; the node starts again under it.
        let file = directory.appendingPathComponent("policy.yaml")
        try Self.write(provenance: true, to: file)
        let reloaded = ControlPlane(
            store: control.store, policy: PolicyHolder(try PolicyLoader.load(path: file.path), path: file.path))
        let after = try #require(reloaded.policy.bundle.artifactPolicies["release"]?.hash)
        #expect(after != before)
        let bot = ControlPlaneTests.principal("deploy-bot", .deployer, .automation)
        let requested = try await reloaded.requestDeploy(Self.input(Self.production), by: bot)
        let message = Self.artifactMessage(requested.decision)
        #expect(message.hasPrefix("pending: "), "\(message)")
        #expect(message.contains("ignored 1 verification made under another definition of release: verify again"))
        // One recorded without a definition (before it was kept) counts for nothing either.
        try await Self.verified(reloaded, Self.production, hash: nil)
        #expect(try await reloaded.decide(id: requested.request.id, by: "test").verdict == .pending)
        try await Self.verified(reloaded, Self.production, hash: after)
        #expect(try await reloaded.decide(id: requested.request.id, by: "test").verdict == .allowed)
    }
}
