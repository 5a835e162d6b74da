import CountersignCore
import Foundation
import Testing

/// A verification proves what it was made under (issue 18 item 5): the ArtifactPolicy's definition and, when the
/// policy binds signatures to the repository, the repository it was made in. Attacks first: a digest verified in a
/// staging repository deployed from production's, a verification made before the policy required provenance.
@Suite struct ArtifactEvidenceTests {
    /// The gate's fixture bundle with signed-from-main replaced by `artifactPolicy`'s text.
    static func bundle(_ artifactPolicy: String) throws -> PolicyBundle {
        let sources = try PolicyLoader.sources(path: Fixture.policyPath).filter {
            !$0.file.hasSuffix("20-tiers.yaml") && !$0.file.hasSuffix("40-artifacts.yaml")
        }
        return try PolicyLoader.load(
            sources: sources + [
                ("gate-tests-tiers.yaml", Fixture.tiers),
                (
                    "artifacts.yaml",
                    """
                    apiVersion: countersign.dev/v1alpha1
                    kind: AnalysisTemplate
                    metadata: { name: slo-gate }
                    spec: {}
                    ---
                    apiVersion: countersign.dev/v1alpha1
                    kind: ArtifactPolicy
                    metadata: { name: signed-from-main }
                    spec:
                    \(artifactPolicy)
                    """
                ),
            ])
    }

    static let matching = """
          images: ["registry.example.com/*", "staging.example.com/*", "docker.io/*"]
          signatures: { keys: [keys/release.pub], matchDockerReference: true }
        """

    static func verification(
        _ policy: ArtifactPolicy?, repository: String?, verified: Bool = true, id: String = "v-test",
        hash: String? = nil
    ) -> ArtifactVerification {
        ArtifactVerification(
            id: id, digest: Fixture.digest, policy: "signed-from-main", verified: verified,
            details: verified ? "signed by release.pub" : "signature names another repository",
            at: Fixture.date("2026-11-02T09:10:00Z"), policyHash: hash ?? policy?.hash, repository: repository)
    }

    static func decide(
        _ bundle: PolicyBundle, _ verifications: [ArtifactVerification], artifact: String? = nil
    ) -> Decision {
        var evidence = Fixture.evidence(approvals: [Fixture.approval("carol")])
        evidence.artifactVerifications = verifications
        let request = Fixture.request(artifact: artifact)
        evidence.changes = [Fixture.recorded(request)]
        return Gate.decide(request, evidence: evidence, policy: bundle, now: Fixture.monday)
    }

    static func artifactControl(_ decision: Decision) -> ControlResult? {
        decision.controls.first { $0.control == "artifact" }
    }

    @Test func theHashIsTheDefinitionNotItsSpellingNorTheRestOfTheBundle() throws {
        let block = try Self.bundle(
            """
              images: ["registry.example.com/*"]
              signatures:
                keys: [keys/release.pub]
            """)
        let flow = try Self.bundle(
            #"  { images: [ "registry.example.com/*" ], signatures: { keys: [ keys/release.pub ] } }"#)
        let a = try #require(block.artifactPolicies["signed-from-main"])
        let b = try #require(flow.artifactPolicies["signed-from-main"])
        #expect(a.hash == b.hash)
        #expect(a.hash.hasPrefix("sha256:") && a.hash.count == 71)
        // The bundles differ in text, so in hash; the ArtifactPolicy does not.
        #expect(block.hash != flow.hash)
        // Each field that changes what is proved changes the hash.
        for variant in [
            #"  { images: ["registry.example.com/*"], signatures: { keys: [keys/release.pub], threshold: 1, matchDockerReference: true } }"#,
            #"  { images: ["registry.example.com/**"], signatures: { keys: [keys/release.pub] } }"#,
            #"  { images: ["registry.example.com/*"], signatures: { keys: [keys/other.pub] } }"#,
            #"  { images: ["registry.example.com/*"], signatures: { keys: [keys/release.pub] }, provenance: { keys: [keys/release.pub] } }"#,
            #"  { images: ["registry.example.com/*"], signatures: { keys: [keys/release.pub] }, platform: linux/amd64 }"#,
            #"  { images: ["registry.example.com/*"], signatures: { keys: [keys/release.pub] }, provenance: { condition: "true" } }"#,
        ] {
            let other = try #require(try Self.bundle(variant).artifactPolicies["signed-from-main"])
            #expect(other.hash != a.hash, "\(variant)")
        }
    }

    @Test func aVerificationUnderAnEarlierDefinitionCountsForNothing() throws {
        // Verified when the policy asked only for a signature; the policy now requires provenance too.
        let before = try #require(
            try Self.bundle("  { images: [\"registry.example.com/*\"], signatures: { keys: [keys/release.pub] } }")
                .artifactPolicies["signed-from-main"])
        let now = try Self.bundle(
            """
              images: ["registry.example.com/*"]
              signatures: { keys: [keys/release.pub] }
              provenance: { builders: ["https://github.com/actions/runner/github-hosted"] }
            """)
        let stale = Self.decide(now, [Self.verification(before, repository: nil)])
        #expect(stale.verdict == .pending)
        let control = try #require(Self.artifactControl(stale))
        #expect(control.status == .pending)
        #expect(control.message.contains("ignored 1 verification made under another definition of signed-from-main"))
        // One recorded before the hash was kept (no hash) counts for nothing either.
        let unhashed = Self.decide(now, [Self.verification(nil, repository: nil)])
        #expect(Self.artifactControl(unhashed)?.status == .pending)
        // Verified again under the definition in force: counts.
        let fresh = Self.decide(
            now,
            [
                Self.verification(before, repository: nil),
                Self.verification(now.artifactPolicies["signed-from-main"], repository: nil, id: "v2"),
            ])
        #expect(Self.artifactControl(fresh)?.status == .satisfied)
        #expect(fresh.evidenceIDs.contains("v2"))
    }

    @Test func aDigestVerifiedInAnotherRepositoryIsNotVerifiedForThisOne() throws {
        let bundle = try Self.bundle(Self.matching)
        let policy = bundle.artifactPolicies["signed-from-main"]
        // Verified in staging; deployed from production's repository.
        let staging = Self.decide(bundle, [Self.verification(policy, repository: "staging.example.com/payments/api")])
        let control = try #require(Self.artifactControl(staging))
        #expect(control.status == .pending)
        #expect(control.message.contains("ignored verifications in staging.example.com/payments/api"))
        #expect(control.message.contains("only a verification in registry.example.com/payments/api counts"))
        // A near miss is another repository: a suffix, a prefix, a case variant.
        for near in [
            "registry.example.com/payments/api2", "registry.example.com/payments", "Registry.example.com/payments/api",
            "registry.example.com/payments/api/", "registry.example.com:443/payments/api",
        ] {
            #expect(
                Self.artifactControl(Self.decide(bundle, [Self.verification(policy, repository: near)]))?.status
                    == .pending, "\(near)")
        }
        // Unrecorded (verified before the repository was kept): counts for nothing under matchDockerReference.
        #expect(
            Self.artifactControl(Self.decide(bundle, [Self.verification(policy, repository: nil)]))?.status == .pending)
        // The same repository counts.
        let here = Self.decide(bundle, [Self.verification(policy, repository: "registry.example.com/payments/api")])
        #expect(Self.artifactControl(here)?.status == .satisfied)
        // Docker Hub's defaults spelled either way are one repository.
        let hub = Self.decide(
            bundle, [Self.verification(policy, repository: "docker.io/library/app")],
            artifact: "app@\(Fixture.digest)")
        #expect(Self.artifactControl(hub)?.status == .satisfied)
        // A rejection elsewhere says nothing about this repository; one here denies.
        let mixed = Self.decide(
            bundle,
            [
                Self.verification(policy, repository: "registry.example.com/payments/api", id: "ok"),
                Self.verification(policy, repository: "staging.example.com/payments/api", verified: false, id: "bad"),
            ])
        #expect(Self.artifactControl(mixed)?.status == .satisfied)
        let denied = Self.decide(
            bundle, [Self.verification(policy, repository: "registry.example.com/payments/api", verified: false)])
        #expect(Self.artifactControl(denied)?.status == .denied)
    }

    @Test func withoutMatchDockerReferenceTheDigestIsWhatIsVerified() throws {
        let bundle = try Self.bundle("  { images: [\"*\"], signatures: { keys: [keys/release.pub] } }")
        let policy = bundle.artifactPolicies["signed-from-main"]
        let elsewhere = Self.decide(bundle, [Self.verification(policy, repository: "staging.example.com/payments/api")])
        #expect(Self.artifactControl(elsewhere)?.status == .satisfied)
    }

    @Test func dockerHubDefaultsAreOneRule() {
        #expect(ArtifactReference.canonicalName("nginx") == "docker.io/library/nginx")
        #expect(ArtifactReference.canonicalName("acme/app") == "docker.io/acme/app")
        #expect(ArtifactReference.canonicalName("index.docker.io/nginx") == "docker.io/library/nginx")
        #expect(ArtifactReference.canonicalName("localhost/app") == "localhost/app")
        #expect(ArtifactReference.canonicalName("127.0.0.1:5000/app") == "127.0.0.1:5000/app")
        #expect(ArtifactReference.canonicalName("ghcr.io/o/r") == "ghcr.io/o/r")
    }
}
