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
