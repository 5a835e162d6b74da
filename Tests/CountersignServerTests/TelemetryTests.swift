import CountersignTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 19 item 6: logs and traces as an operator collects them, from the real binary. Traces go over OTLP/HTTP to
/// a receiver of our own on 127.0.0.1 (scripts/otlp-receiver.py, decoding with `opentelemetry-proto`): one span per
/// request continuing the caller's W3C `traceparent`, and inside it the decision and the ledger append. Logs are
/// JSON lines: an access line per request with its route, status, identity and request id, carrying the trace id —
/// and never a token, a cookie or the raw path a Kayenta token travels in.
@Suite(.serialized) struct TelemetryTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test func aRequestIsTracedAndLoggedWithoutItsSecrets() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let policy = dir + "/policy.yaml"
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let database = dir + "/ledger.db"
        let deployer = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)

        let python = ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PYTHON"] ?? "python3"
        let receiver = try ChildProcess(
            python,
            [
                CommandRunner.repositoryRoot.appendingPathComponent("scripts/otlp-receiver.py").path,
                dir + "/spans.jsonl", "--port-file", dir + "/port",
            ], standardOutput: .discard, standardError: .discard)
        defer {
            receiver.terminate()
            receiver.waitUntilExit()
        }
        var collector = ""
        for _ in 0..<100 where collector.isEmpty {
            collector =
                (try? String(contentsOfFile: dir + "/port", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if collector.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!collector.isEmpty, "the OTLP receiver did not start (is opentelemetry-proto installed?)")

        let server = try ChildProcess(
            try CommandRunner.binary().path,
            ["serve", "--database", database, "--policy", policy, "--port", "0", "--log-format", "json"],
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collector)", "OTEL_BSP_SCHEDULE_DELAY": "100",
            ])
        let line = String(decoding: CommandRunner.readSome(server.standardOutput!), as: UTF8.self)
        let port = try #require(
            line.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression).map {
                Int(line[$0].split(separator: ":")[1])
            } ?? nil, "\(line)")
        let base = "http://127.0.0.1:\(port)"
        let parent = "00f067aa0ba902b7"
        let created = try Spawn.run(
            "/usr/bin/curl",
            [
                "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", base + "/api/v1/deploy-requests",
                "-H", "Authorization: Bearer \(deployer)", "-H", "Content-Type: application/json",
                "-H", "traceparent: 00-\(Self.traceID)-\(parent)-01", "-H", "X-Request-Id: test-request-1",
                "-H", "Cookie: countersign_session=cookie-secret-value",
                "--data", ServerFixture.requestBody(),
            ])
        #expect(created == "201")
        // A Kayenta address carries a token in its path; the log must not.
        _ = try Spawn.run(
            "/usr/bin/curl",
            ["-sS", "-o", "/dev/null", base + "/kayenta/cst_path-secret-token/canaryConfig?x=query-secret"])
        server.terminate()
        let stderr = String(decoding: CommandRunner.readAll(server.standardError!), as: UTF8.self)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)

        // The log: JSON lines, the access line for the request with its identity, request id and trace id.
        let lines = stderr.split(separator: "\n").map(String.init)
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count, "a log line is not JSON: \(lines.filter { !$0.hasPrefix("{") })")
        let access = try #require(
            objects.first {
                $0["logger"] as? String == "countersign.access" && $0["route"] as? String == "/api/v1/deploy-requests"
            },
            "\(stderr)")
        #expect(access["status"] as? Int == 201)
        #expect(access["identity"] as? String == "deploy-bot")
        #expect(access["request_id"] as? String == "test-request-1")
        #expect(access["trace_id"] as? String == Self.traceID)
        for secret in [deployer, "cookie-secret-value", "cst_path-secret-token", "query-secret"] {
            #expect(!stderr.contains(secret), "the log holds \(secret)")
        }

        // The trace: the request's server span continues the caller's, and the decision and the append are inside it.
        var spans: [[String: Any]] = []
        for _ in 0..<50 {
            let text = (try? String(contentsOfFile: dir + "/spans.jsonl", encoding: .utf8)) ?? ""
            spans = text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            if spans.contains(where: { $0["name"] as? String == "ledger.append" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let ours = spans.filter { $0["traceId"] as? String == Self.traceID }
        let request = try #require(ours.first { $0["kind"] as? String == "server" }, "\(spans)")
        #expect(request["parentSpanId"] as? String == parent)
        #expect(request["serviceName"] as? String == "countersign")
        let decide = try #require(ours.first { $0["name"] as? String == "gate.decide" }, "\(ours.map { $0["name"] })")
        let append = try #require(ours.first { $0["name"] as? String == "ledger.append" })
        // Each is a descendant of the request's span.
        let byID = Dictionary(ours.compactMap { s in (s["spanId"] as? String).map { ($0, s) } }) { a, _ in a }
        func ancestors(_ span: [String: Any]) -> [String] {
            var chain: [String] = []
            var current = span["parentSpanId"] as? String
            while let id = current, let next = byID[id], chain.count < 20 {
                chain.append(id)
                current = next["parentSpanId"] as? String
            }
            return chain
        }
        let requestID = try #require(request["spanId"] as? String)
        #expect(ancestors(decide).contains(requestID))
        #expect(ancestors(append).contains(requestID))
        #expect((decide["attributes"] as? [String: Any])?["countersign.verdict"] as? String == "pending")
    }

    @Test func settingsTheBuildCannotHonourAreRefusedAtStart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-bad-\(UUID())").path
        for (environment, arguments, message) in [
            (
                ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"],
                [String](),
                "OTLP/HTTP only"
            ),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_TRACES_EXPORTER": "zipkin"], [], "only otlp"),
            ([:], ["--log-format", "xml"], "the log format must be text or json"),
            ([:], ["--log-level", "verbose"], "the log level must be one of"),
        ] as [([String: String], [String], String)] {
            let run = try CommandRunner.run(
                ["serve", "--database", dir + "/ledger.db", "--port", "0"] + arguments, environment: environment)
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }

    /// The request id is the caller's only when it is a plain token of at most 64 characters; anything else — too
    /// long, a space, quotes, a path, JSON, a non-ASCII letter — could forge or break a log line in a shipper that
    /// does not quote it, and is replaced by a new id, never echoed.
    @Test func aHostileRequestIDIsReplacedNotEchoed() async throws {
        let f = try await ServerFixture()
        let plain = String(repeating: "a", count: 63) + "Z"
        try await f.application().test(.router) { client in
            let kept = try await client.execute(uri: "/livez", method: .get, headers: [.init("X-Request-Id")!: plain])
            #expect(kept.headers[.init("X-Request-Id")!] == plain)
            for hostile in [
                plain + "a", "a b", #""quoted""#, "../../etc/passwd", #"{"level":"critical"}"#, "été", "id;x=1", "",
            ] {
                let answered = try await client.execute(
                    uri: "/livez", method: .get, headers: [.init("X-Request-Id")!: hostile])
                let id = try #require(answered.headers[.init("X-Request-Id")!], "\(hostile)")
                #expect(id != hostile, "\(hostile) was echoed")
                #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
            }
            // An error's answer carries the id too (answered by the middleware, not lost with the thrown error).
            let refused = try await client.execute(
                uri: "/api/v1/whoami", method: .get, headers: [.init("X-Request-Id")!: "trace-me.1"])
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.init("X-Request-Id")!] == "trace-me.1")
        }
    }
}
