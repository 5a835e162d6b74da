import ArgumentParser
import CountersignCore
internal import CountersignEncoding
import Foundation

/// What `policy lint` and `policy test` print, in the form a person or a CI system reads: text, JSON, JUnit XML
/// (which CI systems render as test results) or GitHub Actions workflow commands (`::error file=…,line=…::`, which
/// GitHub shows on the lines of the pull request).
enum PolicyReport: String, ExpressibleByArgument, CaseIterable {
    case text, json, junit, github

    /// A lint's outcome: the bundle's summary, or every issue.
    func lint(_ outcome: Result<PolicyBundle, PolicyError>) -> String {
        switch (self, outcome) {
        case (.text, .success(let bundle)):
            return "ok: \(bundle.environments.count) environments, \(bundle.teams.count) teams, "
                + "\(bundle.identities.count) identities, \(bundle.tiers.count) tiers, \(bundle.freezes.count) freezes, "
                + "\(bundle.artifactPolicies.count) artifact policies; policy \(bundle.hash)"
        case (.text, .failure(let error)):
            return
                (error.issues.map(\.description)
                + ["\(error.issues.count) error\(error.issues.count == 1 ? "" : "s")"]).joined(separator: "\n")
        case (.json, _):
            let issues = (try? outcome.get()) == nil ? Self.issues(outcome) : []
            var members: [(String, JSONValue)] = [
                ("ok", .bool(issues.isEmpty)),
                ("issues", .array(issues.map(Self.json))),
            ]
            if case .success(let bundle) = outcome { members.append(("policy", .string(bundle.hash))) }
            return JSONValue.object(members).canonicalString
        case (.junit, _):
            let issues = Self.issues(outcome)
            let cases =
                issues.isEmpty
                ? [#"    <testcase classname="policy.lint" name="the policy loads"/>"#]
                : issues.map { issue in
                    #"    <testcase classname="policy.lint" name="\#(Self.xml(issue.location))" file="\#(Self.xml(issue.file))" line="\#(issue.line)">"#
                        + "\n"
                        + #"      <failure message="\#(Self.xml(issue.message))">\#(Self.xml(issue.description))</failure>"#
                        + "\n    </testcase>"
                }
            return Self.junit([("policy lint", max(1, issues.count), issues.count, cases)])
        case (.github, .success(let bundle)):
            return "::notice title=policy lint::the policy loads (\(bundle.hash))"
        case (.github, .failure(let error)):
            return error.issues.map { Self.annotation($0.file, $0.line, "policy lint", $0.message) }
                .joined(separator: "\n")
        }
    }

    /// A test run's outcome: each case, then `N passed, N failed`.
    func test(_ results: [PolicyTestRunner.CaseResult]) -> String {
        let failed = results.filter { !$0.passed }.count
        let summary = "\(results.count - failed) passed, \(failed) failed"
        switch self {
        case .text:
            var lines: [String] = []
            for r in results {
                lines.append("\(r.passed ? "PASS" : "FAIL") \(r.suite) / \(r.name)")
                lines += r.failures.map { "    \($0)" }
            }
            return (lines + [summary]).joined(separator: "\n")
        case .json:
            return JSONValue.object([
                ("passed", .number(Double(results.count - failed))), ("failed", .number(Double(failed))),
                (
                    "cases",
                    .array(
                        results.map { r in
                            .object([
                                ("suite", .string(r.suite)), ("name", .string(r.name)), ("file", .string(r.file)),
                                ("line", .number(Double(r.line))), ("passed", .bool(r.passed)),
                                ("failures", .array(r.failures.map(JSONValue.string))),
                            ])
                        })
                ),
            ]).canonicalString
        case .junit:
            var suites: [(String, Int, Int, [String])] = []
            let names = results.map(\.suite).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for suite in names {
                let mine = results.filter { $0.suite == suite }
                let cases = mine.map { r in
                    let open =
                        #"    <testcase classname="\#(Self.xml(suite))" name="\#(Self.xml(r.name))" file="\#(Self.xml(r.file))" line="\#(r.line)""#
                    guard !r.passed else { return open + "/>" }
                    return open + ">\n"
                        + #"      <failure message="\#(Self.xml(r.failures.first ?? ""))">\#(Self.xml(r.failures.joined(separator: "\n")))</failure>"#
                        + "\n    </testcase>"
                }
                suites.append((suite, mine.count, mine.filter { !$0.passed }.count, cases))
            }
            return Self.junit(suites)
        case .github:
            let annotations = results.filter { !$0.passed }.map { r in
                Self.annotation(r.file, r.line, "\(r.suite) / \(r.name)", r.failures.joined(separator: "\n"))
            }
            return (annotations + [summary]).joined(separator: "\n")
        }
    }

    /// Issues that stop a test run before any case runs (the bundle or a test document does not load).
    func testIssues(_ error: PolicyError) -> String {
        switch self {
        case .text: return error.issues.map(\.description).joined(separator: "\n")
        case .json, .junit, .github: return lint(.failure(error))
        }
    }

    private static func issues(_ outcome: Result<PolicyBundle, PolicyError>) -> [PolicyIssue] {
        if case .failure(let error) = outcome { return error.issues }
        return []
    }

    private static func json(_ issue: PolicyIssue) -> JSONValue {
        .object([
            ("file", .string(issue.file)), ("line", .number(Double(issue.line))), ("message", .string(issue.message)),
        ])
    }

    private static func junit(_ suites: [(name: String, tests: Int, failures: Int, cases: [String])]) -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        lines.append(
            #"<testsuites tests="\#(suites.map(\.tests).reduce(0, +))" failures="\#(suites.map(\.failures).reduce(0, +))">"#
        )
        for s in suites {
            lines.append(#"  <testsuite name="\#(xml(s.name))" tests="\#(s.tests)" failures="\#(s.failures)">"#)
            lines += s.cases
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n")
    }

    /// Text in XML content or an attribute.
    private static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out += "&#\(scalar.value);"
            // Characters XML 1.0 cannot hold at all (other controls, surrogates are not scalars).
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A GitHub Actions error annotation: `%`, CR and LF escaped in the message, and also `:` and `,` in properties,
    /// so no value can end the command early or forge another.
    private static func annotation(_ file: String, _ line: Int, _ title: String, _ message: String) -> String {
        func data(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        func property(_ s: String) -> String {
            data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        let place = line > 0 ? "file=\(property(file)),line=\(line)," : "file=\(property(file)),"
        return "::error \(place)title=\(property(title))::\(data(message))"
    }
}

extension PolicyIssue {
    /// `file:line`, naming a JUnit case.
    var location: String { line > 0 ? "\(file):\(line)" : file }
}
