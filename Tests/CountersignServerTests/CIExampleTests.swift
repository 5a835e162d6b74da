import CountersignTesting
import Foundation
import Testing

/// docs/integrations.md's generic CI example, `examples/ci/deploy.sh`, run as a CI stage runs it: against a real
/// server, with the client on the PATH and two automation identities' tokens. And the GitLab pipeline that calls it
/// is valid GitLab CI (check-jsonschema's vendored `gitlab-ci` schema).
@Suite struct CIExampleTests {
    static let policy =
        ServerFixture.policy + """

            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: staging }
            spec: { rank: 10, deployers: [deploy-bot], sourceRefs: ["refs/heads/main"] }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Tier
            metadata: { name: automated }
            spec:
              priority: 20
              match: "true"
              environments: [staging]
              controls: { checks: [unit] }
            """

    @Test func theDeployStageRecordsAndIsGated() async throws {
        let fixture = try await ServerFixture(policy: Self.policy)
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let server = try ScaleOutTests.Server(
            database: fixture.directory.appendingPathComponent("ledger.db").path,
            policy: fixture.directory.appendingPathComponent("policy.yaml").path)
        defer { _ = server.stop() }
        let marker = fixture.directory.appendingPathComponent("deployed")
        func stage(_ digest: String, unit: String, id: String, command: String) throws -> (
            status: Int32, output: String
        ) {
            let binary = try CommandRunner.binary().deletingLastPathComponent().path
            let child = try ChildProcess(
                "/bin/bash", ["examples/ci/deploy.sh"],
                environment: [
                    "PATH": binary + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                    "COUNTERSIGN_SERVER": "http://127.0.0.1:\(server.port)",
                    "COUNTERSIGN_BUILDER_TOKEN": fixture.tokens["builder"]!,
                    "COUNTERSIGN_DEPLOYER_TOKEN": fixture.tokens["deployer"]!,
                    "IMAGE": "registry.example.com/shop@\(digest)", "COMMIT": ServerFixture.commit,
                    "REPOSITORY": "acme/shop", "REF": "refs/heads/main", "SERVICE": "shop", "ENVIRONMENT": "staging",
                    "UNIT_STATUS": unit, "DEPLOY_ID": id, "DEPLOY_COMMAND": command, "WAIT": "0",
                ])
            let (stdout, stderr) = CommandRunner.readBoth(child.standardOutput!, child.standardError!)
            return (child.terminationStatus, String(decoding: stdout + stderr, as: UTF8.self))
        }
        let passed = try stage(
            ServerFixture.digest, unit: "passed", id: "ci-1", command: "echo \"$IMAGE\" > \(marker.path)")
        #expect(passed.status == 0, "\(passed.output)")
        #expect(passed.output.contains("ALLOWED: request dr_"), "\(passed.output)")
        #expect(passed.output.contains("ci-1: succeeded"), "\(passed.output)")
        #expect(try String(contentsOf: marker, encoding: .utf8).contains(ServerFixture.digest), "the deploy ran")
        let deploy = try await ActionTests.get(
            "http://127.0.0.1:\(server.port)/api/v1/deploys/ci-1", token: fixture.tokens["auditor"]!)
        #expect(deploy["status"] as? String == "succeeded", "\(deploy)")

        // A failed unit test: denied, the stage fails with the reason, and nothing is deployed.
        try? FileManager.default.removeItem(at: marker)
        let other = "sha256:" + String(repeating: "cd", count: 32)
        let failed = try stage(other, unit: "failed", id: "ci-2", command: "touch \(marker.path)")
        #expect(failed.status == 3, "\(failed.output)")
        #expect(failed.output.contains("DENIED: request dr_"), "\(failed.output)")
        #expect(failed.output.contains("checks: unit failed"), "\(failed.output)")
        #expect(!FileManager.default.fileExists(atPath: marker.path))

        // A deploy command that fails is recorded as a failed deploy.
        let broken = try stage(ServerFixture.digest, unit: "passed", id: "ci-3", command: "exit 7")
        #expect(broken.status == 1)
        #expect(broken.output.contains("ci-3: failed"), "\(broken.output)")
    }

    @Test func theGitLabPipelineIsValidAndTheScriptIsClean() throws {
        let python = try #require(ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PYTHON"])
        let gitlab = try ActionTests.run(
            python, ["-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci", "examples/ci/gitlab-ci.yml"])
        #expect(gitlab.status == 0, "\(gitlab.output)")
        let shellcheck = try ActionTests.run("/usr/bin/env", ["shellcheck", "examples/ci/deploy.sh"])
        #expect(shellcheck.status == 0, "\(shellcheck.output)")
    }
}

extension CIExampleTests {
    /// docs/integrations.md shows the examples the tests run, as they are.
    @Test func theIntegrationsGuideShowsTheExamplesAsTheyAre() throws {
        let root = CommandRunner.repositoryRoot
        let guide = try String(contentsOf: root.appendingPathComponent("docs/integrations.md"), encoding: .utf8)
        for example in ["examples/ci/deploy.sh", "examples/github-actions/deploy.yml"] {
            let text = try String(contentsOf: root.appendingPathComponent(example), encoding: .utf8)
            #expect(guide.contains("\n" + text + "```\n"), "docs/integrations.md does not show \(example) as it is")
        }
    }
}
