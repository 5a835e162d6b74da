import CountersignTesting
import Foundation
import Testing

/// `countersign canary judge`, run as users run it, on the examples/canary bundle (beside the other command tests).
@Suite struct CanaryCommandTests {
    static let config = "examples/canary/config.json"
    static let baseline = "examples/canary/baseline.json"

    @Test func aSimilarCanaryPassesAndASlowOneFails() throws {
        let good = try CommandRunner.run([
            "canary", "judge", "--config", Self.config, "--canary", "examples/canary/canary-good.json", "--baseline",
            Self.baseline,
        ])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("score 100.00: pass"))
        for judge in ["kayenta", "countersign-v1"] {
            let slow = try CommandRunner.run([
                "canary", "judge", "--config", Self.config, "--canary", "examples/canary/canary-slow.json",
                "--baseline", Self.baseline, "--judge", judge, "--output", "json",
            ])
            #expect(slow.status == 3, "\(judge): \(slow.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(slow.stdout.utf8)) as? [String: Any])
            #expect(json["verdict"] as? String == "fail")
            #expect(json["score"] as? Double == 0)
            let metrics = try #require(json["metrics"] as? [[String: Any]])
            let latency = try #require(metrics.first { $0["name"] as? String == "latency_p99" })
            #expect(latency["classification"] as? String == "High")
            #expect(latency["critical"] as? Bool == true)
            let low = try #require(latency["ci_low"] as? Double)
            let high = try #require(latency["ci_high"] as? Double)
            let estimate = try #require(latency["estimate"] as? Double)
            // The slow canary's p99 is about 60 ms higher: the interval must bracket the estimate above zero.
            #expect(0 < low && low <= estimate && estimate <= high && abs(estimate - 0.06) < 0.01)
            #expect((latency["ratio"] as? Double ?? 0) > 1.3)
            #expect(latency["reason"] is String)
        }
    }

    @Test func thresholdsDecideMarginal() throws {
        // Failing only the 30 %-weighted saturation group scores 70: marginal when marginal is 60.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("canary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.baseline)))
            as! [String: [Double]]
        let canary = ["latency_p99": baseline["latency_p99"]!, "cpu": baseline["cpu"]!.map { $0 * 2 }]
        let file = dir.appendingPathComponent("canary.json")
        try JSONSerialization.data(withJSONObject: canary).write(to: file)
        let result = try CommandRunner.run([
            "canary", "judge", "--config", Self.config, "--canary", file.path, "--baseline", Self.baseline,
            "--pass", "90", "--marginal", "60",
        ])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("score 70.00: marginal"))
    }

    @Test func badInputIsAClearErrorWithStatusOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("canary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String, String)] = [
            ("samples", #"{"cpu": [1, true]}"#, "cpu[1] must be a number or null"),
            ("samples", "[1, 2]", "must be an object of arrays of numbers"),
            ("samples", "{not json", "not a samples file"),
            ("config", "[]", "expected an object"),
        ]
        for (kind, text, message) in cases {
            let file = dir.appendingPathComponent("\(kind).json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let result = try CommandRunner.run([
                "canary", "judge", "--config", kind == "config" ? file.path : Self.config, "--canary",
                kind == "samples" ? file.path : Self.baseline, "--baseline", Self.baseline,
            ])
            #expect(result.status == 1, "\(text)")
            #expect(result.stderr.contains(file.path) && result.stderr.contains(message), "\(result.stderr)")
        }
        let missing = try CommandRunner.run([
            "canary", "judge", "--config", Self.config, "--canary", dir.appendingPathComponent("none.json").path,
            "--baseline", Self.baseline,
        ])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read"))
    }
}

/// `countersign canary run` replayed over the real Prometheus of scripts/with-prometheus.sh.
@Suite struct CanaryRunCommandTests {
    static func prometheus() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PROMETHEUS"],
            "COUNTERSIGN_TEST_PROMETHEUS is not set: run the suite through scripts/test.sh, which starts Prometheus")
    }

    static func run(_ service: String, _ extra: [String] = []) throws -> CommandRunner.Run {
        try CommandRunner.run(
            [
                "canary", "run", "--template", "examples/canary/error-ratio.yaml", "--prometheus", try prometheus(),
                "--arg", "service=\(service)", "--replay-from", "2026-01-01T00:01:00Z",
            ] + extra)
    }

    @Test func steadyServiceSucceeds() throws {
        let r = try Self.run("steady")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 10)  // 8 measurements, the metric, the phase
        #expect(lines[0] == "2026-01-01T00:01:00Z  error-ratio  Successful  [0.01]")
        #expect(lines[7].hasPrefix("2026-01-01T00:36:00Z  error-ratio  Successful"))
        #expect(lines.last == "phase: Successful")
    }

    @Test func degradingServiceFailsAtMinuteTwentyOne() throws {
        let r = try Self.run("degrading", ["--output", "json"])
        #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["phase"] as? String == "Failed")
        #expect(
            json["message"] as? String == #"Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0)"#)
        #expect(json["finishedAt"] as? String == "2026-01-01T00:21:00Z")
        let metric = try #require((json["metricResults"] as? [[String: Any]])?.first)
        #expect(metric["count"] as? Int == 5)
        let last = try #require((metric["measurements"] as? [[String: Any]])?.last)
        #expect(last["value"] as? String == "[0.2]")
    }

    @Test func badInputIsExitOne() throws {
        let missingArg = try CommandRunner.run([
            "canary", "run", "--template", "examples/canary/error-ratio.yaml", "--prometheus", try Self.prometheus(),
        ])
        #expect(missingArg.status == 1)
        #expect(missingArg.stderr.contains("argument 'service' has no value"), "\(missingArg.stderr)")
        let missingFile = try CommandRunner.run(["canary", "run", "--template", "nope.yaml"])
        #expect(missingFile.status == 1)
        #expect(missingFile.stderr.contains("nope.yaml: cannot read the file"))
        let badTime = try Self.run("steady", ["--replay-from", "yesterday"])
        #expect(badTime.status == 1)
        #expect(badTime.stderr.contains("not an RFC 3339 time"))
    }
}
