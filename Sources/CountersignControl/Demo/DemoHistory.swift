internal import CountersignCanary
internal import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
public import Foundation
internal import Synchronization

/// `countersign serve --demo`: a realistic 90-day history for the example policy (examples/policy), written through
/// the control plane itself, so every decision in it is the gate's own: a few hundred deploys of four services to
/// staging and production, checks, approvals (some slow, a few rejections), separation-of-duties refusals,
/// canary judgements, failures and rollbacks, incidents, the Black Friday freeze with one break-glass and its
/// review — and requests still waiting for approval, so the inbox has work on first run.
///
/// And the gates the gate metrics exist to find (issue 21): a check that never fails (`integration`) beside ones
/// that do (`unit` in staging, `migration-dry-run` against production's data), an approval rule that never rejects
/// (`dba`) beside one that does (`payments-owners`), and an approver who approves everything within seconds of it
/// being ready, without a word (erin).
///
/// The history is seeded from a fixed random seed, so two demos look the same. Artifact verifications are
/// recorded as `artifact.verified` by `demo-seed` with details saying so: no registry is involved.
public struct DemoHistory: Sendable {
    public static let services = ["payments", "checkout", "search", "web"]
    let store: any LedgerStore
    let policy: PolicyHolder
    let end: Date
    let days: Int

    public init(store: any LedgerStore, policy: PolicyHolder, end: Date = Date(), days: Int = 90) {
        self.store = store
        self.policy = policy
        self.end = end
        self.days = days
    }

    /// What was written.
    public struct Summary: Sendable {
        public var requests = 0
        public var deploys = 0
        public var incidents = 0
        /// Requests pending at the end, as the approvals inbox lists them.
        public var pending = 0
    }

    /// Seeds an empty ledger; refuses one that already has entries (a demo never mixes with real history).
    public func seed() async throws(ControlError) -> Summary {
        let size: Int
        do { size = try await store.size() } catch { throw ControlError(ledger: error) }
        guard size <= 1 else {
            throw ControlError(.conflict, "--demo seeds only an empty ledger; this one has \(size) entries")
        }
        let clock = DemoClock(end.addingTimeInterval(-Double(days) * 86_400))
        let control = ControlPlane(store: store, policy: policy, now: { clock.now })
        var run = Run(control: control, clock: clock, rng: SeededGaussian(seed: 0x00C0_FFEE))
        try await run.history(days: days, end: end)
        // What the approvals inbox lists: every request still pending, not only the ones left waiting on purpose.
        run.summary.pending = try await control.read({ r throws(LedgerError) in try await r.pendingRequestCount() })
        return run.summary
    }

    struct Run {
        let control: ControlPlane
        let clock: DemoClock
        var rng: SeededGaussian
        var summary = Summary()
        var deployCount = 0

        let deployBot = Principal(identity: "deploy-bot", role: .deployer, kind: .automation, tokenID: "demo")
        let builder = Principal(identity: "ci-builder", role: .builder, kind: .automation, tokenID: "demo")
        static let people = ["alice", "bob", "carol", "dave", "erin"]

        func person(_ name: String, _ role: Identity.Role) -> Principal {
            Principal(identity: name, role: role, kind: .human, tokenID: "demo")
        }

        var now: Date { clock.now }

        func advance(to date: Date) { clock.value.withLock { $0 = max($0, date) } }

        func advance(by seconds: Double) { clock.value.withLock { $0 = $0.addingTimeInterval(seconds) } }

        mutating func history(days: Int, end: Date) async throws(ControlError) {
            let start = now
            for day in 0..<days {
                let dayStart = start.addingTimeInterval(Double(day) * 86_400)
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let weekday = calendar.component(.weekday, from: dayStart)
                let weekend = weekday == 1 || weekday == 7
                let count = weekend ? rng.int(0...1) : rng.int(2...6)
                var times = (0..<count).map { _ in dayStart.addingTimeInterval(rng.double(8 * 3_600...18 * 3_600)) }
                times.sort()
                for t in times where t > now {
                    advance(to: t)
                    try await change(service: Self.services(rng.int(0...3)), ending: end)
                }
                if day == 86 { try await breakGlassIfFrozen() }
            }
            try await waiting(end: end)
        }

        static func services(_ i: Int) -> String { DemoHistory.services[i] }

        /// The checks CI reports in each environment's phase and how often each fails: every check once per build,
        /// before staging; a migration's dry run again against production's data, before production (its latest
        /// result is the one that counts). `integration` never fails — the check the gate metrics should single out.
        static let checks: [String: [(String, Double)]] = [
            "staging": [
                ("policy-lint", 0.02), ("unit", 0.04), ("integration", 0), ("migration-dry-run", 0.02),
                ("rollback-tested", 0.02),
            ],
            "production": [("migration-dry-run", 0.12)],
        ]

        /// One change: built and verified, deployed to staging, then requested for production and taken through
        /// whatever its tier needs.
        mutating func change(service: String, ending end: Date) async throws(ControlError) {
            let author = Self.people[rng.int(0...4)]
            let roll = rng.double(0...1)
            let (kind, labels, ticket, plan): (String, [String], String?, String?) =
                switch roll {
                // Human approval is kept for what a machine cannot judge: migrations and emergencies.
                case ..<0.50: ("code", [], "ENG-\(rng.int(100...999))", nil)
                case ..<0.67: ("flag", [], nil, nil)
                case ..<0.76: ("config", [], nil, nil)
                case ..<0.84: ("code-behind-flag", [], "ENG-\(rng.int(100...999))", nil)
                case ..<0.97: ("schema-migration", ["one-way"], "DBA-\(rng.int(10...99))", "restore from snapshot")
                default: ("code", ["hotfix"], "INC-\(rng.int(1000...9999))", nil)
                }
            let digest = "sha256:" + (0..<4).map { _ in String(format: "%016llx", rng.next()) }.joined()
            let commit = (0..<5).map { _ in String(format: "%08x", UInt32(truncatingIfNeeded: rng.next())) }.joined()
            let committed = now.addingTimeInterval(-rng.double(20 * 60...30 * 3_600))
            let pr = rng.int(1000...9999)
            let artifact = "registry.example.com/\(service)@\(digest)"
            try await verified(artifact)
            let reviewer = Self.people.filter { $0 != author }[rng.int(0...3)]
            let change = Change(
                repository: "acme/\(service)", commit: commit, ref: "refs/heads/main",
                pullRequest: .init(number: pr, author: author, committers: [author], reviewers: []), ticket: ticket,
                kind: kind, reversible: kind != "schema-migration", labels: labels, rollbackPlan: plan,
                committedAt: committed)
            try await recorded(change, artifact: artifact, reviewer: reviewer)
            for environment in ["staging", "production"] {
                // A migration's dry run against production's data runs in the pipeline before it asks for
                // production; the build's checks run after the staging request is made.
                var failed = false
                let before = environment == "production" && kind == "schema-migration"
                if before { failed = try await report(environment, digest: digest) }
                let status = try await control.requestDeploy(
                    DeployRequestInput(service: service, environment: environment, artifact: artifact, change: change),
                    by: deployBot)
                summary.requests += 1
                if !before, environment == "staging" {
                    advance(by: rng.double(60...600))
                    failed = try await report(environment, digest: digest)
                }
                if failed { return }
                // Each environment's canary is judged there: a pass speaks for its own environment only.
                if kind != "schema-migration", !labels.contains("hotfix") {
                    let healthy = rng.double(0...1) < (kind == "code-behind-flag" ? 0.85 : 0.97)
                    try await canary(digest: digest, environment: environment, healthy: healthy)
                }
                guard try await approve(status.request, author: author) else { return }
                let decision = try await control.deployRequest(id: status.request.id).decision
                guard decision?.verdict == .allowed else { return }
                try await deploy(status.request, digest: digest, production: environment == "production")
                advance(by: rng.double(600...5_400))
            }
        }

        /// Reports `environment`'s checks of the build, each passing or failing at its rate; true when one failed
        /// (CI stops there).
        mutating func report(_ environment: String, digest: String) async throws(ControlError) -> Bool {
            for (name, failure) in Self.checks[environment] ?? [] {
                let failed = rng.double(0...1) < failure
                _ = try await control.reportCheck(
                    digest: digest, name: name, status: failed ? .failed : .passed, by: builder)
                if failed { return true }
            }
            return false
        }

        /// Records what GitHub would record about the change (its pull request, by its author alone, approved by
        /// `reviewer` at its head and merged by them into main) and the builder's registration of the artifact as
        /// built from its commit: the facts protected environments decide on. Marked as the demo's by their pull
        /// request URL.
        func recorded(_ change: Change, artifact: String, reviewer: String) async throws(ControlError) {
            var facts = change
            facts.rollbackPlan = nil
            facts.pullRequest?.committers = []
            facts.pullRequest?.reviewers = [reviewer]
            facts.pullRequest?.mergedBy = reviewer
            facts.pullRequest?.url =
                "https://github.example/demo-seed/\(change.repository ?? "")/pull/\(change.pullRequest?.number ?? 0)"
            _ = try await control.record(
                ChangeRecorded(change: facts, repository: change.repository ?? "", source: .githubAPI), actor: "github")
            _ = try await control.registerArtifact(
                reference: artifact, commit: change.commit, repository: change.repository, by: builder)
        }

        /// Records the artifact as verified under signed-from-main as defined now, saying that no registry was
        /// involved.
        func verified(_ artifact: String) async throws(ControlError) {
            guard let reference = try? ArtifactReference(parsing: artifact) else {
                throw ControlError(.internal, "demo seed: \(artifact) is not a pinned reference")
            }
            _ = try await control.record(
                ArtifactVerified(
                    digest: reference.digest, policy: "signed-from-main", verified: true,
                    details: "demo seed: recorded, not verified against a registry",
                    policyHash: control.policy.bundle.artifactPolicies["signed-from-main"]?.hash, reference: artifact),
                actor: "demo-seed")
        }

        /// Approves as the tier's teams require, by members who are not the change's author, after a wait;
        /// sometimes the author tries first and is refused, sometimes a payments owner rejects (a DBA never does).
        /// erin approves within seconds of the request being ready, first and without a comment, whatever it is.
        /// False when rejected.
        mutating func approve(_ request: DeployRequest, author: String) async throws(ControlError) -> Bool {
            let bundle = control.policy.bundle
            guard let decision = try await control.deployRequest(id: request.id).decision, decision.verdict == .pending,
                let tier = bundle.tiers.first(where: { $0.name == decision.tier })
            else { return true }
            if rng.double(0...1) < 0.05 {
                _ = try? await control.review(
                    id: request.id, state: .granted, comment: nil, by: person(author, .approver))
            }
            var used: Set<String> = [author]
            var reviews: [(approver: String, team: String)] = []
            for rule in tier.approvals.flatMap({ rule in Array(repeating: rule, count: rule.count) }) {
                let members = (bundle.teams[rule.team]?.members ?? []).filter { !used.contains($0) }
                // erin answers most of what she may: the fastest approver is the one asked.
                let eager = members.contains("erin") && rng.double(0...1) < 0.75
                guard let approver = eager ? "erin" : members.isEmpty ? nil : members[rng.int(0...(members.count - 1))]
                else { return false }
                used.insert(approver)
                reviews.append((approver, rule.team))
            }
            for (approver, team) in reviews.sorted(by: {
                ($0.approver == "erin" ? 0 : 1) < ($1.approver == "erin" ? 0 : 1)
            }) {
                if approver == "erin" {
                    advance(by: rng.double(4...40))
                    _ = try await control.review(
                        id: request.id, state: .granted, comment: nil, by: person(approver, .approver))
                    continue
                }
                // Waits are long-tailed: most within the hour, some over a day.
                advance(by: min(60 * exp(rng.double(0.5...5.5)), 2 * 86_400))
                if team == "payments-owners", rng.double(0...1) < 0.15 {
                    _ = try await control.review(
                        id: request.id, state: .rejected, comment: "rollback plan does not cover the cache",
                        by: person(approver, .approver))
                    return false
                }
                _ = try await control.review(
                    id: request.id, state: .granted, comment: rng.double(0...1) < 0.3 ? "LGTM" : nil,
                    by: person(approver, .approver))
            }
            return true
        }

        mutating func canary(digest: String, environment: String, healthy: Bool) async throws(ControlError) {
            let baseline = (0..<60).map { _ in Optional(120 + rng.double(-15...15)) }
            let shift = healthy ? 0.0 : 45.0
            let canary = (0..<60).map { _ in Optional(120 + shift + rng.double(-15...15)) }
            let errors = (0..<60).map { _ in Optional(rng.double(0...0.02)) }
            let config = try Self.canaryConfig()
            let input = CanaryJudgementInput(
                digest: digest, environment: environment, template: "slo-gate", config: config,
                canary: ["latency-p99": canary, "error-rate": errors],
                baseline: ["latency-p99": baseline, "error-rate": errors.reversed()])
            advance(by: 900)
            _ = try await control.judgeCanary(input, by: builder)
        }

        /// Latency and error rate, both bad when they increase; latency weighs more.
        static func canaryConfig() throws(ControlError) -> JSONValue {
            let text = """
                {"metrics": [
                  {"name": "latency-p99", "groups": ["latency"], "query": {},
                   "analysisConfigurations": {"canary": {"direction": "increase"}}},
                  {"name": "error-rate", "groups": ["errors"], "query": {},
                   "analysisConfigurations": {"canary": {"direction": "increase"}}}],
                 "classifier": {"groupWeights": {"latency": 60, "errors": 40}}}
                """
            do { return try JSONValue(parsing: text) } catch {
                throw ControlError(.internal, "the demo canary configuration does not parse: \(error)")
            }
        }

        mutating func deploy(_ request: DeployRequest, digest: String, production: Bool) async throws(ControlError) {
            deployCount += 1
            let id = "dep_demo\(deployCount)"
            advance(by: rng.double(60...900))
            _ = try await control.record(
                DeployStarted(
                    id: id, request: request.id, environment: request.environment, service: request.service,
                    digest: digest),
                actor: "deploy-bot")
            advance(by: rng.double(120...900))
            let roll = rng.double(0...1)
            let outcome: DeployFinished.Outcome = roll < 0.05 ? .failed : roll < 0.09 ? .rolledBack : .succeeded
            _ = try await control.record(DeployFinished(outcome, id: id), actor: "deploy-bot")
            summary.deploys += 1
            guard production, outcome == .succeeded, rng.double(0...1) < 0.06 else { return }
            advance(by: rng.double(300...7_200))
            let incident = try await control.openIncident(
                title: "\(request.service): elevated error rate after deploy",
                severity: rng.double(0...1) < 0.3
                    ? "sev1" : "sev2", deploys: [id], by: person("carol", .approver))
            summary.incidents += 1
            advance(by: rng.double(900...6 * 3_600))
            try await control.resolveIncident(id: incident, by: person("carol", .approver))
        }

        /// Inside the Black Friday freeze: production is denied; carol breaks glass for a payments fix, erin
        /// reviews it the next day.
        mutating func breakGlassIfFrozen() async throws(ControlError) {
            guard control.policy.bundle.freezes.contains(where: { $0.name == "black-friday" }) else { return }
            let incident = try await control.openIncident(
                title: "payments: card authorisations timing out", severity: "sev1", deploys: [],
                by: person("carol", .approver))
            let grant = try? await control.breakGlass(
                freeze: "black-friday", environment: "production", service: "payments",
                reason: "hotfix for authorisation timeouts (\(incident))", incident: incident, duration: 2 * 3_600,
                by: person("carol", .approver))
            guard let grant else { return }
            try await change(service: "payments", ending: now)
            advance(by: 20 * 3_600)
            try await control.resolveIncident(id: incident, by: person("carol", .approver))
            _ = try await control.reviewBreakGlass(
                id: grant.id, outcome: "justified", notes: "timeouts confirmed; fix verified in staging first",
                by: person("erin", .approver))
        }

        /// Requests left waiting at the end: search deploys awaiting payments-owners, one authored by alice.
        mutating func waiting(end: Date) async throws(ControlError) {
            for (i, author) in ["alice", "dave", "erin", "alice"].enumerated() {
                advance(to: end.addingTimeInterval(Double(i - 4) * 1_800))
                let digest = "sha256:" + (0..<4).map { _ in String(format: "%016llx", rng.next()) }.joined()
                let service = i % 2 == 0 ? "search" : "web"
                let change = Change(
                    repository: "acme/\(service)",
                    commit: (0..<5).map { _ in String(format: "%08x", UInt32(truncatingIfNeeded: rng.next())) }
                        .joined(),
                    ref: "refs/heads/main",
                    pullRequest: .init(number: 4200 + i, author: author, committers: [author]),
                    ticket: "DBA-\(70 + i)", kind: "schema-migration", reversible: false, labels: ["one-way"],
                    committedAt: now.addingTimeInterval(-3 * 3_600))
                let artifact = "registry.example.com/\(service)@\(digest)"
                try await verified(artifact)
                // Reviewed by a DBA who did not write it, who has approved the deploy too: a payments owner's
                // approval is what each one waits for.
                let dba = author == "dave" ? "erin" : "dave"
                try await recorded(change, artifact: artifact, reviewer: dba)
                let status = try await control.requestDeploy(
                    DeployRequestInput(service: service, environment: "production", artifact: artifact, change: change),
                    by: deployBot)
                for name in ["unit", "integration", "migration-dry-run", "rollback-tested"] {
                    _ = try await control.reportCheck(digest: digest, name: name, status: .passed, by: builder)
                }
                _ = try await control.review(
                    id: status.request.id, state: .granted, comment: nil, by: person(dba, .approver))
                summary.requests += 1
            }
        }
    }
}

/// The seeding run's clock: it moves forward as the story does.
final class DemoClock: Sendable {
    let value: Mutex<Date>

    init(_ start: Date) { value = Mutex(start) }

    var now: Date { value.withLock { $0 } }
}

extension SeededGaussian {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func double(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }
}
