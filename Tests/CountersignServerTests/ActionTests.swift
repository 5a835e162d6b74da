import AsyncHTTPClient
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import Yams

/// Issue 17, item 6: the GitHub Action at the repository's root. Its metadata and the example workflow are checked
/// against SchemaStore's schemas for GitHub (check-jsonschema's vendored `github-actions` and `github-workflows`),
/// its script with shellcheck, every use of it against its declared inputs; and the script itself runs as a job
/// would, with GitHub Actions' environment, against a running server and an OIDC issuer of our own.
@Suite struct ActionTests {
    static let root = CommandRunner.repositoryRoot

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String
    ) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let (stdout, stderr) = CommandRunner.readBoth(child.standardOutput!, child.standardError!)
        return (child.terminationStatus, String(decoding: stdout + stderr, as: UTF8.self))
    }

    static func checkJSONSchema(_ schema: String, _ file: String) throws -> (status: Int32, output: String) {
        let python = try #require(
            ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PYTHON"],
            "COUNTERSIGN_TEST_PYTHON is not set: run scripts/python-deps.sh")
        return try run(python, ["-m", "check_jsonschema", "--builtin-schema", "vendor.\(schema)", file])
    }

    @Test func theActionAndTheExampleWorkflowAreValid() throws {
        let action = Self.root.appendingPathComponent("action.yml").path
        let workflow = Self.root.appendingPathComponent("examples/github-actions/deploy.yml").path
        let metadata = try Self.checkJSONSchema("github-actions", action)
        #expect(metadata.status == 0, "\(metadata.output)")
        let example = try Self.checkJSONSchema("github-workflows", workflow)
        #expect(example.status == 0, "\(example.output)")
        // The validator refuses what GitHub would: a composite step without its shell.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("action-\(UUID()).yml")
        defer { try? FileManager.default.removeItem(at: broken) }
        try String(contentsOfFile: action, encoding: .utf8).replacingOccurrences(of: "      shell: bash\n", with: "")
            .write(to: broken, atomically: true, encoding: .utf8)
        #expect(try Self.checkJSONSchema("github-actions", broken.path).status != 0)

        let shellcheck = try Self.run("/usr/bin/env", ["shellcheck", "action/run.sh"])
        #expect(shellcheck.status == 0, "\(shellcheck.output)")

        // Every use of the action names inputs it declares, gives the required ones and a command it knows.
        let declared = try #require(
            try Yams.load(yaml: String(contentsOfFile: action, encoding: .utf8)) as? [String: Any])
        let inputs = try #require(declared["inputs"] as? [String: [String: Any]])
        let required = Set(inputs.filter { $0.value["required"] as? Bool == true }.keys)
        let jobs = try #require(
            (try Yams.load(yaml: String(contentsOfFile: workflow, encoding: .utf8)) as? [String: Any])?["jobs"]
                as? [String: [String: Any]])
        var uses = 0
        for (_, job) in jobs {
            for step in job["steps"] as? [[String: Any]] ?? []
            where (step["uses"] as? String)?.hasPrefix("countersign-dev/countersign@") == true {
                uses += 1
                let with = try #require(step["with"] as? [String: Any])
                #expect(
                    Set(with.keys).isSubset(of: Set(inputs.keys)),
                    "undeclared: \(Set(with.keys).subtracting(inputs.keys))")
                #expect(required.isSubset(of: Set(with.keys)))
                #expect(["request", "check", "build"].contains(with["command"] as? String))
            }
        }
        #expect(uses == 2)
    }

    /// The action's script as GitHub runs it: the job's OIDC token from `ACTIONS_ID_TOKEN_REQUEST_URL`, the inputs
    /// as `INPUT_*`, outputs to `GITHUB_OUTPUT`, the summary to `GITHUB_STEP_SUMMARY`.
    @Test func theActionRegistersReportsRequestsAndWaitsAsAJob() async throws {
        let idp = try IdentityProviderFixture()
        let policy =
            ServerFixture.policy + """

                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Environment
                metadata: { name: staging }
                spec: { rank: 10, deployers: [shop-ci], sourceRefs: ["refs/heads/main"] }
                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Identity
                metadata: { name: shop-ci }
                spec:
                  kind: automation
                  roles: [deployer]
                  oidc:
                    - issuer: \(idp.issuer)
                      audience: https://countersign.example
                      claims: { repository: acme/shop, job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/heads/main" }
                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Identity
                metadata: { name: shop-builder }
                spec:
                  kind: automation
                  roles: [builder]
                  oidc:
                    - issuer: \(idp.issuer)
                      audience: https://countersign.example
                      claims: { repository: acme/shop, sub: "repo:acme/shop:ref:refs/heads/main", job_workflow_ref: "acme/shop/.github/workflows/build.yml@*" }
                """
        let fixture = try await ServerFixture(policy: policy)
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let server = try ScaleOutTests.Server(
            database: fixture.directory.appendingPathComponent("ledger.db").path,
            policy: fixture.directory.appendingPathComponent("policy.yaml").path)
        defer { _ = server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let output = fixture.directory.appendingPathComponent("github-output")
        let summary = fixture.directory.appendingPathComponent("github-summary")
        func job(_ name: String, _ inputs: [String: String]) throws -> ChildProcess {
            FileManager.default.createFile(atPath: output.path, contents: nil)
            var environment = [
                "GITHUB_ACTIONS": "true", "GITHUB_SHA": ServerFixture.commit, "GITHUB_REPOSITORY": "acme/shop",
                "GITHUB_RUN_ID": "42", "GITHUB_OUTPUT": output.path, "GITHUB_STEP_SUMMARY": summary.path,
                "ACTIONS_ID_TOKEN_REQUEST_URL": idp.issuer + "/actions/id-token?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": name, "COUNTERSIGN_TOKEN": "",
                "INPUT_SERVER": base, "INPUT_AUDIENCE": "https://countersign.example",
                "INPUT_COUNTERSIGN": try CommandRunner.binary().path,
            ]
            for (key, value) in inputs { environment["INPUT_" + key.uppercased()] = value }
            return try ChildProcess("/bin/bash", ["action/run.sh"], environment: environment)
        }
        func finish(_ child: ChildProcess) -> (status: Int32, output: String) {
            let (stdout, stderr) = CommandRunner.readBoth(child.standardOutput!, child.standardError!)
            return (child.terminationStatus, String(decoding: stdout + stderr, as: UTF8.self))
        }
        let digest = ServerFixture.digest

        // The build job registers its build and reports its tests, as the builder its token names.
        let built = finish(
            try job("shop-build", ["command": "build", "reference": "registry.example.com/shop@\(digest)"]))
        #expect(built.status == 0, "\(built.output)")
        #expect(built.output.contains("registered \(digest) as built from acme/shop@\(ServerFixture.commit)"))
        let checked = finish(
            try job("shop-build", ["command": "check", "digest": digest, "name": "unit", "status": "passed"]))
        #expect(checked.status == 0, "\(checked.output)")
        // The deploy job's token is no builder's: its report is refused, and the job fails saying so.
        let refused = finish(
            try job("shop-deploy", ["command": "check", "digest": digest, "name": "unit", "status": "passed"]))
        #expect(refused.status == 1)
        #expect(
            refused.output.contains("::error title=Countersign::the check could not be reported"), "\(refused.output)")

        // The deploy job asks, and fails with the reasons while nobody has approved.
        let file = fixture.directory.appendingPathComponent("request.json")
        try ServerFixture.requestBody(environment: "staging").write(to: file, atomically: true, encoding: .utf8)
        let pending = finish(try job("shop-deploy", ["command": "request", "request": file.path, "wait": "0"]))
        #expect(pending.status == 1)
        #expect(pending.output.contains("::error title=Countersign::approvals: "), "\(pending.output)")
        #expect(pending.output.contains("::error title=Countersign::still pending after 0 s"), "\(pending.output)")
        let outputs = try String(contentsOf: output, encoding: .utf8)
        #expect(outputs.contains("verdict=pending\n") && outputs.contains("request-id=dr_"), "\(outputs)")
        #expect(try String(contentsOf: summary, encoding: .utf8).contains("### Countersign: pending"))

        // Asked again with time to wait: an owner approves meanwhile, and the job goes on.
        let waiting = try job("shop-deploy", ["command": "request", "request": file.path, "wait": "60"])
        let alice = fixture.tokens["alice"]!
        var approved = false
        for _ in 0..<100 where !approved {
            try await Task.sleep(for: .milliseconds(200))
            let list = try await Self.get(base + "/api/v1/deploy-requests?environment=staging", token: alice)
            let items = (list["items"] as? [[String: Any]]) ?? []
            guard let newest = items.first?["request_id"] as? String,
                !pending.output.contains(newest)
            else { continue }
            approved = try await Self.approve(base, newest, token: alice)
        }
        #expect(approved)
        let allowed = finish(waiting)
        #expect(allowed.status == 0, "\(allowed.output)")
        #expect(allowed.output.contains("ALLOWED: request dr_"), "\(allowed.output)")
        #expect(try String(contentsOf: output, encoding: .utf8).contains("verdict=allowed\n"))

        // Without id-token permission and without a token, the job is told what to add.
        let bare = try ChildProcess(
            "/bin/bash", ["action/run.sh"],
            environment: [
                "INPUT_SERVER": base, "INPUT_COMMAND": "request", "INPUT_REQUEST": file.path,
                "INPUT_COUNTERSIGN": try CommandRunner.binary().path, "COUNTERSIGN_TOKEN": "",
                "ACTIONS_ID_TOKEN_REQUEST_URL": "", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "",
            ])
        let missing = finish(bare)
        #expect(missing.status == 1)
        #expect(missing.output.contains("permissions: id-token: write"), "\(missing.output)")
    }

    static func get(_ url: String, token: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    static func approve(_ base: String, _ id: String, token: String) async throws -> Bool {
        let (status, _) = try await ScaleOutTests.post(
            base + "/api/v1/deploy-requests/\(id)/reviews", token: token, body: #"{"decision": "approve"}"#)
        return status == 200
    }
}
