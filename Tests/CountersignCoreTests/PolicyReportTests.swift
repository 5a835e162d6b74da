import CountersignTesting
import Foundation
import Testing

/// `policy lint` and `policy test` with `--output json|junit|github`, as CI systems read them — including the
/// attacker's policy whose text tries to end a GitHub workflow command early or to break the XML.
@Suite struct PolicyReportTests {
    /// A directory with `files`, removed afterwards by the caller.
    static func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// A tier whose match names a field that does not exist, written as a block scalar whose text carries a line
    /// break and what would be a second workflow command, and XML's special characters.
    static let hostile = """
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: "a,b:c" }
        spec:
          priority: 1
          match: |
            change.knd == '''<&"%>
            ::error file=forged.yaml,line=1::forged'''
        """

    /// Parses `xml` with Python's XML parser and returns `tests failures` of the root.
    static func junitCounts(_ xml: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString).xml")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let python = try ChildProcess(
            "/usr/bin/python3",
            [
                "-c",
                "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
                    + "print(r.get('tests'), r.get('failures'), len(r.findall('.//testcase')), len(r.findall('.//failure')))",
                file.path,
            ])
        let (out, err) = CommandRunner.readBoth(python.standardOutput!, python.standardError!)
        #expect(python.terminationStatus == 0, "not well-formed XML: \(String(decoding: err, as: UTF8.self))")
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func lintAnnotatesTheLineForGitHubAndNothingInTheTextEndsTheCommand() throws {
        let dir = try Self.directory(["tiers.yaml": Self.hostile])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CommandRunner.run(["policy", "lint", dir.path, "--output", "github"])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "one annotation, the forged one escaped inside it: \(r.stdout)")
        let line = try #require(lines.first)
        // The tier's match is on line 6.
        #expect(line.hasPrefix("::error file=\(dir.path)/tiers.yaml,line=6,title=policy lint::Tier a,b:c.match:"))
        #expect(line.contains("undefined field 'knd' on countersign.Change"))
        #expect(line.contains("%25") && line.contains("%0A::error file=forged.yaml"))
    }

    @Test func lintWritesJSONAndWellFormedJUnit() throws {
        let dir = try Self.directory(["tiers.yaml": Self.hostile])
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try CommandRunner.run(["policy", "lint", dir.path, "--output", "json"])
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["ok"] as? Bool == false)
        let issue = try #require((report["issues"] as? [[String: Any]])?.first)
        #expect(issue["line"] as? Int == 6 && (issue["file"] as? String)?.hasSuffix("tiers.yaml") == true)
        #expect((issue["message"] as? String)?.contains("undefined field 'knd'") == true)

        let junit = try CommandRunner.run(["policy", "lint", dir.path, "--output", "junit"])
        #expect(junit.status == 1)
        #expect(try Self.junitCounts(junit.stdout) == "1 1 1 1")

        let ok = try CommandRunner.run(["policy", "lint", "examples/policy", "--output", "junit"])
        #expect(ok.status == 0)
        #expect(try Self.junitCounts(ok.stdout) == "1 0 1 0")
        let okJSON = try CommandRunner.run(["policy", "lint", "examples/policy", "--output", "json"])
        #expect(okJSON.stdout.contains(#""ok":true"#) && okJSON.stdout.contains(#""policy":"sha256:"#))
    }

    @Test func testRunsReportEachCaseInEveryForm() throws {
        let passing = try CommandRunner.run([
            "policy", "test", "examples/policy", "--tests", "examples/tests", "--output", "junit",
        ])
        #expect(passing.status == 0, "\(passing.stderr)")
        #expect(try Self.junitCounts(passing.stdout) == "73 0 73 0")

        // The examples' tests with one expectation turned wrong.
        let text = try String(
            contentsOfFile: "\(CommandRunner.repositoryRoot.path)/examples/tests/gate.yaml", encoding: .utf8)
        let wrong = try #require(text.range(of: "verdict: allowed"))
        let dir = try Self.directory(["gate.yaml": text.replacingCharacters(in: wrong, with: "verdict: denied")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let line = text[..<wrong.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).count
        let github = try CommandRunner.run([
            "policy", "test", "examples/policy", "--tests", dir.path, "--output", "github",
        ])
        #expect(github.status == 1)
        let lines = github.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last == "31 passed, 1 failed")
        let annotation = try #require(lines.first { $0.hasPrefix("::error ") })
        #expect(annotation.hasPrefix("::error file=\(dir.path)/gate.yaml,line="))
        #expect(annotation.contains("verdict allowed, expected denied"))
        // The annotation points at the failing case, which starts at or before the changed line.
        let annotated = Int(annotation.split(separator: "line=")[1].prefix { $0.isNumber }) ?? 0
        #expect(annotated > 0 && annotated <= line)

        let json = try CommandRunner.run([
            "policy", "test", "examples/policy", "--tests", dir.path, "--output", "json",
        ])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["passed"] as? Int == 31 && report["failed"] as? Int == 1)
        let failed = try #require((report["cases"] as? [[String: Any]])?.first { $0["passed"] as? Bool == false })
        #expect(failed["line"] as? Int == annotated)
    }
}
