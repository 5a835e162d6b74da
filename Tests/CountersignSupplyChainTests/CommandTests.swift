import CountersignTesting
import Foundation
import Testing

/// `countersign artifact …` and `countersign admission review`, run as users run them, against the real registry.
@Suite(.serialized) struct CommandTests {
    @Test func resolvePrintsThePinnedReference() async throws {
        let fixture = try await RegistryFixture.get()
        let run = try CommandRunner.run(["artifact", "resolve", "\(fixture.registry)/demo/app:v1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "\(fixture.registry)/demo/app@\(fixture.digest)\n")
        let missing = try CommandRunner.run(["artifact", "resolve", "\(fixture.registry)/demo/app:nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("404 MANIFEST_UNKNOWN"))
    }

    @Test func verifyPrintsEachCheckAndExitsByVerdict() async throws {
        let fixture = try await RegistryFixture.get()
        let good = try CommandRunner.run([
            "artifact", "verify", try fixture.reference("app"), "--policy", fixture.policyPath,
        ])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("  PASS signatures: signed by release.pub (1 of 1 required)"))
        #expect(
            good.stdout.contains("  PASS provenance: https://slsa.dev/provenance/v1 provenance signed by release.pub"))
        #expect(good.stdout.hasSuffix("  verified\n"))
        let bad = try CommandRunner.run([
            "artifact", "verify", try fixture.reference("featureref"), "--policy", fixture.policyPath, "--output",
            "json",
        ])
        #expect(bad.status == 3)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["verdict"] as? String == "rejected")
        #expect(
            (json.first?["reasons"] as? [String])?.contains(
                "provenance source ref refs/heads/feature/x does not match ^refs/heads/(main|release/.*)$") == true)
        let tag = try CommandRunner.run([
            "artifact", "verify", try fixture.reference("tagonly"), "--policy", fixture.policyPath,
        ])
        #expect(tag.status == 3)
        #expect(tag.stdout.contains("FAIL reference: \(fixture.registry)/demo/app:v1 is not pinned by digest"))
    }

    @Test func registryFaultsAndBadPoliciesAreErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = TestKey("k")
        try key.pem.write(to: dir.appendingPathComponent("k.pub"), atomically: true, encoding: .utf8)
        let policy = dir.appendingPathComponent("policy.yaml")
        try """
        apiVersion: countersign.dev/v1alpha1
        kind: ArtifactPolicy
        metadata: { name: any }
        spec: { images: ["*"], signatures: { keys: [k.pub] } }
        """.write(to: policy, atomically: true, encoding: .utf8)
        let down = try CommandRunner.run([
            "artifact", "verify", "127.0.0.1:1/demo/app@\(Fixtures.digest)", "--policy", policy.path, "--timeout", "2",
        ])
        #expect(down.status == 1)
        #expect(down.stderr.contains("cannot verify 127.0.0.1:1/demo/app@"))
        #expect(down.stderr.contains("unreachable"))
        try "kind: ArtifactPolicy\nmetadata: { name: x }\nspec: { images: [a], bogus: 1 }\n".write(
            to: policy, atomically: true, encoding: .utf8)
        let invalid = try CommandRunner.run(["artifact", "verify", "a@\(Fixtures.digest)", "--policy", policy.path])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("bogus"))
    }

    @Test func admissionReviewAnswersFromAFile() async throws {
        let fixture = try await RegistryFixture.get()
        let shared = CommandRunner.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/testdata/webhooks/k8s.admissionreview.v1.pod-create.request.json").path
        let denied = try CommandRunner.run(["admission", "review", shared, "--policy", fixture.policyPath])
        #expect(denied.status == 3)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(denied.stdout.utf8)) as? [String: Any])
        let response = try #require(json["response"] as? [String: Any])
        #expect(response["uid"] as? String == "e94a7790-a4fc-11e9-a276-42010a3e0104")
        #expect(response["allowed"] as? Bool == false)
        #expect(
            ((response["status"] as? [String: Any])?["message"] as? String)?.contains(
                "keymaker-client:latest is not pinned by digest") == true)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("admission-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func pod(_ images: [String]) throws -> String {
            let object = "{\"spec\":\(AdmissionTests.podSpec(images))}"
            let path = dir.appendingPathComponent("\(UUID().uuidString).json")
            try Data(AdmissionTests.review(kind: "Pod", object: object)).write(to: path)
            return path.path
        }
        let good = try fixture.reference("app")
        let live = try CommandRunner.run([
            "admission", "review", try pod([good]), "--policy", fixture.policyPath, "--verify",
        ])
        #expect(live.status == 0, "\(live.stdout)\(live.stderr)")
        #expect(live.stdout.contains("\"allowed\":true"))
        let feature = try fixture.reference("featureref")
        let rejected = try CommandRunner.run([
            "admission", "review", try pod([good, feature]), "--policy", fixture.policyPath, "--verify",
        ])
        #expect(rejected.status == 3)
        #expect(
            rejected.stdout.contains(
                "container c1: image \(fixture.registry)/demo/featureref@\(fixture.digest) is rejected"))
        #expect(!rejected.stdout.contains("container c0"))
        // Evidence that names neither the policy definition nor the repository it was made under approves nothing:
        // admission cannot tell it from a verification under an earlier policy, or of a copy in another repository.
        let evidence = dir.appendingPathComponent("evidence.json")
        try """
        {"artifactVerifications": [{"id": "v1", "digest": "\(fixture.digest)", "policy": "signed-from-main", "verified": true, "at": "2026-12-01T00:00:00Z"}]}
        """.write(to: evidence, atomically: true, encoding: .utf8)
        let unbound = try CommandRunner.run([
            "admission", "review", try pod([good]), "--policy", fixture.policyPath, "--evidence", evidence.path,
        ])
        #expect(unbound.status == 3, "\(unbound.stdout)\(unbound.stderr)")
        #expect(
            unbound.stdout.contains(
                "has no verification under ArtifactPolicy signed-from-main as defined now in \(fixture.registry)/demo/app"
            ))
        // The evidence `artifact verify` writes is what `admission review` (and `gate evaluate`) read.
        let written = try CommandRunner.run([
            "artifact", "verify", good, "--policy", fixture.policyPath, "--output", "evidence",
        ])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("signed by release.pub"))
        let chained = dir.appendingPathComponent("written.json")
        try written.stdout.write(to: chained, atomically: true, encoding: .utf8)
        let fromVerify = try CommandRunner.run([
            "admission", "review", try pod([good]), "--policy", fixture.policyPath, "--evidence", chained.path,
        ])
        #expect(fromVerify.status == 0, "\(fromVerify.stdout)\(fromVerify.stderr)")
        let rejectedEvidence = try CommandRunner.run([
            "artifact", "verify", feature, "--policy", fixture.policyPath, "--output", "evidence",
        ])
        #expect(rejectedEvidence.status == 3)
        try rejectedEvidence.stdout.write(to: chained, atomically: true, encoding: .utf8)
        let fromRejection = try CommandRunner.run([
            "admission", "review", try pod([feature]), "--policy", fixture.policyPath, "--evidence", chained.path,
        ])
        #expect(fromRejection.status == 3)
        #expect(fromRejection.stdout.contains("was rejected under ArtifactPolicy signed-from-main: "))
        #expect(fromRejection.stdout.contains("provenance source ref refs/heads/feature/x does not match"))
        // The policy binds signatures to the repository: the rejection of the copy in demo/featureref says nothing
        // about demo/app (nor would its verification approve it).
        let elsewhere = try CommandRunner.run([
            "admission", "review", try pod([good]), "--policy", fixture.policyPath, "--evidence", chained.path,
        ])
        #expect(elsewhere.status == 3)
        #expect(elsewhere.stdout.contains("has no verification under ArtifactPolicy signed-from-main as defined now"))
        // Evidence made under another definition of the policy (here: one hash off) approves nothing.
        let stale = written.stdout.replacingOccurrences(
            of: "\"policyHash\": \"sha256:", with: "\"policyHash\": \"sha256:0")
        #expect(stale != written.stdout)
        try String(stale).write(to: chained, atomically: true, encoding: .utf8)
        let fromStale = try CommandRunner.run([
            "admission", "review", try pod([good]), "--policy", fixture.policyPath, "--evidence", chained.path,
        ])
        #expect(fromStale.status == 3, "\(fromStale.stdout)")
        let uncovered = try CommandRunner.run([
            "admission", "review", try pod(["elsewhere.example/app@\(fixture.digest)"]), "--policy", fixture.policyPath,
            "--evidence", evidence.path,
        ])
        #expect(uncovered.status == 3)
        #expect(uncovered.stdout.contains("is not covered by any ArtifactPolicy"))
    }
}
