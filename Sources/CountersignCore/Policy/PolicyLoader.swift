public import CEL
internal import CountersignEncoding
public import Foundation
internal import Yams

/// Reads policy documents (`apiVersion: countersign.dev/v1alpha1`, several per file) and validates them
/// strictly: unknown fields, CEL errors, unknown references, ambiguous tiers and freezes without break-glass are
/// all errors, each with its file and line, and all of them are reported together.
public enum PolicyLoader {
    public static let apiVersion = "countersign.dev/v1alpha1"

    /// The CEL declarations every tier condition and requirement is checked against (``PolicySchema``, and
    /// docs/policy.md).
    public static let conditionVariables: [String: CELType] = PolicySchema.variables

    /// Loads a `.yaml`/`.yml` file, or every such file below a directory (in path order).
    public static func load(path: String) throws(PolicyError) -> PolicyBundle {
        try load(sources: try sources(path: path))
    }

    /// The YAML files under a directory, sorted. Hidden files and directories are not the policy's: a ConfigMap
    /// mounted in a pod holds each file three times — the name, `..data/` and a `..<timestamp>/` directory kubelet
    /// swaps on update — and an editor's or git's dot-files are no one's policy.
    public static func yamlFiles(inDirectory path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
            .sorted()
            .map { path + "/" + $0 }
    }

    /// The texts `load(path:)` reads, so a policy can be recorded exactly as loaded and loaded again from the
    /// record.
    public static func sources(path: String) throws(PolicyError) -> [(file: String, text: String)] {
        var sources: [(file: String, text: String)] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PolicyError(issues: [PolicyIssue(file: path, line: 0, message: "no such file or directory")])
        }
        for file in isDirectory.boolValue ? yamlFiles(inDirectory: path) : [path] {
            guard let data = FileContents.read(atPath: file), let text = String(data: data, encoding: .utf8)
            else {
                throw PolicyError(issues: [PolicyIssue(file: file, line: 0, message: "cannot read the file as UTF-8")])
            }
            sources.append((file, text))
        }
        return sources
    }

    /// The texts of `path` named as a recorded policy names them: relative to the policy — a file by its own name,
    /// a directory's files by their path inside it (`teams/payments.yaml`) — never by where the server keeps them.
    /// The bundle's hash is the same either way (it covers each file's last path component and its text).
    public static func relativeSources(path: String) throws(PolicyError) -> [(file: String, text: String)] {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        return try sources(path: path).map { source in
            let name =
                isDirectory.boolValue && source.file.hasPrefix(path + "/")
                ? String(source.file.dropFirst(path.count + 1))
                : String(source.file.split(separator: "/").last ?? "")
            return (name, source.text)
        }
    }

    /// Loads documents from in-memory sources (`file` names are used in messages).
    public static func load(sources: [(file: String, text: String)]) throws(PolicyError) -> PolicyBundle {
        var reader = PolicyReader()
        var hashInput: [UInt8] = []
        for (file, text) in sources {
            hashInput += Array(file.split(separator: "/").last.map(String.init)?.utf8 ?? "".utf8) + [0]
            hashInput += Array(text.utf8) + [0]
            reader.read(file: file, text: text)
        }
        let bundle = reader.finish(hash: "sha256:" + Hex.sha256(hashInput))
        guard reader.issues.isEmpty, let bundle else { throw PolicyError(issues: reader.issues) }
        return bundle
    }
}

/// The mutable state of one load: the documents found so far and the issues.
struct PolicyReader {
    var issues: [PolicyIssue] = []
    var environments: [String: (DeploymentEnvironment, String, Int)] = [:]
    var teams: [String: (Team, String, Int)] = [:]
    var identities: [String: (Identity, String, Int)] = [:]
    var tiers: [(Tier, String, Int)] = []
    var freezes: [(Freeze, String, Int)] = []
    var artifactPolicies: [String: ArtifactPolicy] = [:]
    var analysisTemplates: Set<String> = []
    var file = ""
    let celEnvironment = PolicySchema.environmentForConditions
    /// A provenance condition reads the provenance and its keyless signer (`signer.issuer`, `signer.subject` and the
    /// Fulcio claims, `signer.sourceRepositoryURI` …; empty for a key-signed attestation).
    let provenanceEnvironment = CEL.Environment(variables: [
        "provenance": .map(.string, .dyn), "signer": .map(.string, .string),
    ])

    mutating func fail(_ node: Node?, _ message: String) {
        issues.append(PolicyIssue(file: file, line: node?.mark?.line ?? 0, message: message))
    }

    mutating func read(file: String, text: String) {
        self.file = file
        do {
            // The sequence stops at a syntax error and keeps it, rather than throwing: check it afterwards.
            var documents = try Yams.compose_all(yaml: text)
            while let document = documents.next() { readDocument(document) }
            if let error = documents.error { throw error }
        } catch {
            issues.append(PolicyIssue(file: file, line: yamlErrorLine(error), message: "invalid YAML: \(error)"))
        }
    }

    func yamlErrorLine(_ error: any Error) -> Int {
        if let e = error as? YamlError, case .scanner(_, _, let mark, _) = e { return mark.line }
        if let e = error as? YamlError, case .parser(_, _, let mark, _) = e { return mark.line }
        return 0
    }

    // MARK: Field access

    /// The mapping's fields; reports unknown fields and missing required ones.
    mutating func fields(
        _ node: Node?, _ context: String, allowed: Set<String>, required: Set<String> = []
    ) -> [String: Node]? {
        guard let node else { return nil }
        guard let mapping = node.mapping else {
            fail(node, "\(context): expected a mapping")
            return nil
        }
        var result: [String: Node] = [:]
        for (k, v) in mapping {
            guard let key = k.scalar?.string else {
                fail(k, "\(context): keys must be strings")
                continue
            }
            guard allowed.contains(key) else {
                fail(k, "\(context): unknown field '\(key)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            if result[key] != nil { fail(k, "\(context): duplicate field '\(key)'") }
            result[key] = v
        }
        for r in required.sorted() where result[r] == nil { fail(node, "\(context): missing required field '\(r)'") }
        return result
    }

    mutating func string(_ node: Node?, _ context: String) -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar,
            !(scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string))
        else {
            fail(node, "\(context): expected a string")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ node: Node?, _ context: String) -> Int? {
        guard let node else { return nil }
        guard let s = node.scalar?.string, let i = Int(s) else {
            fail(node, "\(context): expected an integer")
            return nil
        }
        return i
    }

    mutating func bool(_ node: Node?, _ context: String) -> Bool? {
        guard let node else { return nil }
        switch node.scalar?.string {
        case "true": return true
        case "false": return false
        default:
            fail(node, "\(context): expected true or false")
            return nil
        }
    }

    mutating func strings(_ node: Node?, _ context: String) -> [String] {
        guard let node else { return [] }
        guard let sequence = node.sequence else {
            fail(node, "\(context): expected a list")
            return []
        }
        return sequence.compactMap { string($0, context) }
    }

    /// A duration like `4h`, `90m`, `48h` in seconds.
    mutating func duration(_ node: Node?, _ context: String) -> Int64? {
        guard let text = string(node, context) else { return nil }
        do {
            let d = try CELDuration.parse(text)
            guard d.nanoseconds > 0 else {
                fail(node, "\(context): duration must be positive")
                return nil
            }
            return d.nanoseconds / 1_000_000_000
        } catch {
            fail(node, "\(context): invalid duration '\(text)' (use h, m, s: e.g. 4h, 90m)")
            return nil
        }
    }

    mutating func date(_ node: Node?, _ context: String) -> Date? {
        guard let text = string(node, context) else { return nil }
        do {
            let t = try Timestamp.parse(text)
            return Date(timeIntervalSince1970: Double(t.seconds) + Double(t.nanos) / 1e9)
        } catch {
            fail(node, "\(context): invalid RFC 3339 time '\(text)'")
            return nil
        }
    }

    /// Compiles a CEL condition, mapping its error position into the file.
    mutating func condition(_ node: Node?, _ context: String, env: CEL.Environment? = nil) -> Condition? {
        guard let source = string(node, context) else { return nil }
        let line = node?.mark?.line ?? 0
        do {
            let program = try (env ?? celEnvironment).compile(source, resultType: .bool)
            return Condition(source: source, program: program, location: "\(file):\(line)")
        } catch {
            issues.append(
                PolicyIssue(
                    file: file, line: line + max(0, error.line - 1),
                    message: "\(context): \(error.message) (at column \(error.column) of '\(source)')"))
            return nil
        }
    }

    // MARK: Documents

    mutating func readDocument(_ document: Node) {
        guard
            let top = fields(
                document, "document", allowed: ["apiVersion", "kind", "metadata", "spec"],
                required: ["kind", "metadata"])
        else {
            return
        }
        if let version = top["apiVersion"], version.scalar?.string != PolicyLoader.apiVersion {
            fail(version, "apiVersion must be \(PolicyLoader.apiVersion)")
        } else if top["apiVersion"] == nil {
            fail(document, "missing apiVersion (\(PolicyLoader.apiVersion))")
        }
        guard let kind = string(top["kind"], "kind") else { return }
        let metadata = fields(
            top["metadata"], "\(kind).metadata", allowed: ["name", "labels", "annotations"], required: ["name"])
        guard let name = string(metadata?["name"], "\(kind).metadata.name"), !name.isEmpty else { return }
        let context = "\(kind) \(name)"
        let line = document.mark?.line ?? 0
        let spec = top["spec"]
        // Without its spec a Tier or a Freeze would simply never apply: an error, not a document dropped.
        if spec == nil, ["Environment", "Team", "Identity", "Tier", "Freeze"].contains(kind) {
            issues.append(PolicyIssue(file: file, line: line, message: "\(context): missing spec"))
            return
        }
        switch kind {
        case "Environment": readEnvironment(name, spec, context, line)
        case "Team": readTeam(name, spec, context, line)
        case "Identity": readIdentity(name, spec, context, line)
        case "Tier": readTier(name, spec, context, line)
        case "Freeze": readFreeze(name, spec, context, line)
        case "ArtifactPolicy": readArtifactPolicy(name, spec, context)
        case "AnalysisTemplate", "CanaryConfig":
            if !analysisTemplates.insert(name).inserted { fail(document, "\(context): defined twice") }
        case "PolicyTest":
            break  // policy tests are read by PolicyTestRunner
        default:
            fail(
                top["kind"],
                "unknown kind '\(kind)' (expected Environment, Team, Identity, Tier, Freeze, ArtifactPolicy, "
                    + "AnalysisTemplate, CanaryConfig or PolicyTest)")
        }
    }

    mutating func readEnvironment(_ name: String, _ spec: Node?, _ context: String, _ line: Int) {
        guard
            let f = fields(
                spec, context,
                allowed: [
                    "rank", "protected", "deployers", "sourceRefs", "defaultTier", "selfApprovalBelowRank",
                    "approvalMaxAge", "namespaces", "admission",
                ],
                required: ["rank"])
        else {
            if spec == nil { issues.append(PolicyIssue(file: file, line: line, message: "\(context): missing spec")) }
            return
        }
        guard let rank = int(f["rank"], "\(context).rank") else { return }
        let (namespaces, namespaceAdmission) = self.namespaces(f["namespaces"], "\(context).namespaces")
        let environment = DeploymentEnvironment(
            name: name, rank: rank, protected: bool(f["protected"], "\(context).protected") ?? false,
            deployers: strings(f["deployers"], "\(context).deployers"),
            sourceRefs: strings(f["sourceRefs"], "\(context).sourceRefs"),
            defaultTier: string(f["defaultTier"], "\(context).defaultTier"),
            selfApprovalBelowRank: int(f["selfApprovalBelowRank"], "\(context).selfApprovalBelowRank"),
            approvalMaxAge: duration(f["approvalMaxAge"], "\(context).approvalMaxAge"),
            namespaces: namespaces, admission: admission(f["admission"], "\(context).admission"),
            namespaceAdmission: namespaceAdmission)
        for namespace in environment.namespaces {
            if let other = environments.values.sorted(by: { ($0.1, $0.2, $0.0.name) < ($1.1, $1.2, $1.0.name) })
                .first(where: { $0.0.namespaces.contains(namespace) })
            {
                fail(
                    f["namespaces"],
                    "\(context).namespaces: \(namespace) already belongs to environment \(other.0.name)")
            }
        }
        if environments[name] != nil {
            issues.append(PolicyIssue(file: file, line: line, message: "\(context): defined twice"))
        }
        environments[name] = (environment, file, line)
    }

    /// `enforce` (the default) or `warn`; `audit`, its older name, still reads as `warn`, so a policy published
    /// before the rename loads as it was.
    mutating func admission(_ node: Node?, _ context: String) -> DeploymentEnvironment.AdmissionEnforcement {
        guard let node, let value = string(node, context) else { return .enforce }
        if value == "audit" { return .warn }
        guard let mode = DeploymentEnvironment.AdmissionEnforcement(rawValue: value) else {
            fail(node, "\(context): expected enforce or warn, got '\(value)'")
            return .enforce
        }
        return mode
    }

    /// An environment's namespaces: each a name, or `{name, admission}` for one whose admission differs.
    mutating func namespaces(_ node: Node?, _ context: String) -> (
        [String], [String: DeploymentEnvironment.AdmissionEnforcement]
    ) {
        guard let node else { return ([], [:]) }
        guard let sequence = node.sequence else {
            fail(node, "\(context): expected a list of namespaces")
            return ([], [:])
        }
        var names: [String] = []
        var modes: [String: DeploymentEnvironment.AdmissionEnforcement] = [:]
        for (i, item) in sequence.enumerated() {
            let itemContext = "\(context)[\(i)]"
            if item.mapping != nil {
                guard
                    let f = fields(
                        item, itemContext, allowed: ["name", "admission"], required: ["name", "admission"]),
                    let name = string(f["name"], "\(itemContext).name")
                else { continue }
                names.append(name)
                modes[name] = admission(f["admission"], "\(itemContext).admission")
            } else if let name = string(item, itemContext) {
                names.append(name)
            }
        }
        for name in names where name.isEmpty || names.filter({ $0 == name }).count > 1 {
            fail(node, "\(context): \(name.isEmpty ? "a namespace must have a name" : "\(name) is listed twice")")
            break
        }
        return (names, modes)
    }

    mutating func readTeam(_ name: String, _ spec: Node?, _ context: String, _ line: Int) {
        guard let f = fields(spec, context, allowed: ["members", "signInGroup"], required: ["members"]) else { return }
        let members = strings(f["members"], "\(context).members")
        if members.isEmpty { fail(f["members"], "\(context): a team needs at least one member") }
        if teams[name] != nil {
            issues.append(PolicyIssue(file: file, line: line, message: "\(context): defined twice"))
        }
        let group = string(f["signInGroup"], "\(context).signInGroup")
        if group?.isEmpty == true { fail(f["signInGroup"], "\(context).signInGroup must not be empty") }
        teams[name] = (Team(name: name, members: members, signInGroup: group), file, line)
    }

    mutating func readIdentity(_ name: String, _ spec: Node?, _ context: String, _ line: Int) {
        guard
            let f = fields(spec, context, allowed: ["kind", "roles", "aliases", "signIn", "oidc"], required: ["kind"])
        else {
            return
        }
        guard let kindText = string(f["kind"], "\(context).kind") else { return }
        guard let kind = Identity.Kind(rawValue: kindText) else {
            fail(f["kind"], "\(context).kind: expected human or automation, found '\(kindText)'")
            return
        }
        var roles: Set<Identity.Role> = []
        for r in strings(f["roles"], "\(context).roles") {
            guard let role = Identity.Role(rawValue: r) else {
                fail(f["roles"], "\(context).roles: unknown role '\(r)' (builder, deployer, approver, auditor, admin)")
                continue
            }
            roles.insert(role)
        }
        if kind == .automation && roles.contains(.approver) {
            fail(f["roles"], "\(context): an automation identity cannot have the approver role")
        }
        // Admin acts — publishing policy, issuing automation tokens, reviewing break-glass — are people's acts.
        if kind == .automation && roles.contains(.admin) {
            fail(f["roles"], "\(context): an automation identity cannot have the admin role")
        }
        if identities[name] != nil {
            issues.append(PolicyIssue(file: file, line: line, message: "\(context): defined twice"))
        }
        var signIn: Identity.SignIn? = nil
        if let node = f["signIn"], let s = fields(node, "\(context).signIn", allowed: ["subject", "email"]) {
            signIn = Identity.SignIn(
                subject: s["subject"].flatMap { string($0, "\(context).signIn.subject") },
                email: s["email"].flatMap { string($0, "\(context).signIn.email") })
            if signIn?.subject == nil && signIn?.email == nil {
                fail(node, "\(context).signIn: give subject, email or both")
            }
            // Automations never sign in: their credentials are tokens an admin issues (or CI's own identity tokens).
            if kind == .automation { fail(node, "\(context).signIn: automation identities do not sign in") }
        }
        let oidc = readOIDCTrusts(f["oidc"], "\(context).oidc", kind: kind, roles: roles)
        identities[name] = (
            Identity(
                name: name, kind: kind, roles: roles, aliases: strings(f["aliases"], "\(context).aliases"),
                signIn: signIn, oidc: oidc), file, line
        )
    }

    /// An automation's trusted CI ID tokens. Every rule pins who may mint the token — `repository` or `sub`, not
    /// starting with a wildcard — because an issuer like GitHub Actions gives any repository's job a token for any
    /// audience it asks for; the issuer is https (http on a loopback address only); the role is one the identity
    /// holds, and must be named when it holds several.
    mutating func readOIDCTrusts(_ node: Node?, _ context: String, kind: Identity.Kind, roles: Set<Identity.Role>)
        -> [Identity.OIDCTrust]
    {
        guard let node else { return [] }
        guard let list = node.sequence else {
            fail(node, "\(context): expected a list")
            return []
        }
        if kind == .human { fail(node, "\(context): people sign in; only automation identities present CI ID tokens") }
        var trusts: [Identity.OIDCTrust] = []
        for item in list {
            guard
                let r = fields(
                    item, context, allowed: ["issuer", "audience", "role", "claims"],
                    required: ["issuer", "audience", "claims"]),
                let issuer = string(r["issuer"], "\(context).issuer"),
                let audience = string(r["audience"], "\(context).audience")
            else { continue }
            let url = URLComponents(string: issuer)
            let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url?.host ?? "")
            if url?.host == nil || url?.query != nil || url?.fragment != nil
                || !(url?.scheme == "https" || (url?.scheme == "http" && loopback))
            {
                fail(r["issuer"], "\(context).issuer: \(issuer) must be an https URL (http only on a loopback address)")
            }
            if audience.isEmpty { fail(r["audience"], "\(context).audience must not be empty") }
            var role: Identity.Role? = nil
            if let text = r["role"].flatMap({ string($0, "\(context).role") }) {
                role = Identity.Role(rawValue: text)
                if role == nil || !roles.contains(role!) {
                    fail(r["role"], "\(context).role: '\(text)' is not one of the identity's roles")
                }
            } else if roles.count != 1 {
                fail(item, "\(context): name the role the token acts in (the identity holds \(roles.count) roles)")
            }
            var claims: [String: String] = [:]
            if let mapping = r["claims"]?.mapping {
                for (key, value) in mapping {
                    guard let name = key.scalar?.string,
                        let pattern = string(value, "\(context).claims.\(name)")
                    else { continue }
                    if pattern.isEmpty { fail(value, "\(context).claims.\(name) must not be empty") }
                    claims[name] = pattern
                }
            } else {
                fail(r["claims"], "\(context).claims: expected a mapping of claim names to patterns")
            }
            let pinned = ["repository", "sub"].contains { claims[$0].map { !$0.hasPrefix("*") } ?? false }
            if !pinned {
                fail(
                    r["claims"] ?? item,
                    "\(context).claims must pin repository or sub (not starting with *): the issuer gives any "
                        + "repository's job a token for any audience it asks for")
            }
            trusts.append(Identity.OIDCTrust(issuer: issuer, audience: audience, role: role, claims: claims))
        }
        return trusts
    }

    mutating func readTier(_ name: String, _ spec: Node?, _ context: String, _ line: Int) {
        guard
            let f = fields(
                spec, context, allowed: ["priority", "match", "environments", "controls"], required: ["priority"])
        else { return }
        let priority = int(f["priority"], "\(context).priority") ?? 0
        let match = f["match"].flatMap { condition($0, "\(context).match") }
        let c =
            fields(
                f["controls"], "\(context).controls",
                allowed: ["checks", "artifact", "approvals", "require", "canary", "peerReview"])
            ?? [:]
        let artifact = fields(c["artifact"], "\(context).controls.artifact", allowed: ["policy"], required: ["policy"])
        var rules: [ApprovalRule] = []
        for node in c["approvals"]?.sequence ?? [] {
            guard
                let r = fields(node, "\(context).controls.approvals", allowed: ["team", "count"], required: ["team"]),
                let team = string(r["team"], "\(context).controls.approvals.team")
            else { continue }
            let count = int(r["count"], "\(context).controls.approvals.count") ?? 1
            if count < 1 { fail(r["count"], "\(context).controls.approvals.count must be at least 1") }
            rules.append(ApprovalRule(team: team, count: count, tier: name))
        }
        if let a = c["approvals"], a.sequence == nil { fail(a, "\(context).controls.approvals: expected a list") }
        var requirements: [Requirement] = []
        for node in c["require"]?.sequence ?? [] {
            guard
                let r = fields(
                    node, "\(context).controls.require", allowed: ["expr", "message"], required: ["expr", "message"]),
                let cond = condition(r["expr"], "\(context).controls.require.expr"),
                let message = string(r["message"], "\(context).controls.require.message")
            else { continue }
            requirements.append(Requirement(condition: cond, message: message))
        }
        let canary = fields(c["canary"], "\(context).controls.canary", allowed: ["template"], required: ["template"])
        var peerReview: PeerReviewRule?
        if let node = c["peerReview"],
            let r = fields(node, "\(context).controls.peerReview", allowed: ["count", "mergedByOther"])
        {
            let count = int(r["count"], "\(context).controls.peerReview.count") ?? 1
            if count < 1 { fail(r["count"], "\(context).controls.peerReview.count must be at least 1") }
            let mergedByOther = bool(r["mergedByOther"], "\(context).controls.peerReview.mergedByOther") ?? true
            peerReview = PeerReviewRule(count: count, mergedByOther: mergedByOther)
        }
        let tier = Tier(
            name: name, priority: priority, match: match,
            environments: strings(f["environments"], "\(context).environments"),
            checks: strings(c["checks"], "\(context).controls.checks"),
            artifactPolicy: string(artifact?["policy"], "\(context).controls.artifact.policy"), approvals: rules,
            require: requirements, canaryTemplate: string(canary?["template"], "\(context).controls.canary.template"),
            peerReview: peerReview)
        if tiers.contains(where: { $0.0.name == name }) {
            issues.append(PolicyIssue(file: file, line: line, message: "\(context): defined twice"))
        }
        tiers.append((tier, file, line))
    }

    mutating func readFreeze(_ name: String, _ spec: Node?, _ context: String, _ line: Int) {
        guard
            let f = fields(
                spec, context, allowed: ["environments", "services", "windows", "breakGlass"],
                required: ["environments", "windows"])
        else { return }
        guard f["breakGlass"] != nil else {
            issues.append(
                PolicyIssue(
                    file: file, line: line,
                    message:
                        "\(context): every freeze must ship with a breakGlass path (allowed, requires, maxDuration, review)"
                ))
            return
        }
        var windows: [FreezeWindow] = []
        for node in f["windows"]?.sequence ?? [] {
            guard let w = fields(node, "\(context).windows", allowed: ["start", "end", "cron", "duration", "timezone"])
            else {
                continue
            }
            if w["start"] != nil || w["end"] != nil {
                guard let start = date(w["start"], "\(context).windows.start"),
                    let end = date(w["end"], "\(context).windows.end")
                else {
                    if w["start"] == nil || w["end"] == nil {
                        fail(node, "\(context).windows: an absolute window needs start and end")
                    }
                    continue
                }
                if end <= start { fail(node, "\(context).windows: end must be after start") }
                windows.append(.absolute(start: start, end: end))
            } else if let cronText = string(w["cron"], "\(context).windows.cron") {
                guard let seconds = duration(w["duration"], "\(context).windows.duration") else {
                    if w["duration"] == nil { fail(node, "\(context).windows: a cron window needs a duration") }
                    continue
                }
                let zoneName = string(w["timezone"], "\(context).windows.timezone") ?? "UTC"
                guard let zone = TimeZone(identifier: zoneName) else {
                    fail(w["timezone"], "\(context).windows.timezone: unknown time zone '\(zoneName)'")
                    continue
                }
                do {
                    windows.append(
                        .recurring(
                            cron: try CronSchedule(parsing: cronText), duration: seconds, timeZone: zone, text: cronText
                        ))
                } catch {
                    fail(w["cron"], "\(context).windows.cron: \(error.message)")
                }
            } else {
                fail(node, "\(context).windows: give start and end, or cron and duration")
            }
        }
        if f["windows"]?.sequence == nil { fail(f["windows"], "\(context).windows: expected a list") }
        guard
            let b = fields(
                f["breakGlass"], "\(context).breakGlass",
                allowed: ["allowed", "requires", "maxDuration", "review", "allServices", "standsInForApprovals"],
                required: ["allowed", "maxDuration", "review"]),
            let maxDuration = duration(b["maxDuration"], "\(context).breakGlass.maxDuration"),
            let review = fields(
                b["review"], "\(context).breakGlass.review", allowed: ["within", "team"], required: ["within", "team"]),
            let within = duration(review["within"], "\(context).breakGlass.review.within"),
            let reviewTeam = string(review["team"], "\(context).breakGlass.review.team")
        else { return }
        let requires = strings(b["requires"], "\(context).breakGlass.requires")
        for r in requires where r != "reason" && r != "incident" {
            fail(b["requires"], "\(context).breakGlass.requires: unknown requirement '\(r)' (reason, incident)")
        }
        let allowed = strings(b["allowed"], "\(context).breakGlass.allowed")
        if allowed.isEmpty {
            fail(b["allowed"], "\(context).breakGlass.allowed: name at least one identity or team:<name>")
        }
        let freeze = Freeze(
            name: name, environments: strings(f["environments"], "\(context).environments"),
            services: strings(f["services"], "\(context).services"), windows: windows,
            breakGlass: BreakGlassPolicy(
                allowed: allowed, requiresReason: requires.contains("reason"),
                requiresIncident: requires.contains("incident"),
                maxDuration: maxDuration, reviewWithin: within, reviewTeam: reviewTeam,
                allServices: bool(b["allServices"], "\(context).breakGlass.allServices") ?? false,
                standsInForApprovals: strings(b["standsInForApprovals"], "\(context).breakGlass.standsInForApprovals")))
        freezes.append((freeze, file, line))
    }

    /// `[{issuer, subject | subjectPattern}]`: keyless signers, each with exactly one of the two subject forms; a
    /// pattern must compile (RE2, matched against the whole identity).
    mutating func keylessIdentities(_ node: Node?, _ context: String) -> [ArtifactPolicy.KeylessIdentity] {
        guard let node else { return [] }
        guard let items = node.sequence else {
            fail(node, "\(context) must be a list of {issuer, subject | subjectPattern}")
            return []
        }
        var out: [ArtifactPolicy.KeylessIdentity] = []
        for (n, item) in items.enumerated() {
            let where_ = "\(context)[\(n)]"
            guard let m = fields(item, where_, allowed: ["issuer", "subject", "subjectPattern"]) else { continue }
            guard let issuer = m["issuer"].flatMap({ string($0, "\(where_).issuer") }), !issuer.isEmpty else {
                fail(item, "\(where_).issuer is required: the OIDC issuer that vouches for the signer")
                continue
            }
            let subject = m["subject"].flatMap { string($0, "\(where_).subject") }
            let pattern = m["subjectPattern"].flatMap { string($0, "\(where_).subjectPattern") }
            guard (subject == nil) != (pattern == nil) else {
                fail(item, "\(where_): give subject or subjectPattern, one of them")
                continue
            }
            if let pattern {
                do { _ = try LinearRegex(pattern) } catch {
                    fail(item, "\(where_).subjectPattern: '\(pattern)': \(error.message)")
                }
            }
            out.append(ArtifactPolicy.KeylessIdentity(issuer: issuer, subject: subject, subjectPattern: pattern))
        }
        return out
    }

    mutating func readArtifactPolicy(_ name: String, _ spec: Node?, _ context: String) {
        guard
            let f = fields(spec, context, allowed: ["images", "signatures", "provenance", "platform", "trustedRoot"])
        else { return }
        let signatures = fields(
            f["signatures"], "\(context).signatures",
            allowed: ["keys", "identities", "threshold", "matchDockerReference"])
        let provenance = fields(
            f["provenance"], "\(context).provenance",
            allowed: [
                "keys", "identities", "threshold", "predicateTypes", "builders", "buildTypes", "sourceRepositories",
                "sourceRefs", "condition",
            ])
        let keys = strings(signatures?["keys"], "\(context).signatures.keys")
        let provenanceKeys = provenance?["keys"].map { strings($0, "\(context).provenance.keys") }
        let identities = keylessIdentities(signatures?["identities"], "\(context).signatures.identities")
        let provenanceIdentities = provenance?["identities"].map {
            keylessIdentities($0, "\(context).provenance.identities")
        }
        let sourceRefs = strings(provenance?["sourceRefs"], "\(context).provenance.sourceRefs")
        for pattern in sourceRefs {
            do { _ = try LinearRegex(pattern) } catch {
                fail(provenance?["sourceRefs"], "\(context).provenance.sourceRefs: '\(pattern)': \(error.message)")
            }
        }
        func threshold(_ node: Node?, _ field: String, keyCount: Int) -> Int {
            guard let node else { return 1 }
            let value = int(node, "\(context).\(field)") ?? 1
            if value < 1 || value > max(keyCount, 1) {
                fail(node, "\(context).\(field): \(value) must lie between 1 and the number of keys (\(keyCount))")
            }
            return value
        }
        let policy = ArtifactPolicy(
            name: name, images: strings(f["images"], "\(context).images"), signatureKeys: keys,
            signatureThreshold: threshold(
                signatures?["threshold"], "signatures.threshold", keyCount: keys.count + identities.count),
            matchDockerReference: signatures?["matchDockerReference"].flatMap {
                bool($0, "\(context).signatures.matchDockerReference")
            } ?? false,
            provenanceKeys: provenanceKeys,
            provenanceThreshold: threshold(
                provenance?["threshold"], "provenance.threshold",
                keyCount: (provenanceKeys ?? keys).count + (provenanceIdentities ?? identities).count),
            predicateTypes: strings(provenance?["predicateTypes"], "\(context).provenance.predicateTypes"),
            builders: strings(provenance?["builders"], "\(context).provenance.builders"),
            buildTypes: strings(provenance?["buildTypes"], "\(context).provenance.buildTypes"),
            sourceRepositories: strings(provenance?["sourceRepositories"], "\(context).provenance.sourceRepositories"),
            sourceRefs: sourceRefs,
            condition: provenance?["condition"].flatMap {
                condition($0, "\(context).provenance.condition", env: provenanceEnvironment)
            },
            platform: f["platform"].flatMap { string($0, "\(context).platform") }, signatureIdentities: identities,
            provenanceIdentities: provenanceIdentities,
            trustedRoot: f["trustedRoot"].flatMap {
                string($0, "\(context).trustedRoot")
            })
        if policy.requiresProvenance, policy.provenanceKeys.isEmpty, policy.provenanceIdentities.isEmpty {
            fail(
                spec,
                "\(context).provenance: no keys or identities to verify attestations with (set provenance.keys, "
                    + "provenance.identities, signatures.keys or signatures.identities)")
        }
        if artifactPolicies[name] != nil { fail(spec, "\(context): defined twice") }
        artifactPolicies[name] = policy
    }

    // MARK: Cross-document validation

    mutating func finish(hash: String) -> PolicyBundle? {
        func issue(_ file: String, _ line: Int, _ message: String) {
            issues.append(PolicyIssue(file: file, line: line, message: message))
        }
        var aliases: [String: String] = [:]
        for (name, (identity, f, l)) in identities.sorted(by: { $0.key < $1.key }) {
            for alias in [name] + identity.aliases {
                let folded = Names.canonical(alias)
                // Names are compared in their canonical form: two that fold to one (`Bob`, `ＢＯＢ`) name one person.
                if let other = aliases[folded], other != name {
                    issue(f, l, "Identity \(name): alias '\(alias)' already names identity \(other)")
                }
                if !Names.isIdentitySafe(folded) {
                    issue(
                        f, l,
                        "Identity \(name): '\(alias)' has characters an identity name may not have "
                            + "(visible ASCII, no spaces, after Unicode normalisation)")
                }
                aliases[folded] = name
            }
        }
        var signIns: [String: String] = [:]
        for (name, (identity, f, l)) in identities.sorted(by: { $0.key < $1.key }) {
            guard let signIn = identity.signIn else { continue }
            // One provider account is one person: a subject or email naming two identities would sign in as either.
            for key in [signIn.subject.map { "subject " + $0 }, signIn.email.map { "email " + Names.canonical($0) }]
                .compactMap({ $0 })
            {
                if let other = signIns[key], other != name {
                    issue(f, l, "Identity \(name): signIn \(key) already signs in as identity \(other)")
                }
                signIns[key] = name
            }
        }
        let declared = !identities.isEmpty
        let knownIdentity = { [aliases] (n: String) in !declared || aliases[Names.canonical(n)] != nil }
        // Dictionaries iterate in no fixed order (it differs between processes, and between two dictionaries of the
        // same keys): walk them in document order, so a policy reports the same issues in the same order every time.
        for (name, (team, f, l)) in teams.sorted(by: {
            ($0.value.1, $0.value.2, $0.key) < ($1.value.1, $1.value.2, $1.key)
        }) {
            for m in team.members where !knownIdentity(m) {
                issue(f, l, "Team \(name): member '\(m)' is not a declared Identity")
            }
            for m in team.members {
                if let id = aliases[Names.canonical(m)], identities[id]?.0.kind == .automation {
                    issue(f, l, "Team \(name): member '\(m)' is an automation identity; approver teams are people")
                }
            }
        }
        let tierNames = Set(tiers.map(\.0.name))
        for (name, (environment, f, l)) in environments.sorted(by: {
            ($0.value.1, $0.value.2, $0.key) < ($1.value.1, $1.value.2, $1.key)
        }) {
            if let d = environment.defaultTier, !tierNames.contains(d) {
                issue(f, l, "Environment \(name): defaultTier '\(d)' is not a Tier")
            }
            for d in environment.deployers where !knownIdentity(d) {
                issue(f, l, "Environment \(name): deployer '\(d)' is not a declared Identity")
            }
        }
        for (tier, f, l) in tiers {
            for e in tier.environments where environments[e] == nil {
                issue(f, l, "Tier \(tier.name): unknown environment '\(e)'")
            }
            for r in tier.approvals where teams[r.team] == nil {
                issue(f, l, "Tier \(tier.name): unknown team '\(r.team)'")
            }
            if let p = tier.artifactPolicy, artifactPolicies[p] == nil {
                issue(f, l, "Tier \(tier.name): unknown ArtifactPolicy '\(p)'")
            }
            if let t = tier.canaryTemplate, !analysisTemplates.contains(t) {
                issue(f, l, "Tier \(tier.name): unknown AnalysisTemplate or CanaryConfig '\(t)'")
            }
            // Reviewers are people other than the author: a count the declared people cannot reach blocks every
            // change of the tier.
            let people = identities.values.filter { $0.0.kind == .human }.count
            if declared, let review = tier.peerReview, review.count + 1 > people {
                issue(
                    f, l,
                    "Tier \(tier.name): peerReview.count \(review.count) needs \(review.count + 1) people (reviewers "
                        + "besides the author); the policy declares \(people)")
            }
        }
        for i in tiers.indices {
            for j in tiers.indices where j > i && tiers[i].0.priority == tiers[j].0.priority {
                let a = tiers[i].0
                let b = tiers[j].0
                let overlap =
                    a.environments.isEmpty || b.environments.isEmpty
                    || !Set(a.environments).isDisjoint(with: b.environments)
                if overlap {
                    issue(
                        tiers[j].1, tiers[j].2,
                        "Tier \(b.name): same priority \(b.priority) as tier \(a.name) and both can match; give them different priorities"
                    )
                }
            }
        }
        for (freeze, f, l) in freezes {
            for e in freeze.environments where environments[e] == nil {
                issue(f, l, "Freeze \(freeze.name): unknown environment '\(e)'")
            }
            for a in freeze.breakGlass.allowed {
                if a.hasPrefix("team:") {
                    if teams[String(a.dropFirst(5))] == nil {
                        issue(f, l, "Freeze \(freeze.name): breakGlass.allowed: unknown team '\(a)'")
                    }
                } else if !knownIdentity(a) {
                    issue(f, l, "Freeze \(freeze.name): breakGlass.allowed: '\(a)' is not a declared Identity")
                }
            }
            if teams[freeze.breakGlass.reviewTeam] == nil {
                issue(
                    f, l,
                    "Freeze \(freeze.name): breakGlass.review.team: unknown team '\(freeze.breakGlass.reviewTeam)'")
            }
            if freeze.windows.isEmpty { issue(f, l, "Freeze \(freeze.name): needs at least one window") }
            for name in freeze.breakGlass.standsInForApprovals {
                guard let tier = tiers.first(where: { $0.0.name == name })?.0 else {
                    issue(f, l, "Freeze \(freeze.name): breakGlass.standsInForApprovals: unknown tier '\(name)'")
                    continue
                }
                if tier.approvals.isEmpty {
                    issue(
                        f, l,
                        "Freeze \(freeze.name): breakGlass.standsInForApprovals: tier \(name) requires no approvals "
                            + "for a grant to stand in for")
                }
            }
        }
        checkCanonicalNames()
        if declared { checkRequiredPaths(aliases: aliases) }
        guard issues.isEmpty else { return nil }
        return PolicyBundle(
            environments: environments.mapValues(\.0), teams: teams.mapValues(\.0),
            identities: identities.mapValues(\.0),
            tiers: tiers.map(\.0).sorted { $0.priority > $1.priority }, freezes: freezes.map(\.0),
            artifactPolicies: artifactPolicies, analysisTemplates: analysisTemplates, hash: hash, aliases: aliases)
    }
}
