import CountersignTesting
import Foundation
import Testing

/// `countersign policy lint|test` and `countersign gate evaluate`, run as users run them.
@Suite struct CommandTests {
    @Test func lintAcceptsTheExamplesAndReportsEveryError() throws {
        let ok = try CommandRunner.run(["policy", "lint", "examples/policy"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("ok: 3 environments, 6 teams, 8 identities, 5 tiers, 2 freezes"))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: t }
        spec:
          priority: 1
          match: "change.kind == "
          controls: { checks: [unit], approvers: [] }
        """.write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["policy", "lint", dir.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.yaml:6: Tier t.match: Syntax error"))
        #expect(bad.stderr.contains("bad.yaml:7: Tier t.controls: unknown field 'approvers'"))
        #expect(bad.stderr.contains("2 errors"))
    }

    @Test func policyTestsPassForTheExamples() throws {
        let r = try CommandRunner.run(["policy", "test", "examples/policy", "--tests", "examples/tests"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").last == "73 passed, 0 failed")
    }

    @Test(arguments: [
        ("2026-11-03T10:00:00Z", Int32(2), "PENDING"), ("2026-11-27T12:00:00Z", 3, "DENIED"),
    ])
    func gateEvaluateExitsWithTheVerdict(_ at: String, _ status: Int32, _ headline: String) throws {
        let r = try CommandRunner.run([
            "gate", "evaluate", "--policy", "examples/policy", "--request", "examples/requests/payments-migration.json",
            "--evidence", "examples/requests/payments-migration.evidence.json", "--at", at,
        ])
        #expect(r.status == status, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("\(headline): payments → production (tier schema-migration)"))
    }

    @Test func gateEvaluatePrintsJSON() throws {
        let r = try CommandRunner.run([
            "gate", "evaluate", "--policy", "examples/policy", "--request", "examples/requests/payments-migration.json",
            "--at", "2026-11-03T10:00:00Z", "--output", "json",
        ])
        #expect(r.status == 2)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(json?["verdict"] as? String == "pending")
        #expect(json?["tier"] as? String == "schema-migration")
        #expect((json?["policyHash"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test func gateEvaluateRejectsBadInputWithExitOne() throws {
        let missing = try CommandRunner.run([
            "gate", "evaluate", "--policy", "examples/policy", "--request", "examples/tests/gate.yaml",
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("examples/tests/gate.yaml: invalid JSON"), "\(missing.stderr)")
        let badTime = try CommandRunner.run([
            "gate", "evaluate", "--policy", "examples/policy", "--request", "examples/requests/payments-migration.json",
            "--at", "yesterday",
        ])
        #expect(badTime.status != 0)
        #expect(badTime.stderr.contains("--at must be an RFC 3339 time"))
    }

    /// A failure is its message alone on standard error and exit status 1 (ExitStatus.swift), whichever command
    /// raised it; ArgumentParser's "Error:" prefix and usage text are for usage errors only.
    @Test func aFailureIsItsMessageAloneWithExitOne() throws {
        let key = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try "keep me".write(to: key, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: key) }
        let exists = try CommandRunner.run(["keys", "generate", "--name", "x.example/ledger", "--out", key.path])
        #expect(exists.status == 1)
        #expect(exists.stderr == "\(key.path) exists; refusing to overwrite a key\n")
        #expect(try String(contentsOf: key, encoding: .utf8) == "keep me")

        let policy = try CommandRunner.run(["gate", "evaluate", "--policy", "/nonexistent", "--request", "x.json"])
        #expect(policy.status == 1)
        #expect(!policy.stderr.contains("Error:") && !policy.stderr.contains("Usage:"), "\(policy.stderr)")
        #expect(policy.stderr.contains("/nonexistent"), "\(policy.stderr)")
    }

    /// A decision is a pure function of its inputs, in every process: the evidence ids of the approvals it counted
    /// come out in the approvers' order, not in the order of a dictionary whose hash seed each process draws anew.
    @Test func aDecisionIsTheSameInEveryProcess() throws {
        let example = try String(contentsOfFile: "examples/requests/payments-migration.evidence.json", encoding: .utf8)
        let digest = "sha256:4d9f3e1c2b7a6f5e8d0c9b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e"
        let second = """
            {"id": "apr-300", "approver": "dave", "digest": "\(digest)", "environment": "production",
             "state": "granted", "at": "2026-11-03T09:45:00Z"},
            """
        let evidence = example.replacingOccurrences(of: #""approvals": ["#, with: #""approvals": ["# + second)
        #expect(evidence != example)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID().uuidString).json")
        try evidence.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var outputs: Set<String> = []
        for _ in 0..<6 {
            let r = try CommandRunner.run([
                "gate", "evaluate", "--policy", "examples/policy", "--request",
                "examples/requests/payments-migration.json", "--evidence", file.path, "--at", "2026-11-03T10:00:00Z",
                "--output", "json",
            ])
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            outputs.insert(r.stdout)
        }
        #expect(outputs.count == 1, "\(outputs)")
        let json = try JSONSerialization.jsonObject(with: Data(outputs.first!.utf8)) as? [String: Any]
        let ids = (json?["evidenceIDs"] as? [String] ?? []).filter { $0.hasPrefix("apr-") }
        #expect(ids == ["apr-301", "apr-300"], "alice@example.com's approval, then dave's")
    }
}
