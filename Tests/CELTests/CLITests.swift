import CountersignTesting
import Testing

/// Runs the real `countersign` binary (built next to the test bundle by `swift test`) and checks its output and
/// exit status.
@Suite struct CLITests {
    static func run(_ arguments: [String]) throws -> CommandRunner.Run { try CommandRunner.run(arguments) }

    @Test func evalPrintsBooleans() throws {
        let r = try Self.run(["cel", "eval", "[1, 2, 3].exists(x, x > 2)"])
        #expect(r.status == 0)
        #expect(r.stdout == "true\n")
    }

    @Test func evalBindsJSONVariables() throws {
        let r = try Self.run([
            "cel", "eval", "--var",
            #"request={"ref": "refs/heads/main", "approvals": ["alice", "bob"], "tier": "low"}"#,
            "request.ref.startsWith('refs/heads/') && request.approvals.size() >= 2 && request.tier in ['low','medium']",
        ])
        #expect(r.status == 0)
        #expect(r.stdout == "true\n")
        let list = try Self.run(["cel", "eval", "--var", "n=3", "[1, 2].map(x, x * n)"])
        #expect(list.stdout == "[3, 6]\n")
    }

    @Test func evaluationErrorExitsOne() throws {
        let r = try Self.run(["cel", "eval", "1 / 0"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("division by zero"))
    }

    @Test func parseErrorExitsTwoWithCaret() throws {
        let r = try Self.run(["cel", "eval", "1 + )"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("<input>:1:5"))
        #expect(r.stderr.contains(" | ....^"))
    }

    @Test func typeErrorExitsTwo() throws {
        let r = try Self.run(["cel", "eval", "1 + 'a'"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no matching overload"))
    }

    @Test func badVariableJSONIsAUsageError() throws {
        let r = try Self.run(["cel", "eval", "--var", "x={", "x"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--var x"))
    }

    @Test func conformanceCommandPrintsTheTable() throws {
        let r = try Self.run([
            "cel", "conformance", ConformanceTests.dataDirectory, "--skip-list", ConformanceTests.skipListPath,
            "--file", "basic", "--file", "logic",
        ])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("file") == true)
        #expect(lines.contains { $0.hasPrefix("basic ") })
        #expect(lines.last == "73 passed, 0 failed")
        let missing = try Self.run(["cel", "conformance", "/nonexistent"])
        #expect(missing.status != 0)
    }
}
