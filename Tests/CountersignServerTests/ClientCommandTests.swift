import CountersignTesting
import Foundation
import Testing

/// The client commands against a running `countersign serve` (issue 17, item 4): a pipeline step is one command,
/// exiting as `gate evaluate` does, with the server and token from the environment.
@Suite struct ClientCommandTests {
    @Test func aPipelineRequestsAndRecordsThroughTheCLI() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("ledger.db").path
        let policy = dir.appendingPathComponent("policy.yaml").path
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let token = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        let server = try ScaleOutTests.Server(database: database, policy: policy)
        defer { _ = server.stop() }
        let env = ["COUNTERSIGN_SERVER": "http://127.0.0.1:\(server.port)", "COUNTERSIGN_TOKEN": token]

        let whoami = try CommandRunner.run(["whoami"], environment: env)
        #expect(whoami.stdout == "deploy-bot (deployer)\n", "\(whoami.stderr)")

        let file = dir.appendingPathComponent("request.json")
        try ServerFixture.requestBody().write(to: file, atomically: true, encoding: .utf8)
        let pending = try CommandRunner.run(["request", "create", file.path, "--wait", "2"], environment: env)
        #expect(pending.status == 2, "\(pending.stdout)\(pending.stderr)")
        #expect(pending.stdout.hasPrefix("PENDING: request dr_"), "\(pending.stdout)")
        let id = try #require(pending.stdout.split(separator: " ").dropFirst(2).first.map(String.init))

        let json = try CommandRunner.run(["request", "create", file.path, "--output", "json"], environment: env)
        #expect(json.status == 2)
        #expect(json.stdout.contains(#""verdict":"pending""#))

        let tagged = dir.appendingPathComponent("tagged.json")
        try ServerFixture.requestBody().replacingOccurrences(of: "refs/heads/main", with: "refs/heads/feature/x")
            .write(to: tagged, atomically: true, encoding: .utf8)
        let denied = try CommandRunner.run(["request", "create", tagged.path], environment: env)
        #expect(denied.status == 3, "\(denied.stdout)\(denied.stderr)")
        #expect(denied.stdout.hasPrefix("DENIED"))
        #expect(denied.stdout.contains("source-ref: refs/heads/feature/x is not an allowed source"), "\(denied.stdout)")
        // A tag is refused before anything is recorded: an error, not a decision.
        let tag = dir.appendingPathComponent("tag.json")
        try ServerFixture.requestBody(artifact: "registry.example.com/shop:1.0")
            .write(to: tag, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run(["request", "create", tag.path], environment: env)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")

        let early = try CommandRunner.run(["deploy", "start", "--request", id], environment: env)
        #expect(early.status == 1)
        #expect(early.stderr.contains("is pending, not allowed"), "\(early.stderr)")

        var anonymous = env
        anonymous["COUNTERSIGN_TOKEN"] = nil
        let none = try CommandRunner.run(["whoami"], environment: anonymous)
        #expect(none.status == 1)
        #expect(none.stderr.contains("no token"))
        let forged = try CommandRunner.run(
            ["whoami", "--token", "cst_" + String(repeating: "A", count: 43)], environment: anonymous)
        #expect(forged.status == 1)
        #expect(forged.stderr.contains("unknown, expired or revoked"), "\(forged.stderr)")
        let missing = try CommandRunner.run(
            ["request", "create", dir.appendingPathComponent("nope.json").path], environment: env)
        #expect(missing.status == 1)
    }
}

extension ClientCommandTests {
    /// Every other client command against one running server: a builder reports a check and registers the build,
    /// the author's approval is refused and another approver's allows, the deploy is recorded, an incident names
    /// it, glass is broken and reviewed, and a rejection denies — each exit status and line as a pipeline sees it.
    @Test func reviewersBuildersAndOnCallWorkThroughTheCLI() async throws {
        // Staging takes the change's people on the request's word (no GitHub here); the tier still wants the unit
        // check and an owner's approval.
        let fixture = try await ServerFixture(
            policy: ServerFixture.policy + """

                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Environment
                metadata: { name: staging }
                spec: { rank: 10, deployers: [deploy-bot], sourceRefs: ["refs/heads/main"] }
                """)
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let server = try ScaleOutTests.Server(
            database: fixture.directory.appendingPathComponent("ledger.db").path,
            policy: fixture.directory.appendingPathComponent("policy.yaml").path)
        defer { _ = server.stop() }
        func run(_ who: String, _ arguments: [String]) throws -> CommandRunner.Run {
            try CommandRunner.run(
                arguments,
                environment: [
                    "COUNTERSIGN_SERVER": "http://127.0.0.1:\(server.port)", "COUNTERSIGN_TOKEN": fixture.tokens[who]!,
                ])
        }
        let file = fixture.directory.appendingPathComponent("request.json")
        try ServerFixture.requestBody(environment: "staging").write(to: file, atomically: true, encoding: .utf8)
        let pending = try run("deployer", ["request", "create", file.path])
        #expect(pending.status == 2, "\(pending.stdout)\(pending.stderr)")
        let id = try #require(pending.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        let digest = ServerFixture.digest

        let check = try run("builder", ["check", "report", "--digest", digest, "--name", "unit", "--status", "passed"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == "check unit passed for \(digest)\n")
        let badStatus = try run("builder", ["check", "report", "--digest", digest, "--name", "unit", "--status", "ok"])
        #expect(badStatus.status == 64, "a usage error, not a report: \(badStatus.stderr)")
        let notBuilder = try run(
            "deployer", ["check", "report", "--digest", digest, "--name", "unit", "--status", "passed"])
        #expect(notBuilder.status == 1)
        #expect(notBuilder.stderr.contains("POST /api/v1/checks:"), "\(notBuilder.stderr)")

        let build = try run(
            "builder",
            [
                "build", "register", "registry.example.com/shop@\(digest)", "--commit", ServerFixture.commit,
                "--repository", "acme/shop",
            ])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout == "registered \(digest) as built from acme/shop@\(ServerFixture.commit)\n")
        let tag = try run(
            "builder",
            [
                "build", "register", "registry.example.com/shop:1.0", "--commit", ServerFixture.commit, "--repository",
                "acme/shop",
            ])
        #expect(tag.status == 1)
        #expect(tag.stderr.contains("is not pinned by digest"), "\(tag.stderr)")
        let noCommit = try run("builder", ["build", "register", "registry.example.com/shop@\(digest)"])
        #expect(noCommit.status == 64)

        // bob wrote the change: his approval is refused, and says why.
        let own = try run("bob", ["approve", id, "--comment", "lgtm"])
        #expect(own.status == 1)
        #expect(own.stderr.contains("bob"), "\(own.stderr)")
        let approved = try run("alice", ["approve", id, "--comment", "looks right"])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout.hasPrefix("ALLOWED: request \(id) (tier standard)"), "\(approved.stdout)")

        let started = try run("deployer", ["deploy", "start", "--request", id, "--id", "ci-run-1"])
        #expect(started.stdout == "ci-run-1\n", "\(started.stderr)")
        let finished = try run(
            "deployer", ["deploy", "finish", "ci-run-1", "--outcome", "rolled_back", "--output", "json"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains(#""status":"rolled_back""#), "\(finished.stdout)")

        let opened = try run(
            "alice", ["incident", "open", "--title", "checkout errors", "--severity", "sev2", "--deploy", "ci-run-1"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let incident = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!incident.isEmpty)
        let grant = try run(
            "bob",
            [
                "breakglass", "invoke", "--freeze", "forever", "--environment", "frozen", "--duration", "600",
                "--service", "shop", "--reason", "checkout is down", "--incident", incident, "--output", "json",
            ])
        #expect(grant.status == 0, "\(grant.stderr)")
        let grantID = try #require(
            (try JSONSerialization.jsonObject(with: Data(grant.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let notOnCall = try run(
            "alice",
            [
                "breakglass", "invoke", "--freeze", "forever", "--environment", "frozen", "--duration", "600",
                "--service", "shop", "--reason", "r", "--incident", incident,
            ])
        #expect(notOnCall.status == 1)
        let selfReview = try run("bob", ["breakglass", "review", grantID, "--outcome", "justified"])
        #expect(selfReview.status == 1)
        let review = try run("admin", ["breakglass", "review", grantID, "--outcome", "justified", "--notes", "outage"])
        #expect(review.stdout == "grant \(grantID) reviewed: justified\n", "\(review.stderr)")

        let resolved = try run("alice", ["incident", "resolve", incident])
        #expect(resolved.stdout == "incident \(incident) resolved\n", "\(resolved.stderr)")
        let twice = try run("alice", ["incident", "resolve", incident])
        #expect(twice.status == 1, "resolving twice is a conflict: \(twice.stdout)")
        let hostile = try run("alice", ["incident", "resolve", "../../tokens"])
        #expect(hostile.status == 1)
        #expect(hostile.stderr.contains("..%2F..%2Ftokens"), "the id stays one path segment: \(hostile.stderr)")

        let second = fixture.directory.appendingPathComponent("second.json")
        try ServerFixture.requestBody(
            artifact: "registry.example.com/shop@sha256:" + String(repeating: "cd", count: 32), environment: "staging"
        )
        .write(to: second, atomically: true, encoding: .utf8)
        let other = try run("deployer", ["request", "create", second.path])
        let otherID = try #require(other.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        let rejected = try run("alice", ["reject", otherID, "--comment", "not this one"])
        #expect(rejected.status == 0, "\(rejected.stderr)")
        #expect(rejected.stdout.hasPrefix("DENIED: request \(otherID)"), "\(rejected.stdout)")
    }
}
