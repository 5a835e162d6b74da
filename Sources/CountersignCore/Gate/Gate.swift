internal import CEL
public import Foundation

/// The decision engine: `decide(request, evidence, policy, now)` is a pure, deterministic function — the same
/// inputs always give the same decision, which is what lets an auditor replay a recorded one.
public enum Gate {
    /// Decides whether `request` may deploy now (DESIGN §4): the artifact must be digest-pinned, the deployer
    /// allowed and the source ref allowed; then the highest-priority matching tier's controls are evaluated and
    /// the verdict is the worst control result. Errors deny in protected environments.
    ///
    /// The change is decided on what GitHub records about it where there is a record (``ChangeResolution``); when
    /// the request tells it differently, its own account is decided too, and the decision requires what either
    /// requires.
    public static func decide(_ request: DeployRequest, evidence: Evidence, policy: PolicyBundle, now: Date) -> Decision
    {
        let resolution = ChangeResolution(request, evidence: evidence, now: now)
        var d = DecisionBuilder(
            request: resolution.effective, evidence: evidence, policy: policy, now: now, record: resolution.facts)
        d.run()
        // The account can only add through what the decision reads of it: its ref (the source-ref control), or a
        // field a condition read. Given the same value for every field they read, the conditions yield the same
        // results, so a difference nowhere they looked adds nothing (a rollback plan no condition mentions).
        guard d.environment != nil, resolution.differing.contains(where: { $0 == "ref" || d.conditionsRead($0) }),
            let claimed = resolution.claimed
        else { return d.decision() }
        var c = DecisionBuilder(
            request: claimed, evidence: evidence, policy: policy, now: now, record: resolution.facts,
            reportsFacts: false)
        c.run()
        return d.decision(alongside: c)
    }
}

/// The state of one decision while its controls are evaluated.
struct DecisionBuilder {
    let request: DeployRequest
    let evidence: Evidence
    let policy: PolicyBundle
    let now: Date
    var controls: [ControlResult] = []
    var relaxations: [String] = []
    var evidenceIDs: [String] = []
    var tier: Tier?
    /// Whether every name the policy compares is made of the characters names are made of (``Names/isSafe(_:)``).
    let namesAreSafe: Bool
    var environment: DeploymentEnvironment?
    var digest = ""
    /// GitHub's record of the change. The builder that decides on the record (`reportsFacts`) alone reports on the
    /// facts and on the digest's source; the one deciding the request's own account reads its reviews from it.
    let record: ChangeFacts?
    let reportsFacts: Bool

    init(
        request: DeployRequest, evidence: Evidence, policy: PolicyBundle, now: Date, record: ChangeFacts? = nil,
        reportsFacts: Bool = true
    ) {
        self.record = record
        self.reportsFacts = reportsFacts
        // Decided on the names' canonical form: `Payments` is the service a freeze for `payments` covers, `One-Way`
        // the label a tier's `'one-way' in change.labels` looks for.
        // A request whose names are all safe is canonical already (the safe characters are lowercase ASCII).
        namesAreSafe = request.namesAreSafe
        self.request = namesAreSafe ? request : request.canonicalNames
        self.evidence = evidence
        self.policy = policy
        self.now = now
        controls.reserveCapacity(16)
    }

    /// Whether evidence dated `at` is after this decision's time, at the ledger's resolution: times are recorded
    /// to the millisecond, rounded, so evidence recorded in the same instant a decision reads it back may carry a
    /// time up to half a millisecond later than the decision's — it is not from the future.
    func isAfterNow(_ at: Date) -> Bool { at.timeIntervalSince(now) >= 0.001 }

    mutating func add(_ control: String, _ status: ControlResult.Status, _ message: String, rule: String? = nil) {
        controls.append(ControlResult(control, status, message, rule: rule))
    }

    mutating func run() {
        guard namesAreSafe || request.namesAreSafe else {
            for (field, name) in request.unsafeNames {
                add("request", .denied, Names.refusal(field, name))
            }
            return
        }
        guard let env = policy.environments[request.environment] else {
            add("environment", .denied, "unknown environment '\(request.environment)'")
            return
        }
        environment = env
        do {
            digest = try ArtifactReference(parsing: request.artifact).digest
            add("artifact-reference", .satisfied, "pinned by digest \(digest)")
        } catch {
            add("artifact-reference", .denied, error.message)
            return
        }
        checkDeployer(env)
        if reportsFacts {
            checkChangeFacts(env)
            checkSource(env)
        }
        checkSourceRef(env)
        guard let tier = selectTier(env) else { return }
        self.tier = tier
        checkChecks(tier)
        checkArtifact(tier)
        checkPeerReview(tier, env)
        checkApprovals(tier, env)
        checkCanary(tier)
        checkRequirements(tier)
        checkFreezes(env)
    }

    /// This decision and `other`'s (the request's own account of its change) as one: every control of either,
    /// each once, so the result is at least as strict as both. Its tier is the record's — what the change is — and
    /// the account's tier is named, its controls added.
    func decision(alongside other: DecisionBuilder) -> Decision {
        var merged = self
        if let mine = tier, let theirs = other.tier, mine.name != theirs.name {
            merged.add(
                "tier", .satisfied,
                "the request's own account of its change selects tier \(theirs.name), GitHub's record tier "
                    + "\(mine.name): the controls of both apply")
        }
        for c in other.controls where !merged.controls.contains(c) { merged.controls.append(c) }
        for r in other.relaxations where !merged.relaxations.contains(r) { merged.relaxations.append(r) }
        for id in other.evidenceIDs where !merged.evidenceIDs.contains(id) { merged.evidenceIDs.append(id) }
        if merged.tier == nil { merged.tier = other.tier }
        return merged.decision()
    }

    func decision() -> Decision {
        let protected = environment?.protected ?? true
        var verdict = Decision.Verdict.allowed
        for c in controls {
            switch c.status {
            case .satisfied: break
            case .pending: verdict = max(verdict, .pending)
            case .denied: verdict = .denied
            case .error: verdict = max(verdict, protected ? .denied : .pending)
            }
        }
        return Decision(
            requestID: request.id, verdict: verdict, tier: tier?.name, controls: controls, relaxations: relaxations,
            policyHash: policy.hash, evidenceIDs: evidenceIDs, decidedAt: now)
    }

    // MARK: Basic controls

    mutating func checkDeployer(_ env: DeploymentEnvironment) {
        let deployer = policy.canonical(request.deployer)
        if !env.deployers.isEmpty && !env.deployers.contains(where: { policy.canonical($0) == deployer }) {
            add(
                "deployer", .denied,
                "\(request.deployer) may not deploy to \(env.name) (allowed: \(env.deployers.joined(separator: ", ")))")
            return
        }
        if !policy.identities.isEmpty {
            guard let identity = policy.identity(request.deployer) else {
                add("deployer", .denied, "\(request.deployer) is not a known identity")
                return
            }
            guard identity.roles.contains(.deployer) else {
                add("deployer", .denied, "\(identity.name) does not have the deployer role")
                return
            }
        }
        add("deployer", .satisfied, "\(deployer) may deploy to \(env.name)")
    }

    mutating func checkSourceRef(_ env: DeploymentEnvironment) {
        guard !env.sourceRefs.isEmpty else { return }
        if env.sourceRefs.contains(where: { RefPattern.matches($0, request.change.ref) }) {
            add("source-ref", .satisfied, "\(request.change.ref) is an allowed source for \(env.name)")
        } else {
            let ref = request.change.ref.isEmpty ? "no ref is known for the change, which" : request.change.ref
            add(
                "source-ref", .denied,
                "\(ref) is not an allowed source for \(env.name) (allowed: \(env.sourceRefs.joined(separator: ", ")))"
            )
        }
    }

    // MARK: Tier

    /// The CEL variables of this request, built once per decision (tier selection and requirements share them).
    lazy var celBindings: [String: Value] = PolicySchema.bindings(celInputs)
    /// What the bindings read from; it records which `change` fields the conditions read.
    lazy var celInputs = InputSource(PolicySchema.Inputs(request: request, digest: digest, environment: environment))

    /// Whether a condition of this decision read `change.<name>`.
    mutating func conditionsRead(_ name: String) -> Bool { celInputs.readChange(name) }

    mutating func selectTier(_ env: DeploymentEnvironment) -> Tier? {
        let bindings = celBindings
        // By index: a `Tier` copied per candidate is every field of it retained and released.
        for i in policy.tiers.indices
        where policy.tiers[i].environments.isEmpty || policy.tiers[i].environments.contains(env.name) {
            guard let match = policy.tiers[i].match else { continue }
            do {
                switch try match.program.evaluate(bindings) {
                case .bool(true):
                    add(
                        "tier", .satisfied,
                        "tier \(policy.tiers[i].name) (priority \(policy.tiers[i].priority)) matches: \(match.source)")
                    return policy.tiers[i]
                case .bool(false):
                    continue
                case let other:
                    // A condition that yields a non-boolean is an error, never a silent "no match".
                    add(
                        "tier", .error,
                        "tier \(policy.tiers[i].name) match at \(match.location) yielded \(other.typeName), not a bool")
                    return nil
                }
            } catch {
                add("tier", .error, "tier \(policy.tiers[i].name) match failed at \(match.location): \(error.message)")
                return nil
            }
        }
        if let name = env.defaultTier, let tier = policy.tiers.first(where: { $0.name == name }) {
            add("tier", .satisfied, "no tier matches; using \(env.name)'s default tier \(name)")
            return tier
        }
        if env.protected {
            add("tier", .denied, "no tier matches and \(env.name) is protected without a default tier")
        } else {
            add("tier", .satisfied, "no tier matches; \(env.name) is not protected")
        }
        return nil
    }

    // MARK: Checks, artifact, canary, requirements

    mutating func checkChecks(_ tier: Tier) {
        for name in tier.checks {
            // The latest report by a builder (of two at the same time, the one recorded last), in one pass.
            var found: CheckResult?
            var ignored: Set<String> = []
            var future = 0
            for r in evidence.checks where r.name == name && r.digest == digest {
                guard !isAfterNow(r.at) else {
                    future += 1
                    continue
                }
                let trusted =
                    policy.identities.isEmpty
                    || (policy.identity(r.reportedBy).map { $0.roles.contains(.builder) } ?? false)
                guard trusted else {
                    ignored.insert(r.reportedBy)
                    continue
                }
                if found.map({ r.at >= $0.at }) ?? true { found = r }
            }
            guard let latest = found else {
                var note =
                    ignored.isEmpty
                    ? "" : " (ignored reports by \(ignored.sorted().joined(separator: ", ")): not builders)"
                if future > 0 {
                    note += " (ignored \(future) report\(future == 1 ? "" : "s") dated after the decision time)"
                }
                add("checks", .pending, "waiting for check \(name) on \(digest)\(note)", rule: name)
                continue
            }
            evidenceIDs.append(latest.id)
            switch latest.status {
            case .passed: add("checks", .satisfied, "\(name) passed (reported by \(latest.reportedBy))", rule: name)
            case .failed:
                add("checks", .denied, "\(name) failed for \(digest) (reported by \(latest.reportedBy))", rule: name)
            case .pending: add("checks", .pending, "\(name) is still running for \(digest)", rule: name)
            }
        }
    }

    mutating func checkArtifact(_ tier: Tier) {
        guard let name = tier.artifactPolicy, let artifactPolicy = policy.artifactPolicies[name] else { return }
        // A verification proves what it was made under: this definition of the policy (one made before it began
        // requiring provenance proved nothing about provenance) and, when signatures must name the repository, the
        // repository it was made in (a digest verified in staging is not verified for production's repository).
        let repository =
            artifactPolicy.matchDockerReference
            ? (try? ArtifactReference(parsing: request.artifact))?.canonicalRepository : nil
        var superseded = 0
        var elsewhere: Set<String> = []
        var latest: ArtifactVerification? = nil
        for result in evidence.artifactVerifications
        where result.digest == digest && result.policy == name && !isAfterNow(result.at) {
            guard result.policyHash == artifactPolicy.hash else {
                superseded += 1
                continue
            }
            if let repository, result.repository != repository {
                elsewhere.insert(result.repository ?? "an unrecorded repository")
                continue
            }
            if latest.map({ $0.at <= result.at }) ?? true { latest = result }
        }
        guard let latest else {
            var why = ""
            if superseded > 0 {
                why +=
                    " (ignored \(superseded) verification\(superseded == 1 ? "" : "s") made under another definition "
                    + "of \(name): verify again)"
            }
            if let repository, !elsewhere.isEmpty {
                why +=
                    " (ignored verifications in \(elsewhere.sorted().joined(separator: ", ")): \(name) matches the "
                    + "repository, so only a verification in \(repository) counts)"
            }
            add(
                "artifact", .pending,
                "waiting for signature and provenance verification of \(digest) under \(name)\(why)", rule: name)
            return
        }
        evidenceIDs.append(latest.id)
        if latest.verified {
            add("artifact", .satisfied, "verified under \(name)\(latest.details.map { ": \($0)" } ?? "")", rule: name)
        } else {
            add(
                "artifact", .denied, "verification under \(name) rejected \(digest): \(latest.details ?? "no details")",
                rule: name)
        }
    }

    mutating func checkCanary(_ tier: Tier) {
        guard let template = tier.canaryTemplate else { return }
        let verdicts = evidence.canaryVerdicts.filter {
            $0.digest == digest && $0.template == template && !isAfterNow($0.at)
        }
        .sorted { $0.at < $1.at }
        // A pass is the gated party's to give only if it cannot benefit from it: Countersign's own analysis, or an
        // identity that holds no deployer role and neither requested nor deploys this change. And it speaks for the
        // environment whose canary it judged only. A failure or an inconclusive verdict only makes the gate
        // stricter, so it counts from anyone, judged anywhere.
        var ignored: [String] = []
        var elsewhere: Set<String> = []
        var latest: CanaryVerdict? = nil
        for verdict in verdicts.reversed() {
            if verdict.outcome == .pass {
                if let judge = untrustedJudge(verdict.judgedBy) {
                    ignored.append(judge)
                    continue
                }
                let judgedHere =
                    verdict.environment.map { $0 == request.environment || Names.canonical($0) == request.environment }
                    ?? !(environment?.protected ?? true)
                guard judgedHere else {
                    elsewhere.insert(verdict.environment ?? "no environment named")
                    continue
                }
            }
            latest = verdict
            break
        }
        guard let latest else {
            var why =
                ignored.isEmpty
                ? ""
                : "; ignored passes judged by \(Set(ignored).sorted().joined(separator: ", ")), who may deploy it "
                    + "(a pass counts from Countersign's own analysis or an identity that cannot deploy)"
            if !elsewhere.isEmpty {
                why +=
                    "; ignored passes judged for \(elsewhere.sorted().joined(separator: ", ")): a pass counts only "
                    + "for the environment whose canary it judged"
            }
            add(
                "canary", .pending,
                "waiting for canary analysis \(template) of \(digest) in \(request.environment)" + why, rule: template)
            return
        }
        evidenceIDs.append(latest.id)
        switch latest.outcome {
        case .pass: add("canary", .satisfied, "canary analysis \(template) passed", rule: template)
        case .fail: add("canary", .denied, "canary analysis \(template) failed for \(digest)", rule: template)
        case .inconclusive:
            add("canary", .pending, "canary analysis \(template) is inconclusive; run it again", rule: template)
        }
    }

    /// `judge` (in canonical form) when a pass it gave must not count: nobody named, or someone who could benefit
    /// from it (``interested(_:holding:)``). `nil` for Countersign's own analysis and for an identity that cannot
    /// deploy.
    func untrustedJudge(_ judge: String?) -> String? {
        guard let judge else { return "an unnamed judge" }
        if judge == "countersign" { return nil }
        return interested(judge)
    }

    /// `who` (in canonical form) when evidence they give must not lighten this decision because they could benefit
    /// from it (DESIGN §5a): an unknown identity, one holding the deployer role, the request's requester or deployer,
    /// or one without `role` when a role is asked for. `nil` when they cannot benefit. The one rule for canary
    /// judges and for builders binding a digest to its commit.
    func interested(_ who: String, holding role: Identity.Role? = nil) -> String? {
        let name = policy.canonical(who)
        guard let identity = policy.identity(who), role.map(identity.roles.contains) ?? true,
            !identity.roles.contains(.deployer), name != policy.canonical(request.requester),
            name != policy.canonical(request.deployer)
        else { return name }
        return nil
    }

    mutating func checkRequirements(_ tier: Tier) {
        let bindings = celBindings
        for r in tier.require {
            do {
                switch try r.condition.program.evaluate(bindings) {
                case .bool(true): add("require", .satisfied, r.condition.source, rule: r.condition.source)
                case .bool(false): add("require", .denied, r.message, rule: r.condition.source)
                case let other:
                    add(
                        "require", .error,
                        "\(r.condition.location): \(r.condition.source) yielded \(other.typeName), not a bool",
                        rule: r.condition.source)
                }
            } catch {
                add(
                    "require", .error, "\(r.condition.location): \(r.condition.source): \(error.message)",
                    rule: r.condition.source)
            }
        }
    }
}

/// Source-ref patterns: `*` matches within one path segment; a trailing `*` matches the rest of the ref.
///
/// Compared byte for byte, as git compares refs: `refs/heads/café` written with a combining accent is another
/// ref than the precomposed one, though Swift's `Character` comparison would call them equal.
enum RefPattern {
    static func matches(_ pattern: String, _ ref: String) -> Bool {
        let p = Array(pattern.utf8)
        let s = Array(ref.utf8)
        let star = UInt8(ascii: "*")
        let slash = UInt8(ascii: "/")
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == s.count }
            if p[i] == star {
                if i == p.count - 1 { return true }
                var k = j
                while true {
                    if match(i + 1, k) { return true }
                    if k == s.count || s[k] == slash { return false }
                    k += 1
                }
            }
            return j < s.count && p[i] == s[j] && match(i + 1, j + 1)
        }
        return match(0, 0)
    }
}
