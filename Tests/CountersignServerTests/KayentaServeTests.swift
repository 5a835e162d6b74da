import AsyncHTTPClient
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `countersign serve --prometheus … --canary-configs …` as Argo's Kayenta provider drives it: the executions it
/// starts are judged by the Kayenta service running in the server's service group, and each finished one is on the
/// ledger as `canary.judged`.
@Suite struct KayentaServeTests {
    @Test func argoStartsAnExecutionTheServerJudgesAndRecords() async throws {
        let prometheus = try #require(
            ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PROMETHEUS"],
            "COUNTERSIGN_TEST_PROMETHEUS is not set: run the suite through scripts/test.sh, which starts Prometheus")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kayenta-serve-\(UUID())")
        let configs = dir.appendingPathComponent("canary")
        try FileManager.default.createDirectory(at: configs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try KayentaPersistenceTests.configuration.write(
            to: configs.appendingPathComponent("success-rate.json"), atomically: true, encoding: .utf8)
        // The same judgement of two builds' series, selected by their image digest.
        try #"""
        {"id": "digest-success", "name": "digest-success",
         "metrics": [{"name": "success", "groups": ["health"],
                      "query": {"type": "prometheus", "metricName": "canary_digest_success",
                                "customFilter": "digest=\"${digest}\""},
                      "analysisConfigurations": {"canary": {"direction": "decrease"}}}],
         "classifier": {"groupWeights": {"health": 100}}}
        """#.write(to: configs.appendingPathComponent("digest-success.json"), atomically: true, encoding: .utf8)
        let database = dir.appendingPathComponent("ledger.db").path
        let policy = dir.appendingPathComponent("policy.yaml").path
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let token = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        let server = try ScaleOutTests.Server(
            database: database, policy: policy, ["--prometheus", prometheus, "--canary-configs", configs.path])
        let base = "http://127.0.0.1:\(server.port)/kayenta/\(token)"
        // The test Prometheus's history starts at 2026-01-01T00:00:00Z; the canary's success rate is lower.
        let from = 1_767_225_600 + 10 * 60
        let to = 1_767_225_600 + 30 * 60
        let body = """
            {"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {
              "controlScope": {"scope": "baseline", "start": \(from), "end": \(to)},
              "experimentScope": {"scope": "canary", "start": \(from), "end": \(to)}}}}
            """
        func execute(_ config: String, _ body: String) async throws {
            var start = HTTPClientRequest(url: base + "/canary/\(config)")
            start.method = .POST
            start.headers.add(name: "Content-Type", value: "application/json")
            start.body = .bytes(ByteBuffer(string: body))
            let started = try await HTTPClient.shared.execute(start, timeout: .seconds(30))
            let startedBody = String(buffer: try await started.body.collect(upTo: 1 << 20))
            #expect(started.status.code == 200, "\(startedBody)")
            let id = try #require(
                (try JSONSerialization.jsonObject(with: Data(startedBody.utf8)) as? [String: Any])?["canaryExecutionId"]
                    as? String)
            var status: [String: Any] = [:]
            for _ in 0..<100 {
                let (code, text) = try await StoreOutageTests.get(base + "/canary/\(id)")
                #expect(code == 200, "\(text)")
                status = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                if status["complete"] as? Bool == true { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status["complete"] as? Bool == true, "the running server judged the execution: \(status)")
            #expect(status["status"] as? String == "succeeded", "\(config): \(status)")
        }
        try await execute("success-rate", body)
        // Bound to a digest and environment: the canary scope names them, the baseline another build, and the
        // configuration's query selects each build's series by its digest.
        let canary = "sha256:" + String(repeating: "c", count: 64)
        let baseline = "sha256:" + String(repeating: "b", count: 64)
        func scoped(_ control: String, _ experiment: String) -> String {
            """
            {"thresholds": {"pass": 90, "marginal": 75}, "scopes": {"default": {
              "controlScope": {"scope": "baseline", "start": \(from), "end": \(to),
                               "extendedScopeParams": {\(control)}},
              "experimentScope": {"scope": "canary", "start": \(from), "end": \(to),
                                  "extendedScopeParams": {\(experiment)}}}}}
            """
        }
        let bound = #""environment": "Production", "digest": "\#(canary)""#
        try await execute("digest-success", scoped(#""digest": "\#(baseline)""#, bound))
        // A canary compared with itself judges nothing; nor does a digest the query does not select by.
        try await execute("digest-success", scoped(#""digest": "\#(canary)""#, bound))
        try await execute("success-rate", scoped(#""digest": "\#(baseline)""#, bound))
        #expect(server.stop() == 0, "a graceful shutdown waits for the Kayenta service too")
        let recorded = try CommandRunner.run([
            "audit", "query", "--database", database, "--output", "csv",
            "SELECT COUNT(*) AS n FROM entries WHERE type = 'canary.judged'",
        ])
        #expect(recorded.stdout == "n\r\n4\r\n", "\(recorded.stdout)\(recorded.stderr)")
        let verdicts = try CommandRunner.run([
            "audit", "query", "--database", database, "--output", "csv",
            "SELECT digest, environment, template, outcome, judged_by FROM canary_verdicts",
        ])
        #expect(
            verdicts.stdout
                == "digest,environment,template,outcome,judged_by\r\n\(canary),production,digest-success,pass,countersign\r\n",
            "only the bound execution gates: \(verdicts.stdout)\(verdicts.stderr)")
    }
}
