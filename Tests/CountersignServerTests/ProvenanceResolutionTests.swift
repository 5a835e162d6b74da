import AsyncHTTPClient
import CountersignControl
import CountersignCore
import CountersignServer
import CountersignSupplyChain
import CountersignTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17, item 2, by provenance: an ordinary job's deployment names only its commit, and the build whose
/// verified provenance names that commit is the artifact — signed and attested in a real registry
/// (scripts/registry-fixture.py: skopeo, openssl, securesystemslib), verified by the server, bound to the
/// repository and commit the provenance names, and refused for a fork's run of the same commit.
extension GitHubTests {
    static let provenanceCommit = "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"

    @Test func theBuildWhoseVerifiedProvenanceNamesTheCommitIsDeployed() async throws {
        // The registry seeded once for every suite: a seed of this test's own would re-sign the others' images.
        let seed = try await RegistrySeed.get()
        let seeded = seed.directory
        let reference = try #require(seed.references["app"])
        let artifactPolicies = try String(contentsOf: seeded.appendingPathComponent("policy.yaml"), encoding: .utf8)

        let github = try await Self.gitHub(
            pushed: Self.provenanceCommit, in: "acme/app", by: "bob", email: "bob@example.com")
        let f = try await ServerFixture(
            github: GitHubConfiguration(
                webhookSecret: Self.secret, apiBaseURL: github.baseURL, apiToken: "ghs_test", deployer: "deploy-bot"),
            policy: ServerFixture.policy + "\n---\n" + artifactPolicies)
        let verifier = RegistryVerifier(
            client: RegistryClient(httpClient: .shared),
            policies: try VerificationPolicy.all(in: f.control.policy.bundle, keyDirectory: seeded.path))
        var components = ServerComponents(control: f.control)
        components.verifier = verifier
        var deliveries: [String: Data] = [:]
        for (key, repository, run) in [
            ("acme/app", "acme/app", 5), ("mallory/app", "mallory/app", 5), ("rerun", "acme/app", 6),
        ] {
            var rule = try Self.fixture(Self.realShape)
            rule["workflow_run"] = ["id": run]
            rule["environment"] = "production"
            rule["sha"] = Self.provenanceCommit
            rule["repository"] = ["full_name": repository, "name": "app"]
            rule["deployment_callback_url"] =
                github.baseURL + "/repos/\(repository)/actions/runs/\(run)/deployment_protection_rule"
            deliveries[key] = try JSONSerialization.data(withJSONObject: rule)
        }
        let own = try #require(deliveries["acme/app"])
        let fork = try #require(deliveries["mallory/app"])
        let rerun = try #require(deliveries["rerun"])
        try await f.application(components: components).test(.router) { client in
            func outcome(_ data: Data, _ id: String) async throws -> String {
                let answer = try await deliver(client, "deployment_protection_rule", data: data, delivery: id)
                return try #require(try object(answer)["outcome"] as? String)
            }
            #expect(try await outcome(own, "p-1").contains("no build of acme/app@7fd1a60b01f9"))

            // The builder has the server verify the image: signature and SLSA provenance naming acme/app at the commit.
            let verified = try await client.call(
                .post, "/api/v1/artifacts/verify", f.headers("builder"), #"{"reference": "\#(reference)"}"#)
            #expect(verified.status == .ok, "\(String(buffer: verified.body))")
            #expect(
                String(buffer: verified.body).contains(#""verdict":"verified""#), "\(String(buffer: verified.body))")

            // A fork's run of the same commit finds no build of its own.
            let forked = try await outcome(fork, "p-2")
            #expect(forked.contains("no build of mallory/app@7fd1a60b01f9"), "\(forked)")
            #expect(forked.contains("a record for https://github.com/acme/app"), "\(forked)")

            let decided = try await outcome(rerun, "p-3")
            #expect(decided.hasSuffix(": pending"), "\(decided)")
            let id = String(decided.dropFirst("request ".count).prefix { $0 != ":" })
            let status = try object(try await client.call(.get, "/api/v1/deploy-requests/\(id)", f.headers("alice")))
            #expect((status["request"] as? [String: Any])?["artifact"] as? String == reference)
            let digest = try #require(reference.split(separator: "@").last.map(String.init))
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(digest)", "name": "unit", "status": "passed"}"#)
            let approved = try object(
                try await client.call(
                    .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#))
            #expect(approved["verdict"] as? String == "allowed", "\(approved)")
            #expect(Self.message(approved, "source")?.contains("provenance verified under signed-from-main") == true)
        }
    }
}
