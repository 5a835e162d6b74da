import CEL
import Foundation
import Testing

@testable import CountersignCore

@Suite struct PolicyLoaderTests {
    func issues(_ yaml: String) -> [String] {
        do {
            _ = try PolicyLoader.load(sources: [("bundle.yaml", yaml)])
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    static let header = "apiVersion: countersign.dev/v1alpha1\n"

    @Test func loadsTheExampleBundle() throws {
        let b = try PolicyLoader.load(path: Fixture.policyPath)
        #expect(b.environments.keys.sorted() == ["dev", "production", "staging"])
        #expect(b.tiers.map(\.name) == ["emergency", "schema-migration", "code-behind-flag", "flag-flip", "stateless"])
        #expect(b.identity("alice@example.com")?.name == "alice")
        #expect(b.hash.hasPrefix("sha256:") && b.hash.count == 71)
        // The same documents always give the same hash; a change gives another.
        let again = try PolicyLoader.load(path: Fixture.policyPath)
        #expect(again.hash == b.hash)
        #expect(b.tiers.first { $0.name == "stateless" }?.peerReview == PeerReviewRule(count: 1, mergedByOther: true))
        #expect(b.tiers.first { $0.name == "stateless" }?.approvals.isEmpty == true)
    }

    @Test(arguments: [
        (
            "kind: Environment\nmetadata: { name: e }\nspec: { rank: 1, protectd: true }\n",
            "bundle.yaml:4: Environment e: unknown field 'protectd'"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"change.kind ==\"\n",
            "bundle.yaml:6: Tier t.match: Syntax error"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"change.labels.size()\"\n",
            "expression must evaluate to bool"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"chnge.kind == 'x'\"\n",
            "undeclared reference to 'chnge'"
        ),
        // A field the inputs do not have is a lint error at its line, not a production denial.
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"change.knd == 'code'\"\n",
            "bundle.yaml:6: Tier t.match: undefined field 'knd' on countersign.Change"
        ),
        // Field names are exact: a case variant is another, undefined field.
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"change.Kind == 'code'\"\n",
            "undefined field 'Kind' on countersign.Change"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"has(request.tier)\"\n",
            "undefined field 'tier' on countersign.Request"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  match: \"environment.protected == 'yes'\"\n",
            "no matching overload"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  controls: { approvals: [{ team: ghosts }] }\n",
            "Tier t: unknown team 'ghosts'"
        ),
        (
            "kind: Freeze\nmetadata: { name: f }\nspec:\n  environments: [e]\n  windows: [{ cron: '0 12 * * FRI', duration: 2h }]\n",
            "every freeze must ship with a breakGlass path"
        ),
        (
            "kind: Freeze\nmetadata: { name: f }\nspec:\n  environments: [e]\n  windows: [{ cron: '0 25 * * *', duration: 2h }]\n"
                + "  breakGlass: { allowed: [x], maxDuration: 1h, review: { within: 1h, team: t } }\n",
            "'25' is not a valid value"
        ),
        (
            "kind: Freeze\nmetadata: { name: f }\nspec:\n  environments: [e]\n  windows: [{ cron: '0 12 * * FRI', duration: 2h }]\n"
                + "  breakGlass: { allowed: [x], maxDuration: 1h, review: { within: 1h, team: t }, "
                + "standsInForApprovals: [ghost] }\n",
            "Freeze f: breakGlass.standsInForApprovals: unknown tier 'ghost'"
        ),
        (
            "kind: Freeze\nmetadata: { name: f }\nspec:\n  environments: [e]\n  windows: [{ cron: '0 12 * * FRI', duration: 2h }]\n"
                + "  breakGlass: { allowed: [x], maxDuration: 1h, review: { within: 1h, team: t }, "
                + "standsInForApprovals: [t] }\n---\napiVersion: countersign.dev/v1alpha1\n"
                + "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  controls: { checks: [unit] }\n",
            "Freeze f: breakGlass.standsInForApprovals: tier t requires no approvals for a grant to stand in for"
        ),
        (
            "kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  controls: { peerReview: { count: 0 } }\n",
            "Tier t.controls.peerReview.count must be at least 1"
        ),
        ("kind: Thing\nmetadata: { name: x }\n", "unknown kind 'Thing'"),
        // A document without its spec is an error, not silently dropped (a Tier or Freeze that never applies).
        ("kind: Tier\nmetadata: { name: t }\n", "bundle.yaml:1: Tier t: missing spec"),
        ("kind: Freeze\nmetadata: { name: f }\n", "bundle.yaml:1: Freeze f: missing spec"),
        ("kind: Team\nmetadata: { name: t }\n", "bundle.yaml:1: Team t: missing spec"),
        ("kind: Identity\nmetadata: { name: i }\n", "bundle.yaml:1: Identity i: missing spec"),
        (
            "kind: Identity\nmetadata: { name: bot }\nspec: { kind: automation, roles: [approver] }\n",
            "an automation identity cannot have the approver role"
        ),
        ("kind: Environment\nmetadata: { name: e }\nspec: { rank: [1] }\n", "Environment e.rank: expected an integer"),
        ("kind: Environment\nmetadata: { name: e\n", "invalid YAML"),
    ])
    func reportsEveryProblemWithFileAndLine(_ body: String, _ expected: String) {
        let found = issues(Self.header + body)
        #expect(found.contains { $0.contains(expected) }, "\(found)")
    }

    /// The example policy mounted as Kubernetes mounts a ConfigMap: each file a link into `..data`, itself a link to
    /// a timestamped directory. It loads as the same policy (the same hash) as the plain directory — each document
    /// once, not three times, and no editor's dot-file either.
    @Test func aPolicyMountedFromAConfigMapLoadsOnce() throws {
        let fm = FileManager.default
        let mount = fm.temporaryDirectory.appendingPathComponent("configmap-\(UUID())").path
        let version = mount + "/..2026_12_07_10_00_00.123"
        try fm.createDirectory(atPath: version, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: mount) }
        let files = try fm.contentsOfDirectory(atPath: Fixture.policyPath).filter { $0.hasSuffix(".yaml") }
        for file in files {
            try fm.copyItem(atPath: Fixture.policyPath + "/" + file, toPath: version + "/" + file)
            try fm.createSymbolicLink(atPath: mount + "/" + file, withDestinationPath: "..data/" + file)
        }
        try fm.createSymbolicLink(atPath: mount + "/..data", withDestinationPath: "..2026_12_07_10_00_00.123")
        try "not: [a, policy".write(toFile: mount + "/.draft.yaml", atomically: true, encoding: .utf8)
        #expect(PolicyLoader.yamlFiles(inDirectory: mount).count == files.count)
        let mounted = try PolicyLoader.load(path: mount)
        #expect(mounted.hash == (try PolicyLoader.load(path: Fixture.policyPath)).hash)
    }

    @Test func rejectsTiersThatCanBothMatchAtOnePriority() {
        let yaml = """
            apiVersion: countersign.dev/v1alpha1
            kind: Tier
            metadata: { name: a }
            spec: { priority: 100, match: "true" }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Tier
            metadata: { name: b }
            spec: { priority: 100, match: "false" }
            """
        #expect(issues(yaml).contains { $0.contains("same priority 100 as tier a and both can match") })
    }

    @Test func reportsAllIssuesAtOnce() {
        let yaml = """
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: e }
            spec: { rank: 1, defaultTier: missing, extra: 1 }
            ---
            apiVersion: v2
            kind: Team
            metadata: { name: t }
            spec: { members: [] }
            """
        let found = issues(yaml)
        #expect(found.count >= 3, "\(found)")
        #expect(found.contains { $0.contains("apiVersion must be countersign.dev/v1alpha1") })
        #expect(found.contains { $0.contains("a team needs at least one member") })
    }

    /// Identity names are compared in their canonical form: two that fold to one are one person (refused), and a
    /// name with characters no name has (a zero-width space, a Cyrillic letter) is refused.
    @Test func identityNamesThatFoldTogetherOrHideCharactersAreRefused() {
        func identity(_ name: String, aliases: [String] = []) -> String {
            """
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: "\(name)" }
            spec: { kind: human, roles: [approver], aliases: [\(aliases.map { "\"\($0)\"" }.joined(separator: ", "))] }

            """
        }
        let folding = issues(identity("bob") + identity("carol", aliases: ["ＢＯＢ"]))
        #expect(folding.contains { $0.contains("alias 'ＢＯＢ' already names identity bob") }, "\(folding)")
        let hidden = issues(identity("bo\u{200B}b"))
        #expect(hidden.contains { $0.contains("has characters an identity name may not have") }, "\(hidden)")
        let cyrillic = issues(identity("bob", aliases: ["аlice"]))
        #expect(
            cyrillic.contains { $0.contains("'аlice' has characters an identity name may not have") }, "\(cyrillic)")
        #expect(
            issues(identity("deploy-bot", aliases: ["deploy-bot[bot]", "12345+Deploy@users.noreply.github.com"]))
                .isEmpty)
    }

    /// Required paths nobody can walk, or one person walks alone, are refused at lint (issue 16, item 7).
    @Test func requiredPathsNeedEnoughPeopleOtherThanTheOneActing() {
        func person(_ name: String, _ roles: String = "approver") -> String {
            "---\n\(Self.header)kind: Identity\nmetadata: { name: \(name) }\nspec: { kind: human, roles: [\(roles)] }\n"
        }
        func team(_ name: String, _ members: String) -> String {
            "---\n\(Self.header)kind: Team\nmetadata: { name: \(name) }\nspec: { members: [\(members)] }\n"
        }
        func tier(count: Int, team: String) -> String {
            "---\n\(Self.header)kind: Tier\nmetadata: { name: t }\nspec:\n  priority: 1\n  controls:\n"
                + "    approvals: [{ team: \(team), count: \(count) }]\n"
        }
        func freeze(allowed: String, review: String) -> String {
            "---\n\(Self.header)kind: Environment\nmetadata: { name: prod }\nspec: { rank: 1 }\n---\n\(Self.header)"
                + "kind: Freeze\nmetadata: { name: f }\nspec:\n  environments: [prod]\n"
                + "  windows: [{ start: \"2026-01-01T00:00:00Z\", end: \"2026-01-02T00:00:00Z\" }]\n"
                + "  breakGlass: { allowed: [\(allowed)], maxDuration: 1h, review: { within: 1h, team: \(review) } }\n"
        }
        let people = person("ann") + person("ben") + person("cat", "auditor") + person("dan", "admin")
        // Two approvals from a team with one approver (cat only audits): no request of the tier could ever pass.
        let tooMany = issues(people + team("owners", "ann, cat") + tier(count: 2, team: "owners"))
        #expect(
            tooMany.contains {
                $0.contains("needs 2 approvals from team owners, which has 1 person holding the approver role (ann)")
            }, "\(tooMany)")
        // Aliases and repeats are one person: a team written [ann, ann] has one member.
        let single = issues(people + team("owners", "ann, ann") + tier(count: 1, team: "owners"))
        #expect(
            single.contains { $0.contains("team owners has one member (ann) and is on a required path") }, "\(single)")
        #expect(issues(people + team("owners", "ann, ben") + tier(count: 2, team: "owners")).isEmpty)
        // A review team in which nobody but the invoker may review: ann's own grant goes unreviewed.
        let selfReview = issues(
            people + team("oncall", "ann, ben") + team("review", "ann, cat")
                + freeze(
                    allowed: "team:oncall", review: "review"))
        #expect(
            selfReview.contains { $0.contains("review.team review cannot review a grant by ann") }, "\(selfReview)")
        #expect(!selfReview.contains { $0.contains("grant by ben") }, "\(selfReview)")
        let alone = issues(people + team("review", "dan") + freeze(allowed: "ann", review: "review"))
        #expect(alone.contains { $0.contains("review.team review has one member (dan)") }, "\(alone)")
        #expect(issues(people + team("review", "dan, ben") + freeze(allowed: "ann, ben", review: "review")).isEmpty)
    }

    /// GitHub noreply addresses are their logins, so an author known only by one is still excluded; nothing else is.
    @Test(
        arguments: [
            ("12345678+alice@users.noreply.github.com", "alice"), ("alice@users.noreply.github.com", "alice"),
            ("12345678+Alice-GH@Users.Noreply.GitHub.com", "alice-gh"), ("１２３+alice@users.noreply.github.com", "alice"),
            ("41898282+github-actions[bot]@users.noreply.github.com", "github-actions[bot]"),
            ("alice@users.noreply.github.com.evil.example", nil), ("alice+1@users.noreply.github.com", nil),
            ("a lice@users.noreply.github.com", nil), ("@users.noreply.github.com", nil), ("alice@example.com", nil),
            ("12+al\u{200B}ice@users.noreply.github.com", nil),
        ] as [(String, String?)])
    func gitHubNoreplyAddressesAreTheirLogins(_ address: String, _ login: String?) {
        #expect(Names.gitHubLogin(noreply: address) == login, "\(address)")
    }

    /// One provider account is one person, and automations never sign in.
    @Test func signInNamesOnePersonAndNoAutomation() {
        func identity(_ name: String, _ kind: String, _ signIn: String) -> String {
            "---\n\(Self.header)kind: Identity\nmetadata: { name: \(name) }\n"
                + "spec: { kind: \(kind), roles: [auditor], signIn: \(signIn) }\n"
        }
        let twice = issues(
            identity("ann", "human", "{ subject: s-1 }") + identity("ben", "human", "{ subject: s-1 }")
                + identity("cat", "human", "{ email: Cat@Example.com }")
                + identity("dan", "human", "{ email: cat@example.com }"))
        #expect(twice.contains { $0.contains("signIn subject s-1 already signs in as identity") }, "\(twice)")
        #expect(twice.contains { $0.contains("signIn email cat@example.com already signs in as identity") }, "\(twice)")
        let robot = issues(identity("bot", "automation", "{ subject: s-9 }"))
        #expect(robot.contains { $0.contains("automation identities do not sign in") }, "\(robot)")
        let empty = issues(identity("eve", "human", "{}"))
        #expect(empty.contains { $0.contains("signIn: give subject, email or both") }, "\(empty)")
        #expect(issues(identity("ann", "human", "{ subject: s-1, email: ann@example.com }")).isEmpty)
    }

    /// A CI ID token rule must pin who mints the token: GitHub gives any repository's job a token for any audience.
    @Test func oidcRulesPinTheRepositoryAndBelongToAutomations() throws {
        func identity(_ kind: String, _ roles: String, _ rule: String) -> String {
            "\(Self.header)kind: Identity\nmetadata: { name: ci }\n"
                + "spec: { kind: \(kind), roles: \(roles), oidc: [\(rule)] }\n"
        }
        let issuer = "issuer: https://token.actions.githubusercontent.com, audience: https://cs.example"
        let good = "{ \(issuer), claims: { repository: acme/shop, ref: refs/heads/main } }"
        let bundle = try PolicyLoader.load(sources: [("b.yaml", identity("automation", "[deployer]", good))])
        #expect(
            bundle.identities["ci"]?.oidc == [
                Identity.OIDCTrust(
                    issuer: "https://token.actions.githubusercontent.com", audience: "https://cs.example",
                    claims: ["repository": "acme/shop", "ref": "refs/heads/main"])
            ])
        for (yaml, message) in [
            (identity("human", "[approver]", good), "people sign in; only automation identities present CI ID tokens"),
            (
                identity("automation", "[deployer]", "{ \(issuer), claims: { ref: refs/heads/main } }"),
                "must pin repository or sub"
            ),
            (
                identity("automation", "[deployer]", "{ \(issuer), claims: { repository: \"*/shop\" } }"),
                "must pin repository or sub"
            ),
            (
                identity("automation", "[deployer]", "{ \(issuer), claims: { sub: \"*\" } }"),
                "must pin repository or sub"
            ),
            (
                identity("automation", "[deployer]", "{ issuer: http://ci.example, audience: a, claims: { sub: x } }"),
                "must be an https URL"
            ),
            (
                identity("automation", "[deployer]", "{ \(issuer), role: builder, claims: { sub: x } }"),
                "is not one of the identity's roles"
            ),
            (
                identity("automation", "[builder, deployer]", "{ \(issuer), claims: { sub: x } }"),
                "name the role the token acts in"
            ),
            (
                identity("automation", "[deployer]", "{ issuer: https://i.example, claims: { sub: x } }"),
                "missing required field 'audience'"
            ),
            (identity("automation", "[deployer]", "{ \(issuer), claims: [sub] }"), "expected a mapping of claim names"),
        ] {
            let found = issues(yaml)
            #expect(found.contains { $0.contains(message) }, "\(message): \(found)")
        }
        #expect(Identity.OIDCTrust.matches("refs/heads/*", "refs/heads/main"))
        #expect(!Identity.OIDCTrust.matches("refs/heads/main", "refs/heads/main-evil"))
        #expect(!Identity.OIDCTrust.matches("acme/shop", "Acme/Shop"), "exact, as the issuer writes it")
    }

    /// Names the gate compares with a request's must be written as the request's are folded: `Production` would
    /// match nothing, so the freeze or tier naming it would silently cover nobody.
    @Test func policyNamesMustBeInTheirCanonicalForm() {
        let found = issues(
            """
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: Production }
            spec: { rank: 1 }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Freeze
            metadata: { name: f }
            spec:
              environments: [Production]
              services: ["pay\\u200Bments"]
              windows: [{ start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z" }]
              breakGlass: { allowed: [x], maxDuration: 1h, review: { within: 1h, team: r } }
            """)
        #expect(found.contains { $0.contains("Environment Production: 'Production' is compared as 'production'") })
        #expect(found.contains { $0.contains("Freeze f: environment: 'Production' is compared as 'production'") })
        #expect(found.contains { $0.contains("Freeze f: service: name 'pay\u{200B}ments' has characters") }, "\(found)")
    }

    @Test(arguments: [
        ("refs/heads/release/*", "refs/heads/release/2026.11", true),
        ("refs/heads/release/*", "refs/heads/release/a/b", true),
        ("refs/heads/*", "refs/heads/main", true), ("refs/heads/main", "refs/heads/mainline", false),
        ("refs/heads/*/hotfix", "refs/heads/x/y/hotfix", false), ("refs/heads/*/hotfix", "refs/heads/x/hotfix", true),
        // Refs are bytes: a decomposed accent is another ref than the precomposed one, and case counts.
        ("refs/heads/caf\u{E9}", "refs/heads/cafe\u{301}", false), ("refs/heads/main", "refs/heads/Main", false),
        ("refs/heads/release/*", "refs/heads/release", false), ("refs/tags/v*", "refs/tags/v1.2", true),
    ])
    func matchesSourceRefPatterns(_ pattern: String, _ ref: String, _ expected: Bool) {
        #expect(RefPattern.matches(pattern, ref) == expected)
    }

    @Test(arguments: [
        ("registry.example.com/payments/api@sha256:" + String(repeating: "a", count: 64), true),
        ("localhost:5000/api:1.0@sha256:" + String(repeating: "0", count: 64), true),
        ("registry.example.com/payments/api:1.2.3", false), ("api@sha256:abc", false),
        ("api@sha256:" + String(repeating: "A", count: 64), false),
        ("@sha256:" + String(repeating: "a", count: 64), false),
        // Empty path components, an empty or overlong tag, and names that are not ASCII: refused.
        ("registry.example.com//api@sha256:" + String(repeating: "a", count: 64), false),
        ("/api@sha256:" + String(repeating: "a", count: 64), false),
        ("api/@sha256:" + String(repeating: "a", count: 64), false),
        ("api:@sha256:" + String(repeating: "a", count: 64), false),
        ("api:" + String(repeating: "t", count: 129) + "@sha256:" + String(repeating: "a", count: 64), false),
        ("api\u{301}@sha256:" + String(repeating: "a", count: 64), false),
        ("api@\u{301}sha256:" + String(repeating: "a", count: 64), false),
        ("api@sha256:" + String(repeating: "a", count: 63) + "\u{301}", false),
        ("\u{FF41}pi@sha256:" + String(repeating: "a", count: 64), false),
        ("api@sha256:" + String(repeating: "a", count: 64) + "@sha256:" + String(repeating: "b", count: 64), false),
    ])
    func parsesDigestPinnedReferencesOnly(_ text: String, _ valid: Bool) {
        let parsed = try? ArtifactReference(parsing: text)
        #expect((parsed != nil) == valid, "\(text)")
    }

    @Test func splitsAReferenceIntoRepositoryTagAndDigest() throws {
        let digest = "sha256:" + String(repeating: "0", count: 64)
        let tagged = try ArtifactReference(parsing: "localhost:5000/team/api:1.0-rc.1@\(digest)")
        #expect(tagged.repository == "localhost:5000/team/api")
        #expect(tagged.tag == "1.0-rc.1")
        #expect(tagged.digest == digest)
        // A colon before the last slash is a registry port, not a tag.
        let ported = try ArtifactReference(parsing: "localhost:5000/api@\(digest)")
        #expect(ported.repository == "localhost:5000/api" && ported.tag == nil)
    }
}

@Suite struct LifecycleTests {
    @Test func approvalsMoveOnlyAlongAllowedTransitions() throws {
        #expect(try ApprovalState.pending.applying(.approve(by: "carol")).get() == .granted)
        #expect(try ApprovalState.granted.applying(.withdraw(by: "carol")).get() == .withdrawn)
        #expect(try ApprovalState.pending.applying(.expire).get() == .expired)
        #expect(throws: LifecycleError.self) { try ApprovalState.rejected.applying(.approve(by: "carol")).get() }
        #expect(throws: LifecycleError.self) { try ApprovalState.pending.applying(.withdraw(by: "carol")).get() }
        #expect(ApprovalState.withdrawn.isTerminal && !ApprovalState.granted.isTerminal)
    }

    @Test func breakGlassExpiresAndIsReviewedByTheTeam() throws {
        let t0 = Fixture.date("2026-11-27T14:00:00Z")
        let t1 = Fixture.date("2026-11-27T18:00:00Z")
        #expect(try BreakGlassState.granted.applying(.tick(now: t0, expiresAt: t1)).get() == .granted)
        #expect(try BreakGlassState.granted.applying(.tick(now: t1, expiresAt: t1)).get() == .expired)
        #expect(try BreakGlassState.expired.applying(.review(by: "erin", reviewers: ["erin"])).get() == .reviewed)
        #expect(throws: LifecycleError.self) {
            try BreakGlassState.expired.applying(.review(by: "carol", reviewers: ["erin"])).get()
        }
        #expect(throws: LifecycleError.self) {
            try BreakGlassState.reviewed.applying(.tick(now: t1, expiresAt: t1)).get()
        }
    }
}

/// The inputs conditions read are declared once (`PolicySchema`): what the checker accepts is what the gate binds.
@Suite struct PolicySchemaTests {
    static let inputs = PolicySchema.Inputs(
        request: DeployRequest(
            id: "r", service: "s", environment: "production",
            artifact: "registry.example.com/a@sha256:"
                + String(
                    repeating: "ab", count: 32),
            change: Change(
                commit: "c", ref: "refs/heads/main",
                pullRequest: Change.PullRequest(number: 7, author: "bob", committers: ["bob"], reviewers: ["alice"]),
                ticket: "T-1", kind: "code", reversible: true, labels: ["x"], rollbackPlan: "revert"),
            requester: "r", deployer: "d"),
        digest: "sha256:" + String(repeating: "ab", count: 32),
        environment: DeploymentEnvironment(
            name: "production", rank: 3, protected: true, deployers: [], sourceRefs: [], defaultTier: nil))

    /// Every declared field compiles as a condition, is bound, and its value has the declared type.
    @Test func everyDeclaredFieldIsBoundWithItsType() throws {
        let bindings = PolicySchema.bindings(Self.inputs)
        for object in PolicySchema.objects {
            for field in object.fields {
                let program = try PolicySchema.environmentForConditions.compile(
                    "type(\(object.variable).\(field.name)) == \(field.type.runtimeName)", resultType: .bool)
                #expect(try program.evaluate(bindings).celEquals(.bool(true)), "\(object.variable).\(field.name)")
            }
            let whole = try PolicySchema.environmentForConditions.compile(object.variable)
            #expect(try whole.evaluate(bindings).celType == .object(object.typeName))
        }
    }

    /// An environment the policy does not define reads as protected: fail closed.
    @Test func anUnknownEnvironmentIsProtected() throws {
        var inputs = Self.inputs
        inputs.environment = nil
        let program = try PolicySchema.environmentForConditions.compile("environment.protected", resultType: .bool)
        #expect(try program.evaluate(PolicySchema.bindings(inputs)).celEquals(.bool(true)))
    }
}
