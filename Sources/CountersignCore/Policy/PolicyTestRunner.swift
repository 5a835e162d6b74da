internal import CountersignEncoding
public import Foundation
internal import Yams

/// Policy unit tests, the way `opa test` works: `PolicyTest` documents give a request, evidence and a time,
/// and the expected verdict, tier and reasons; the runner decides each case against the bundle.
public enum PolicyTestRunner {
    /// One case's outcome.
    public struct CaseResult: Sendable {
        public let suite: String
        public let name: String
        /// Where the case is written, for annotations (`file:line`).
        public var file = ""
        public var line = 0
        /// Why it failed, or empty when it passed.
        public let failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    /// Runs every `PolicyTest` document found at `path` (a file or a directory) against `bundle`.
    public static func run(path: String, bundle: PolicyBundle) throws(PolicyError) -> [CaseResult] {
        var results: [CaseResult] = []
        var issues: [PolicyIssue] = []
        for file in yamlFiles(path) {
            guard let data = FileContents.read(atPath: file), let text = String(data: data, encoding: .utf8) else {
                issues.append(PolicyIssue(file: file, line: 0, message: "cannot read the file"))
                continue
            }
            do {
                var documents = try Yams.compose_all(yaml: text)
                defer {
                    if let e = documents.error {
                        issues.append(PolicyIssue(file: file, line: 0, message: "invalid YAML: \(e)"))
                    }
                }
                while let document = documents.next() {
                    guard document.mapping?["kind"]?.scalar?.string == "PolicyTest" else { continue }
                    let suite = document.mapping?["metadata"]?.mapping?["name"]?.scalar?.string ?? file
                    guard let cases = document.mapping?["spec"]?.mapping?["cases"]?.sequence else {
                        issues.append(
                            PolicyIssue(
                                file: file, line: document.mark?.line ?? 0,
                                message: "PolicyTest \(suite): spec.cases must be a list"))
                        continue
                    }
                    for c in cases {
                        switch runCase(c, suite: suite, bundle: bundle) {
                        case .success(var r):
                            r.file = file
                            r.line = c.mark?.line ?? 0
                            results.append(r)
                        case .failure(let error):
                            issues.append(
                                PolicyIssue(
                                    file: file, line: c.mark?.line ?? 0,
                                    message: "PolicyTest \(suite): \(error.message)"))
                        }
                    }
                }
            } catch {
                issues.append(PolicyIssue(file: file, line: 0, message: "invalid YAML: \(error)"))
            }
        }
        if !issues.isEmpty { throw PolicyError(issues: issues) }
        return results
    }

    static func yamlFiles(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        return PolicyLoader.yamlFiles(inDirectory: path)
    }

    static func runCase(_ node: Node, suite: String, bundle: PolicyBundle) -> Result<CaseResult, CaseError> {
        guard let m = node.mapping, let name = m["name"]?.scalar?.string else {
            return .failure(CaseError("a case needs a name"))
        }
        for key in m.keys.compactMap(\.scalar?.string)
        where !["name", "at", "request", "evidence", "expect", "recorded"].contains(key) {
            return .failure(CaseError("case '\(name)': unknown field '\(key)'"))
        }
        guard let atText = m["at"]?.scalar?.string, let at = RFC3339.date(atText) else {
            return .failure(CaseError("case '\(name)': 'at' must be an RFC 3339 time"))
        }
        var request: DeployRequest
        var evidence: Evidence
        do throws(JSONError) {
            let decoder = JSONValueDecoder()
            request = try decoder.decode(DeployRequest.self, from: json(m["request"]))
            evidence =
                try m["evidence"].map { (node) throws(JSONError) in try decoder.decode(Evidence.self, from: json(node))
                } ?? Evidence()
        } catch {
            return .failure(CaseError("case '\(name)': \(error.message)"))
        }
        evidence.stateVerifications(of: request, under: bundle)
        switch m["recorded"]?.scalar?.string {
        case nil, "false": break
        case "true": recordAsStated(&request, &evidence, at: at)
        case let other?: return .failure(CaseError("case '\(name)': 'recorded' must be true or false, not \(other)"))
        }
        guard let expect = m["expect"]?.mapping, let verdictText = expect["verdict"]?.scalar?.string,
            let verdict = Decision.Verdict(rawValue: verdictText)
        else { return .failure(CaseError("case '\(name)': expect.verdict must be allowed, pending or denied")) }
        let decision = Gate.decide(request, evidence: evidence, policy: bundle, now: at)
        var failures: [String] = []
        if decision.verdict != verdict {
            failures.append("verdict \(decision.verdict.rawValue), expected \(verdict.rawValue)")
        }
        if let tier = expect["tier"]?.scalar?.string, decision.tier != tier {
            failures.append("tier \(decision.tier ?? "none"), expected \(tier)")
        }
        let said = (decision.controls.map(\.message) + decision.relaxations).joined(separator: "\n")
        for reason in expect["reasons"]?.sequence?.compactMap(\.scalar?.string) ?? [] where !said.contains(reason) {
            failures.append("no reason mentions '\(reason)'")
        }
        if !failures.isEmpty { failures.append("reasons were: " + decision.reasons.joined(separator: " | ")) }
        return .success(CaseResult(suite: suite, name: name, failures: failures))
    }

    /// `recorded: true`: GitHub records the change as the request states it, and the artifact's verified provenance
    /// names its commit — an hour before the case's time. Most cases are about what a tier asks for, not where the
    /// facts came from; this says the second is settled without writing the record out.
    static func recordAsStated(_ request: inout DeployRequest, _ evidence: inout Evidence, at: Date) {
        let repository = request.change.repository ?? "policy-test/repository"
        request.change.repository = repository
        let before = at.addingTimeInterval(-3600)
        evidence.changes.append(
            ChangeFacts(id: "recorded", repository: repository, change: request.change, source: .githubAPI, at: before))
        if let digest = try? ArtifactReference(parsing: request.artifact).digest {
            evidence.sources.append(
                SourceBinding(
                    id: "provenance", digest: digest, commit: request.change.commit, repository: repository,
                    via: .provenance, by: "policy-test", at: before))
        }
    }

    /// YAML → a JSON value, so requests and evidence share one decoder with the JSON the CLI and the API read.
    static func json(_ node: Node?) -> JSONValue {
        guard let node else { return .object([]) }
        if let m = node.mapping {
            var members: [(String, JSONValue)] = []
            func set(_ key: String, _ value: JSONValue) {
                members.removeAll { $0.0 == key }
                members.append((key, value))
            }
            // YAML merge keys (`<<: *base`): merged fields first, explicit fields win.
            for (k, v) in m where k.scalar?.string == "<<" {
                for source in v.sequence ?? [v] {
                    for (key, value) in json(source).objectMembers ?? [] where !members.contains(where: { $0.0 == key })
                    {
                        members.append((key, value))
                    }
                }
            }
            for (k, v) in m where k.scalar?.string != "<<" {
                if let key = k.scalar?.string { set(key, json(v)) }
            }
            return .object(members)
        }
        if let s = node.sequence { return .array(s.map(json)) }
        guard let scalar = node.scalar else { return .null }
        if scalar.style != .plain { return .string(scalar.string) }
        switch scalar.string {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null", "~", "": return .null
        default:
            if let i = Int(scalar.string), Double(i).magnitude <= JSONValue.maxExactInteger {
                return .number(Double(i))
            }
            return .string(scalar.string)
        }
    }

    /// A malformed test case.
    struct CaseError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
