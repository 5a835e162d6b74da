import AsyncHTTPClient
import CountersignCanary
import CountersignControl
import CountersignLedger
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Issue 17, item 7: Kayenta executions live in the ledger. Any node answers Argo's poll, a node that starts
/// judges what another left running, and an execution judged twice (two nodes resumed it) is recorded once.
@Suite struct KayentaPersistenceTests {
    static let configuration = #"""
        {"id": "success-rate", "name": "success-rate",
         "metrics": [{"name": "success", "groups": ["health"],
                      "query": {"type": "prometheus", "metricName": "canary_success_rate",
                                "customFilter": "track=\"${scope}\""},
                      "analysisConfigurations": {"canary": {"direction": "decrease"}}}],
         "classifier": {"groupWeights": {"health": 100}}}
        """#
    // The test Prometheus's history starts at 2026-01-01T00:00:00Z.
    static let body = """
        {"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {
          "controlScope": {"scope": "baseline", "start": \(1_767_225_600 + 600), "end": \(1_767_225_600 + 1_800)},
          "experimentScope": {"scope": "canary", "start": \(1_767_225_600 + 600), "end": \(1_767_225_600 + 1_800)}}}}
        """

    static func prometheus() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PROMETHEUS"],
            "COUNTERSIGN_TEST_PROMETHEUS is not set: run the suite through scripts/test.sh, which starts Prometheus")
    }

    /// A service that stopped before judging (its node went away) leaves the execution running in the ledger; the
    /// next service judges it. The first service, judging it after all, finds it finished and records nothing.
    @Test func anExecutionLeftRunningIsJudgedOnceByTheNextService() async throws {
        let f = try await ServerFixture()
        let config = try CanaryConfiguration.decode(json: Data(Self.configuration.utf8))
        let gone = try f.control.kayenta(configurations: [config], prometheus: try Self.prometheus())
        let started = await gone.handle(
            method: "POST", path: "/canary/success-rate", query: [:], body: Array(Self.body.utf8))
        #expect(started.status == 200)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(started.body)) as? [String: Any])?["canaryExecutionId"]
                as? String)
        func status(_ api: KayentaAPI) async throws -> [String: Any] {
            let r = await api.handle(method: "GET", path: "/canary/\(id)", query: [:], body: [])
            #expect(r.status == 200, "\(String(decoding: r.body, as: UTF8.self))")
            return try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        }
        #expect(try await status(gone)["status"] as? String == "running")

        let next = try f.control.kayenta(configurations: [config], prometheus: try Self.prometheus())
        #expect(try await status(next)["status"] as? String == "running", "another service reads the same store")
        let judged = try await next.service.whileRunning { () async throws -> String in
            for _ in 0..<100 {
                let s = try await status(next)
                if s["complete"] as? Bool == true { return s["status"] as? String ?? "" }
                try await Task.sleep(for: .milliseconds(50))
            }
            return "still running"
        }
        #expect(judged == "succeeded")
        // The first service comes back and judges what it had queued: the store keeps the first judgement.
        await gone.service.whileRunning { try? await Task.sleep(for: .milliseconds(300)) }
        let rows = try await f.control.store.lookup(
            "SELECT type, COUNT(*) FROM entries WHERE type IN ('canary.execution', 'canary.judged') GROUP BY type ORDER BY type",
            [])
        #expect(
            rows.rows == [[.text("canary.execution"), .integer(2)], [.text("canary.judged"), .integer(1)]],
            "\(rows.rows)")
        #expect(try await status(gone)["status"] as? String == "succeeded")
    }

    /// Two `countersign serve` nodes on one PostgreSQL: Argo's poll is answered by either, and a node killed right
    /// after starting an execution loses nothing — the node that replaces it judges whatever it left running.
    @Test func anyNodeAnswersAndAKilledNodeLosesNothing() async throws {
        let database = try TestPostgres.freshLedgerURL()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kayenta-nodes-\(UUID())")
        let configs = dir.appendingPathComponent("canary")
        try FileManager.default.createDirectory(at: configs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.configuration.write(
            to: configs.appendingPathComponent("success-rate.json"), atomically: true, encoding: .utf8)
        let policy = dir.appendingPathComponent("policy.yaml").path
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let token = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        let options = ["--prometheus", try Self.prometheus(), "--canary-configs", configs.path]
        let a = try ScaleOutTests.Server(database: database, policy: policy, options)
        let b = try ScaleOutTests.Server(database: database, policy: policy, options)
        defer { _ = b.stop() }
        func start(_ node: ScaleOutTests.Server) async throws -> String {
            let (code, text) = try await ScaleOutTests.post(
                "http://127.0.0.1:\(node.port)/kayenta/\(token)/canary/success-rate", token: token, body: Self.body)
            #expect(code == 200, "\(text)")
            return try #require(
                (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["canaryExecutionId"]
                    as? String)
        }
        func poll(_ node: ScaleOutTests.Server, _ id: String) async throws -> [String: Any] {
            var status: [String: Any] = [:]
            for _ in 0..<150 {
                let (code, text) = try await StoreOutageTests.get(
                    "http://127.0.0.1:\(node.port)/kayenta/\(token)/canary/\(id)")
                #expect(code == 200, "node \(node.port) answers for any node's execution: \(text)")
                status = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                if status["complete"] as? Bool == true { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return status
        }
        let first = try await start(a)
        #expect(try await poll(b, first)["status"] as? String == "succeeded")

        // Killed at once: it may or may not have judged. Its replacement judges what it left.
        let second = try await start(a)
        a.process.signal(SIGKILL)
        a.process.waitUntilExit()
        let replacement = try ScaleOutTests.Server(database: database, policy: policy, options)
        defer { _ = replacement.stop() }
        #expect(try await poll(b, second)["status"] as? String == "succeeded")
        #expect(try await poll(replacement, second)["status"] as? String == "succeeded")
        let judged = try CommandRunner.run([
            "audit", "query", "--database", database, "--audit-database", try ScaleOutTests.auditRole(database),
            "--output", "csv",
            "SELECT COUNT(*) AS n FROM entries WHERE type = 'canary.judged'",
        ])
        #expect(judged.stdout == "n\r\n2\r\n", "each execution judged once: \(judged.stdout)\(judged.stderr)")
    }
}
