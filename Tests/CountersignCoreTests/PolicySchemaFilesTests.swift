import CountersignCore
import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

/// The JSON Schemas in schemas/policy, checked by the real `check-jsonschema` (installed by scripts/python-deps.sh,
/// found through `COUNTERSIGN_TEST_PYTHON`; the tests fail, not skip, without it) against the policy loader: the
/// examples pass both, bad documents are refused by both, and every field a schema describes is one the loader
/// accepts — while an unknown field is refused by the schema exactly where the loader refuses it.
@Suite struct PolicySchemaFilesTests {
    static let kinds = [
        "Environment", "Team", "Identity", "Tier", "Freeze", "ArtifactPolicy", "AnalysisTemplate", "CanaryConfig",
        "PolicyTest",
    ]
    static let root = CommandRunner.repositoryRoot
    static let schemaDirectory = root.appendingPathComponent("schemas/policy")

    // MARK: Running check-jsonschema

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
        var text: String { stdout + stderr }
    }

    /// `python ARGUMENTS` in the repository root.
    static func python(_ arguments: [String]) throws -> Output {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["COUNTERSIGN_TEST_PYTHON"], !python.isEmpty else {
            throw SchemaTestError(
                "COUNTERSIGN_TEST_PYTHON is not set: run scripts/python-deps.sh, then "
                    + "COUNTERSIGN_TEST_PYTHON=$PWD/.build/supply-chain-venv/bin/python swift test …")
        }
        let child = try ChildProcess("/usr/bin/env", [python] + arguments)
        let (stdout, stderr) = CommandRunner.readBoth(child.standardOutput!, child.standardError!)
        let status = child.wasSignalled ? 128 + child.terminationStatus : child.terminationStatus
        return Output(
            status: status, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `check-jsonschema ARGUMENTS`, failing clearly when the tool is missing.
    static func checkJSONSchema(_ arguments: [String]) throws -> Output {
        let run = try python(["-m", "check_jsonschema"] + arguments)
        if run.status == 127 || (run.status != 0 && run.stderr.contains("No module named check_jsonschema")) {
            throw SchemaTestError(
                "check-jsonschema is not installed for COUNTERSIGN_TEST_PYTHON: run scripts/python-deps.sh "
                    + "(\(run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return run
    }

    /// Validates `files` against `schema` (`policy`, `tier`, …). Relative `$ref`s resolve to the files next to it,
    /// not to the host in its `$id`.
    static func validate(_ files: [String], schema: String = "policy") throws -> Output {
        let path = schemaDirectory.appendingPathComponent("\(schema).schema.json").path
        return try checkJSONSchema(
            ["--schemafile", path, "--base-uri", URL(fileURLWithPath: path).absoluteString] + files)
    }

    /// The files among `files` that `schema` refuses, from check-jsonschema's JSON report.
    static func refused(_ files: [String], schema: String = "policy") throws -> [String: [String]] {
        let path = schemaDirectory.appendingPathComponent("\(schema).schema.json")
        let run = try checkJSONSchema(
            ["--output-format", "json", "--schemafile", path.path, "--base-uri", path.absoluteString] + files)
        let report = try JSONValue(parsing: run.stdout)
        #expect(report["parse_errors"]?.arrayValue?.isEmpty ?? true, "\(run.text)")
        var out: [String: [String]] = [:]
        for error in report["errors"]?.arrayValue ?? [] {
            guard let file = error["filename"]?.stringValue else { continue }
            out[file, default: []].append(
                "\(error["path"]?.stringValue ?? ""): \(error["message"]?.stringValue ?? "")")
        }
        #expect(run.status == (out.isEmpty ? 0 : 1), "\(run.text)")
        return out
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("policy-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    // MARK: The example policy

    static func yamlFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(directory)/\($0)" }
    }

    static func exampleSources() throws(PolicyError) -> [(file: String, text: String)] {
        try PolicyLoader.sources(path: root.appendingPathComponent("examples/policy").path)
    }

    /// The issues the loader reports for `text` loaded together with the example policy (none when it loads).
    static func loaderIssues(_ text: String) throws -> [String] {
        do throws(PolicyError) {
            _ = try PolicyLoader.load(sources: try exampleSources() + [("probe.yaml", text)])
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    /// The issues the loader and the policy-test runner report for a PolicyTest document at `path`.
    static func policyTestIssues(_ text: String, at path: URL) throws -> [String] {
        try text.write(to: path, atomically: true, encoding: .utf8)
        var issues = try loaderIssues(text)
        do throws(PolicyError) {
            let bundle = try PolicyLoader.load(path: root.appendingPathComponent("examples/policy").path)
            _ = try PolicyTestRunner.run(path: path.path, bundle: bundle)
        } catch {
            issues += error.issues.map(\.description)
        }
        return issues
    }

    // MARK: Tests

    @Test func theSchemasAreDraft2020_12SchemasForEveryKind() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaDirectory.path)
            .filter { $0.hasSuffix(".schema.json") }.sorted()
        let expected = (Self.kinds.map { $0.lowercased() } + ["policy"]).map { "\($0).schema.json" }.sorted()
        #expect(files == expected)
        let run = try Self.checkJSONSchema(
            ["--check-metaschema"] + files.map { Self.schemaDirectory.appendingPathComponent($0).path })
        #expect(run.status == 0, "\(run.text)")
        for kind in Self.kinds {
            let schema = try SchemaFiles().load("\(kind.lowercased()).schema.json")
            #expect(schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema")
            #expect(
                schema["$id"]?.stringValue
                    == "https://countersign.dev/schemas/policy/\(kind.lowercased()).schema.json")
            #expect(schema["properties"]?["kind"]?["const"]?.stringValue == kind)
        }
    }

    @Test func everyExampleDocumentValidates() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sources = try Self.yamlFiles("examples/policy") + Self.yamlFiles("examples/tests")
        let split = try Self.python(["scripts/split-yaml-documents.py", dir.path] + sources)
        try #require(split.status == 0, "\(split.text)")
        let documents = split.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        try #require(documents.allSatisfy { $0.count == 2 }, "\(split.stdout)")

        // Nothing lost in the split: as many policy documents as the loader read, and every file has some.
        let bundle = try PolicyLoader.load(path: Self.root.appendingPathComponent("examples/policy").path)
        let loaded =
            bundle.environments.count + bundle.teams.count + bundle.identities.count + bundle.tiers.count
            + bundle.freezes.count + bundle.artifactPolicies.count + bundle.analysisTemplates.count
        #expect(documents.filter { $0[1].hasPrefix("examples/policy/") }.count == loaded)
        for source in sources { #expect(documents.contains { $0[1].hasPrefix(source + "#") }, "\(source)") }

        // One schema for any document, and each kind's own schema for its documents.
        let all = try Self.validate(documents.map { $0[0] })
        #expect(all.status == 0, "\(all.text)")
        var byKind: [String: [String]] = [:]
        for document in documents {
            let json = try JSONValue(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: document[0]))))
            byKind[json["kind"]?.stringValue ?? "", default: []].append(document[0])
        }
        #expect(Set(byKind.keys).isSuperset(of: ["Environment", "Team", "Identity", "Tier", "Freeze", "PolicyTest"]))
        for (kind, files) in byKind.sorted(by: { $0.key < $1.key }) {
            let run = try Self.validate(files, schema: kind.lowercased())
            #expect(run.status == 0, "\(kind): \(run.text)")
        }
    }

    /// A document both the schemas and the loader (or the policy-test runner) must refuse.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        /// What check-jsonschema's report says (a path or message fragment).
        let schemaSays: String
        /// What the loader says.
        let loaderSays: String
        var testDescription: String { name }
        var kind: String { String(yaml.split(separator: "\n")[1].dropFirst("kind: ".count)) }
    }

    static let header = "apiVersion: countersign.dev/v1alpha1\n"
    static let refusals: [Refusal] = [
        Refusal(
            name: "a misspelled Environment field",
            yaml: header + "kind: Environment\nmetadata: { name: e }\nspec: { rank: 1, protectd: true }\n",
            schemaSays: "'protectd' was unexpected", loaderSays: "Environment e: unknown field 'protectd'"),
        Refusal(
            name: "a Tier without a priority",
            yaml: header + "kind: Tier\nmetadata: { name: t }\nspec:\n  match: \"change.reversible\"\n",
            schemaSays: "'priority' is a required property", loaderSays: "missing required field 'priority'"),
        Refusal(
            name: "an Identity of kind robot",
            yaml: header + "kind: Identity\nmetadata: { name: r2d2 }\nspec: { kind: robot, roles: [deployer] }\n",
            schemaSays: "'robot' is not one of ['human', 'automation']",
            loaderSays: "expected human or automation, found 'robot'"),
        Refusal(
            name: "an approval that still says decision",
            yaml: header + """
                kind: PolicyTest
                metadata: { name: old-words }
                spec:
                  cases:
                    - name: an approval that says decision
                      at: "2026-11-03T10:00:00Z"
                      request:
                        id: req-1
                        service: payments
                        environment: production
                        artifact: registry.example.com/payments/api@sha256:4d9f3e1c2b7a6f5e8d0c9b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e
                        requester: deploy-bot
                        deployer: deploy-bot
                        change: { commit: a1b2c3d, ref: refs/heads/main, kind: code, reversible: true }
                      evidence:
                        approvals:
                          - { id: apr-1, approver: carol, digest: sha256:4d9f3e1c2b7a6f5e8d0c9b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e, environment: production, decision: approved, at: "2026-11-03T09:30:00Z" }
                      expect: { verdict: allowed }

                """,
            schemaSays: "$.spec.cases[0].evidence.approvals[0].decision", loaderSays: "is now state"),
        Refusal(
            name: "a Freeze without break-glass",
            yaml: header + """
                kind: Freeze
                metadata: { name: f }
                spec:
                  environments: [production]
                  windows: [{ cron: "0 15 * * FRI", duration: 63h }]

                """,
            schemaSays: "'breakGlass' is a required property", loaderSays: "every freeze must ship with a breakGlass"),
        Refusal(
            name: "an automation approver",
            yaml: header + "kind: Identity\nmetadata: { name: bot }\nspec: { kind: automation, roles: [approver] }\n",
            schemaSays: "$.spec.roles", loaderSays: "an automation identity cannot have the approver role"),
        Refusal(
            name: "a duration in days",
            yaml: header + "kind: Environment\nmetadata: { name: e }\nspec: { rank: 1, approvalMaxAge: 1d }\n",
            schemaSays: "$.spec.approvalMaxAge", loaderSays: "invalid duration '1d'"),
        Refusal(
            name: "an unknown kind",
            yaml: header + "kind: Robot\nmetadata: { name: r }\nspec: {}\n",
            schemaSays: "'Robot' is not one of", loaderSays: "unknown kind 'Robot'"),
    ]

    @Test(arguments: refusals) func theSchemasRefuseWhatTheLoaderRefuses(_ refusal: Refusal) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try refusal.yaml.write(to: file, atomically: true, encoding: .utf8)
        var schemas = ["policy"]
        if Self.kinds.contains(refusal.kind) { schemas.append(refusal.kind.lowercased()) }
        for schema in schemas {
            let run = try Self.validate([file.path], schema: schema)
            #expect(run.status == 1, "\(schema).schema.json accepted \(refusal.name): \(run.text)")
            #expect(run.stdout.contains(refusal.schemaSays), "\(schema).schema.json: \(run.text)")
        }
        let issues =
            refusal.kind == "PolicyTest"
            ? try Self.policyTestIssues(refusal.yaml, at: file) : try Self.loaderIssues(refusal.yaml)
        #expect(issues.contains { $0.contains(refusal.loaderSays) }, "the loader said: \(issues)")
    }

    /// The probe documents of a kind whose fields exclude each other: an Identity's `signIn` is a person's and its
    /// `oidc` an automation's, so it is probed once as each, every other property kept.
    static func exclusiveFields(_ kind: String, _ document: JSONValue) -> [JSONValue] {
        guard kind == "Identity", let spec = document["spec"]?.objectMembers else { return [document] }
        let person = spec.filter { $0.0 != "oidc" }
        let automation =
            spec.filter { $0.0 != "signIn" && $0.0 != "kind" && $0.0 != "roles" }
            + [("kind", "automation"), ("roles", .array(["deployer"]))]
        return [document.merging([("spec", .object(person))]), document.merging([("spec", .object(automation))])]
    }

    /// For each kind, a document with every property its schema describes (each set to the property's first
    /// `examples` value): the schema accepts it and so does the loader, together with the example policy the
    /// values refer to. Then an unknown field in each object of that document, which the schema must refuse
    /// exactly where the loader does — so the schemas can drift neither into fields the loader refuses nor into
    /// refusing fields it accepts.
    @Test func everySchemaFieldIsOneTheLoaderAccepts() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let schemas = SchemaFiles()

        struct Probe {
            let kind: String
            /// Where the unknown field is, or nil for the document as built from the examples.
            let path: String?
            let document: JSONValue
            let file: String
        }
        var probes: [Probe] = []
        for kind in Self.kinds {
            let fileName = "\(kind.lowercased()).schema.json"
            var document = try schemas.example(try schemas.load(fileName), file: fileName, path: kind)
            // A name of its own, so it adds to the example policy instead of redefining one of its documents.
            document = document.merging([
                ("metadata", (document["metadata"] ?? .object([])).merging([("name", "schema-probe")]))
            ])
            #expect(document["spec"] != nil, "\(kind): no spec in \(document)")
            for (m, document) in Self.exclusiveFields(kind, document).enumerated() {
                let variants =
                    [(String?.none, document)] + Self.withUnknownField(document, path: kind).map { ($0.0, $0.1) }
                for (n, (path, variant)) in variants.enumerated() {
                    let file = dir.appendingPathComponent("\(kind)-\(m)-\(n).json").path
                    try variant.prettyString.write(toFile: file, atomically: true, encoding: .utf8)
                    probes.append(Probe(kind: kind, path: path, document: variant, file: file))
                }
            }
        }
        let refused = try Self.refused(probes.map(\.file))
        for probe in probes {
            let text = probe.document.canonicalString
            let issues =
                probe.kind == "PolicyTest"
                ? try Self.policyTestIssues(text, at: dir.appendingPathComponent("probe.yaml"))
                : try Self.loaderIssues(text)
            let schemaRefuses = refused[probe.file] != nil
            guard let path = probe.path else {
                // Every property the schema lists, at once.
                #expect(!schemaRefuses, "\(probe.kind): the schema refuses its own examples: \(refused[probe.file]!)")
                #expect(issues.isEmpty, "\(probe.kind): the loader refuses the schema's fields: \(issues)")
                #expect(!issues.contains { $0.contains("unknown field") }, "\(probe.kind): \(issues)")
                continue
            }
            #expect(
                schemaRefuses == !issues.isEmpty,
                """
                an unknown field at \(path): the schema \(schemaRefuses ? "refuses" : "accepts") it \
                (\(refused[probe.file] ?? [])), the loader \(issues.isEmpty ? "accepts" : "refuses") it \
                (\(issues))
                """)
        }
        // The loader refuses unknown fields in every spec it reads, and the schemas say so.
        for kind in ["Environment", "Team", "Identity", "Tier", "Freeze", "ArtifactPolicy"] {
            #expect(probes.contains { $0.path == "\(kind).spec" && refused[$0.file] != nil }, "\(kind).spec")
        }
    }

    /// `value` with a member `unexpected` added to one of its objects, for each object in it (paths like
    /// `Tier.spec.controls.approvals[0]`).
    static func withUnknownField(_ value: JSONValue, path: String) -> [(String, JSONValue)] {
        switch value {
        case .object(let members):
            var out = [(path, value.merging([("unexpected", "x")]))]
            for (i, member) in members.enumerated() {
                for (childPath, child) in withUnknownField(member.1, path: "\(path).\(member.0)") {
                    var copy = members
                    copy[i].1 = child
                    out.append((childPath, .object(copy)))
                }
            }
            return out
        case .array(let items):
            var out: [(String, JSONValue)] = []
            for (i, item) in items.enumerated() {
                for (childPath, child) in withUnknownField(item, path: "\(path)[\(i)]") {
                    var copy = items
                    copy[i] = child
                    out.append((childPath, .array(copy)))
                }
            }
            return out
        default:
            return []
        }
    }

    /// Reads schemas/policy and builds documents from the schemas' `examples`.
    struct SchemaFiles {
        func load(_ file: String) throws -> JSONValue {
            let url = PolicySchemaFilesTests.schemaDirectory.appendingPathComponent(file)
            return try JSONValue(parsing: [UInt8](try Data(contentsOf: url)))
        }

        /// A value for `schema` (in `file`): its first example, else its `const`, else an object of every property
        /// (but refused ones, `{"not": {}}`), else a one-item array, else the first of its `enum`.
        func example(_ schema: JSONValue, file: String, path: String) throws -> JSONValue {
            if let first = schema["examples"]?.arrayValue?.first { return first }
            if let ref = schema["$ref"]?.stringValue {
                let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let target = parts[0].isEmpty ? file : parts[0]
                var resolved = try load(target)
                for component in (parts.count > 1 ? parts[1] : "").split(separator: "/") {
                    guard let next = resolved[String(component)] else {
                        throw SchemaTestError("\(file) \(path): cannot resolve \(ref)")
                    }
                    resolved = next
                }
                return try example(resolved, file: target, path: path)
            }
            if let constant = schema["const"] { return constant }
            if let properties = schema["properties"]?.objectMembers {
                var members: [(String, JSONValue)] = []
                for (name, property) in properties where property.objectMembers != nil {
                    if let not = property["not"], not.objectMembers?.isEmpty == true { continue }
                    members.append((name, try example(property, file: file, path: "\(path).\(name)")))
                }
                return .object(members)
            }
            if let items = schema["items"] { return .array([try example(items, file: file, path: "\(path)[0]")]) }
            if let first = schema["enum"]?.arrayValue?.first { return first }
            throw SchemaTestError(
                "\(file) \(path): no examples, const, properties, items or enum to build a value from")
        }
    }

    struct SchemaTestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
