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
