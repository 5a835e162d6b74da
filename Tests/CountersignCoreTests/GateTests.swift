import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignCore

/// Shared fixtures: the examples/ bundle and a request and evidence that it allows.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let policyPath = root.appendingPathComponent("examples/policy").path
    /// The example policy's people, environments, freezes and artifact policies, under ``tiers``.
    static let bundle: PolicyBundle = {
        do {
            let sources = try PolicyLoader.sources(path: policyPath).filter { !$0.file.hasSuffix("20-tiers.yaml") }
            return try PolicyLoader.load(sources: sources + [("gate-tests-tiers.yaml", tiers)])
        } catch {
            fatalError("examples/policy must load: \(error)")
        }
    }()

    /// The tiers these tests decide under: the example policy's before it followed the seed's tier table, whose
    /// stateless tier needs a payments owner's approval. Approvals, separation of duties and time are tested on
    /// that one simple tier; the example policy's own tiers are tested by `examples/tests` (`CommandTests`).
    static let tiers = """
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: emergency }
        spec:
          priority: 1000
          match: "'hotfix' in change.labels && change.ticket.startsWith('INC-')"
          controls:
            checks: [unit]
            artifact: { policy: signed-from-main }
            approvals:
              - { team: sre-oncall, count: 1 }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: schema-migration }
        spec:
          priority: 900
          match: "change.kind == 'schema-migration' || 'one-way' in change.labels || !change.reversible"
          controls:
            # The rollback is tested by CI (a check from a builder), not described by the requester: a plan the deploy
            # bot writes would be its own word.
            checks: [unit, integration, migration-dry-run, rollback-tested]
            artifact: { policy: signed-from-main }
            approvals:
              - { team: payments-owners, count: 1 }
              - { team: dba, count: 1 }
            require:
              - { expr: "change.ticket != ''", message: "a linked ticket is required" }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: code-behind-flag }
        spec:
          priority: 300
          match: "change.kind == 'code-behind-flag' && change.reversible"
          controls:
            checks: [unit, integration]
            artifact: { policy: signed-from-main }
            canary: { template: slo-gate }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: flag-flip }
        spec:
          priority: 100
          match: "change.kind in ['flag', 'config'] && change.reversible"
          controls:
            checks: [policy-lint]
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: stateless }
        spec:
          priority: 50
          match: "change.kind in ['code', 'stateless'] && change.reversible"
          controls:
            checks: [unit, integration]
            artifact: { policy: signed-from-main }
            approvals:
              - { team: payments-owners, count: 1 }
        """

    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    /// The ArtifactPolicy the tiers name, as defined in the example policy.
    static var signedFromMain: ArtifactPolicy { bundle.artifactPolicies["signed-from-main"]! }
    static let otherDigest = "sha256:" + String(repeating: "cd", count: 32)

    static func date(_ s: String) -> Date { RFC3339.date(s)! }
    static let monday = date("2026-11-02T10:00:00Z")

    static let commit = String(repeating: "a1b2c3d4", count: 5)

    /// The provenance binding the digest to ``commit``.
    static let binding = SourceBinding(
        id: "src-1", digest: digest, commit: commit, via: .provenance, by: "signed-from-main",
        at: date("2026-11-02T09:00:00Z"))

    /// GitHub's record of `request`'s change as the request states it: for the tests of what a tier asks for.
    static func recorded(_ request: DeployRequest) -> ChangeFacts {
        var change = request.change
        let author = change.pullRequest?.author
        change.pullRequest?.committers.removeAll { $0 == author }
        return ChangeFacts(
            id: "gh-1", repository: "acme/payments", change: change, source: .githubAPI,
            at: date("2026-11-02T08:00:00Z"))
    }

    /// A stateless code change to payments in production, authored by alice with bob as a committer.
    static func request(
        environment: String = "production", artifact: String? = nil, ref: String = "refs/heads/main",
        kind: String = "code", requester: String = "deploy-bot", deployer: String = "deploy-bot",
        service: String = "payments"
    ) -> DeployRequest {
        DeployRequest(
            id: "req-1", service: service, environment: environment,
            artifact: artifact ?? "registry.example.com/payments/api@\(digest)",
            change: Change(
                repository: "acme/payments", commit: commit, ref: ref,
                pullRequest: .init(number: 42, author: "alice", committers: ["alice", "bob"], reviewers: ["carol"]),
                ticket: "PAY-1", kind: kind, reversible: true),
            requester: requester, deployer: deployer)
    }

    static func approval(
        _ who: String, digest: String = Fixture.digest, environment: String = "production", id: String? = nil,
        at: String = "2026-11-02T09:30:00Z"
    ) -> Approval {
        Approval(id: id ?? "apr-\(who)", approver: who, digest: digest, environment: environment, at: date(at))
    }

    /// Everything the stateless tier needs except approvals: checks, verification and the binding of the digest to
    /// its commit.
    static func evidence(approvals: [Approval] = [], grants: [BreakGlassGrant] = []) -> Evidence {
        Evidence(
            checks: [
                CheckResult(
                    id: "c1", name: "unit", digest: digest, status: .passed, reportedBy: "ci-builder",
                    at: date("2026-11-02T09:00:00Z")),
                CheckResult(
                    id: "c2", name: "integration", digest: digest, status: .passed, reportedBy: "ci-builder",
                    at: date("2026-11-02T09:00:00Z")),
            ],
            artifactVerifications: [
                ArtifactVerification(
                    id: "v1", digest: digest, policy: "signed-from-main", verified: true,
                    at: date("2026-11-02T09:00:00Z"), policyHash: signedFromMain.hash,
                    repository: "registry.example.com/payments/api")
            ],
            approvals: approvals, breakGlassGrants: grants, sources: [binding])
    }

    /// The decision on `request`, with GitHub recording its change as the request states it unless `evidence`
    /// holds a record of its own (the tests of records themselves call `Gate.decide`).
    static func decide(_ request: DeployRequest, _ evidence: Evidence, at: Date = monday) -> Decision {
        var evidence = evidence
        if evidence.changes.isEmpty { evidence.changes = [recorded(request)] }
        return Gate.decide(request, evidence: evidence, policy: bundle, now: at)
    }
}

@Suite struct GateTests {
    @Test func allowsWithEveryControlSatisfied() {
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [Fixture.approval("carol")]))
        #expect(d.verdict == .allowed, "\(d.reasons)")
        #expect(d.tier == "stateless")
        #expect(d.policyHash == Fixture.bundle.hash)
        #expect(Set(d.evidenceIDs) == ["c1", "c2", "v1", "apr-carol", "gh-1", "src-1"])
        #expect(d.controls.contains { $0.control == "approvals" && $0.message.contains("approved by carol") })
    }

    @Test func explainsWhatWouldSatisfyApprovals() {
        let d = Fixture.decide(Fixture.request(), Fixture.evidence())
        #expect(d.verdict == .pending)
        let message = d.controls.first { $0.control == "approvals" }?.message ?? ""
        #expect(message.contains("needs 1 more approval from team payments-owners"))
        #expect(message.contains("alice is excluded as the change's author"))
        #expect(message.contains("bob is excluded as a committer of the change"))
    }

    /// The adversarial suite: each attempt must be denied, or stay pending, with a specific reason.
    @Test(
        arguments: [
            (
                "self-approval by the author", Fixture.request(), [Fixture.approval("alice")], Decision.Verdict.pending,
                "alice is excluded as the change's author"
            ),
            (
                "the author approving under an alias", Fixture.request(), [Fixture.approval("alice-gh")], .pending,
                "alice is excluded as the change's author"
            ),
            (
                "a committer approving by email", Fixture.request(), [Fixture.approval("bob@example.com")], .pending,
                "bob is excluded as a committer"
            ),
            // Spelled another way — capitals, fullwidth letters — a name is still its person.
            (
                "the author approving in capitals", Fixture.request(), [Fixture.approval("ALICE")], .pending,
                "alice is excluded as the change's author"
            ),
            (
                "the author approving in fullwidth letters", Fixture.request(), [Fixture.approval("ａｌｉｃｅ")],
                .pending, "alice is excluded as the change's author"
            ),
            (
                "the deployer approving", Fixture.request(deployer: "deploy-bot"),
                [Fixture.approval("deploy-bot[bot]")], .pending,
                "deploy-bot is an automation identity and has no authority to approve"
            ),
            (
                "a human deployer approving their own deploy",
                Fixture.request(environment: "dev", requester: "alice", deployer: "carol"),
                [Fixture.approval("carol", environment: "dev")], .pending, "carol is excluded as the deployer"
            ),
            (
                "an automation identity approving", Fixture.request(), [Fixture.approval("ci-builder")], .pending,
                "ci-builder is an automation identity"
            ),
            (
                "an approval bound to another digest", Fixture.request(),
                [Fixture.approval("carol", digest: Fixture.otherDigest)],
                .pending, "(stale)"
            ),
            (
                "an approval for another environment", Fixture.request(),
                [Fixture.approval("carol", environment: "staging")],
                .pending, "approval is for staging"
            ),
            (
                "a tag instead of a digest", Fixture.request(artifact: "registry.example.com/payments/api:1.2.3"),
                [Fixture.approval("carol")], .denied, "approve the digest, not the tag"
            ),
            (
                "a deploy from an unallowed ref", Fixture.request(ref: "refs/heads/feature/x"),
                [Fixture.approval("carol")],
                .denied, "refs/heads/feature/x is not an allowed source for production"
            ),
            (
                "a deployer not on the environment's list", Fixture.request(deployer: "carol"),
                [Fixture.approval("dave")],
                .denied, "carol may not deploy to production"
            ),
            (
                "an unknown approver", Fixture.request(), [Fixture.approval("mallory")], .pending,
                "mallory is not a known identity"
            ),
        ] as [(String, DeployRequest, [Approval], Decision.Verdict, String)])
    func refusesAttemptsToDodgeTheGate(
        _ attempt: String, _ request: DeployRequest, _ approvals: [Approval], _ verdict: Decision.Verdict,
        _ reason: String
    ) {
        let d = Fixture.decide(request, Fixture.evidence(approvals: approvals))
        #expect(d.verdict == verdict, "\(attempt): \(d.reasons)")
        #expect(d.controls.contains { $0.message.contains(reason) }, "\(attempt): \(d.reasons)")
    }

    static let blackFriday = Fixture.date("2026-11-27T15:00:00Z")

    static func grant(
        by who: String = "carol", service: String? = "payments", reason: String? = "checkout 500s",
        incident: String? = "INC-1", from: String = "2026-11-27T14:00:00Z", to: String = "2026-11-27T16:00:00Z"
    ) -> BreakGlassGrant {
        BreakGlassGrant(
            id: "bg-1", freeze: "black-friday", invokedBy: who, environment: "production", service: service,
            reason: reason, incident: incident,
            grantedAt: Fixture.date(from), expiresAt: Fixture.date(to))
    }

    @Test(
        arguments: [
            (nil, "frozen by black-friday"),
            (grant(to: "2026-11-27T14:30:00Z"), "grant bg-1: expired"),
            (grant(by: "dave"), "dave may not break glass for black-friday"),
            (grant(incident: nil), "an incident id is required"),
            (grant(reason: " "), "a reason is required"),
            (grant(to: "2026-11-27T20:00:00Z"), "lasts longer than the 4h maximum"),
            // A grant lifts the freeze for the service it names: one naming none lifts nothing, unless the freeze's
            // policy allows a grant for all its services; one for another service does not apply here at all.
            (grant(service: nil), "grant bg-1: the grant names no service, and black-friday allows a grant for one"),
            (grant(service: "checkout"), "frozen by black-friday"),
            (grant(service: "Payments\u{200B}"), "frozen by black-friday"),
        ] as [(BreakGlassGrant?, String)])
    func freezesDenyUnlessAValidBreakGlassGrantCovers(_ grant: BreakGlassGrant?, _ reason: String) {
        let d = Fixture.decide(
            Fixture.request(),
            Fixture.evidence(
                approvals: [Fixture.approval("carol", at: "2026-11-27T13:00:00Z")], grants: grant.map { [$0] } ?? []),
            at: Self.blackFriday)
        #expect(d.verdict == .denied, "\(d.reasons)")
        #expect(d.controls.contains { $0.control == "freeze" && $0.message.contains(reason) }, "\(d.reasons)")
    }

    @Test func validBreakGlassLiftsOnlyTheFreezeAndIsRecorded() {
        let allowed = Fixture.decide(
            Fixture.request(),
            Fixture.evidence(
                approvals: [Fixture.approval("carol", at: "2026-11-27T13:00:00Z")], grants: [Self.grant()]),
            at: Self.blackFriday)
        #expect(allowed.verdict == .allowed, "\(allowed.reasons)")
        #expect(allowed.relaxations.contains { $0.contains("review by team eng-managers due by 2026-11-29T14:00:00Z") })
        // The grant does not replace the other controls: without an approval the request still waits.
        let pending = Fixture.decide(Fixture.request(), Fixture.evidence(grants: [Self.grant()]), at: Self.blackFriday)
        #expect(pending.verdict == .pending)
    }

    /// A freeze whose policy says `allServices: true` takes one grant for every service it covers; a grant naming
    /// a service still lifts it for that service alone, and `Payments` is `payments`.
    @Test func aGrantForAllServicesOnlyWhereThePolicySaysSo() throws {
        let policy = try String(contentsOfFile: Fixture.policyPath + "/30-freezes.yaml", encoding: .utf8)
            .replacingOccurrences(of: "    maxDuration: 4h\n", with: "    maxDuration: 4h\n    allServices: true\n")
        #expect(policy.contains("allServices: true"))
        var sources: [(String, String)] = [("30-freezes.yaml", policy), ("20-tiers.yaml", Fixture.tiers)]
        for file in ["00-environments.yaml", "10-people.yaml", "40-artifacts.yaml"] {
            sources.append((file, try String(contentsOfFile: Fixture.policyPath + "/" + file, encoding: .utf8)))
        }
        let bundle = try PolicyLoader.load(sources: sources)
        let approvals = [Fixture.approval("carol", at: "2026-11-27T13:00:00Z")]
        for grant in [Self.grant(service: nil), Self.grant(service: "Payments")] {
            var evidence = Fixture.evidence(approvals: approvals, grants: [grant])
            evidence.changes = [Fixture.recorded(Fixture.request())]
            let d = Gate.decide(Fixture.request(), evidence: evidence, policy: bundle, now: Self.blackFriday)
            #expect(d.verdict == .allowed, "\(d.reasons)")
        }
        let other = Gate.decide(
            Fixture.request(),
            evidence: Fixture.evidence(approvals: approvals, grants: [Self.grant(service: "checkout")]),
            policy: bundle, now: Self.blackFriday)
        #expect(other.verdict == .denied, "\(other.reasons)")
    }

    @Test(arguments: [
        // payments-friday-afternoon: Friday 15:00 Europe/Berlin for 63h. 2026-10-23 is CEST (UTC+2).
        ("2026-10-23T12:59:00Z", false), ("2026-10-23T13:00:00Z", true),
        // Berlin leaves summer time on 2026-10-25; the duration is elapsed time: 63h after Friday 13:00Z is
        // Monday 04:00Z (05:00 CET once the clocks have gone back).
        ("2026-10-26T03:59:00Z", true), ("2026-10-26T04:00:00Z", false),
        // A winter Friday (CET, UTC+1) starts at 14:00 UTC.
        ("2026-11-06T13:59:00Z", false), ("2026-11-06T14:00:00Z", true),
        // Spring forward on 2026-03-29: Friday 2026-03-27 15:00 CET = 14:00 UTC, ends 63h later.
        ("2026-03-30T04:59:00Z", true), ("2026-03-30T05:00:00Z", false),
    ])
    func cronFreezeWindowsFollowDaylightSavingTime(_ at: String, _ frozen: Bool) throws {
        let freeze = try #require(Fixture.bundle.freezes.first { $0.name == "payments-friday-afternoon" })
        #expect((FreezeCalendar.activeUntil(freeze, at: Fixture.date(at)) != nil) == frozen, "\(at)")
    }

    @Test func sameInputsGiveTheSameDecision() {
        let e = Fixture.evidence(approvals: [Fixture.approval("carol"), Fixture.approval("dave")])
        let first = Fixture.decide(Fixture.request(), e)
        for _ in 0..<20 { #expect(Fixture.decide(Fixture.request(), e) == first) }
    }

    @Test func propertiesHoldOverRandomEvidence() {
        var rng = SeededRandom(seed: 99)
        let people = ["alice", "bob", "carol", "dave", "erin", "alice-gh", "ci-builder", "mallory"]
        for _ in 0..<300 {
            var approvals: [Approval] = []
            for p in people where rng.next() % 3 == 0 {
                approvals.append(
                    Fixture.approval(
                        p, digest: rng.next() % 4 == 0 ? Fixture.otherDigest : Fixture.digest, id: "a-\(p)"))
            }
            let evidence = Fixture.evidence(approvals: approvals)
            let base = Fixture.decide(Fixture.request(), evidence)
            // Adding an approval never turns allowed into denied.
            for p in people {
                var more = evidence
                more.approvals.append(Fixture.approval(p, id: "extra-\(p)"))
                let after = Fixture.decide(Fixture.request(), more)
                if base.verdict == .allowed {
                    #expect(after.verdict == .allowed, "adding \(p) to \(approvals.map(\.approver))")
                }
            }
            // Removing evidence never turns denied into allowed.
            if base.verdict == .denied {
                var less = evidence
                less.checks.removeFirst()
                #expect(Fixture.decide(Fixture.request(), less).verdict != .allowed)
            }
            // Removing approvals never turns pending or denied into allowed.
            if base.verdict != .allowed, !approvals.isEmpty {
                var less = evidence
                less.approvals.removeLast()
                #expect(Fixture.decide(Fixture.request(), less).verdict != .allowed)
            }
        }
    }

    @Test func failedChecksAndVerificationDeny() {
        var e = Fixture.evidence(approvals: [Fixture.approval("carol")])
        e.checks.append(
            CheckResult(
                id: "c3", name: "unit", digest: Fixture.digest, status: .failed, reportedBy: "ci-builder",
                at: Fixture.date("2026-11-02T09:45:00Z")))
        #expect(Fixture.decide(Fixture.request(), e).verdict == .denied)
        var v = Fixture.evidence(approvals: [Fixture.approval("carol")])
        v.artifactVerifications = [
            ArtifactVerification(
                id: "v2", digest: Fixture.digest, policy: "signed-from-main", verified: false,
                details: "provenance source ref refs/heads/feature/x does not match", at: Fixture.monday,
                policyHash: Fixture.signedFromMain.hash)
        ]
        let d = Fixture.decide(Fixture.request(), v)
        #expect(d.verdict == .denied)
        #expect(d.reasons.contains { $0.contains("does not match") })
    }

    @Test func expiredApprovalsDoNotCount() {
        let old = Approval(
            id: "old", approver: "carol", digest: Fixture.digest, environment: "production",
            at: Fixture.date("2026-10-30T09:00:00Z"))
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [old]))
        #expect(d.verdict == .pending)
        #expect(d.reasons.contains { $0.contains("has expired") })
    }

    @Test func protectedEnvironmentsFailClosedOnErrors() throws {
        let bundle = try PolicyLoader.load(sources: [
            (
                "p.yaml",
                """
                apiVersion: countersign.dev/v1alpha1
                kind: Environment
                metadata: { name: prod }
                spec: { rank: 30, protected: true }
                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Tier
                metadata: { name: broken }
                spec:
                  priority: 10
                  match: "change.labels[5] == 'x'"
                """
            )
        ])
        let d = Gate.decide(
            Fixture.request(environment: "prod"), evidence: Evidence(), policy: bundle, now: Fixture.monday)
        #expect(d.verdict == .denied)
        #expect(d.controls.contains { $0.status == .error && $0.message.contains("p.yaml:11") })
    }
}

/// The gate is strict about time and ties: what is dated after the decision has not happened as far as the decision
/// knows, and two reviews by one person at one instant resolve to the stricter.
@Suite struct GateTimeTests {
    static func message(_ d: Decision, _ control: String) -> String {
        d.controls.filter { $0.control == control }.map(\.message).joined(separator: " | ")
    }

    @Test func anApprovalDatedAfterTheDecisionDoesNotCount() {
        let future = Fixture.approval("carol", at: "2026-11-02T10:00:01Z")  // one second after `monday`
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [future]))
        #expect(d.verdict == .pending, "\(d.reasons)")
        #expect(
            Self.message(d, "approvals").contains(
                "carol's review is dated 2026-11-02T10:00:01Z, after the decision time"))
        #expect(!d.evidenceIDs.contains("apr-carol"))
        // The ledger records times to the millisecond, rounded: evidence half a millisecond after the decision's time
        // is the same instant, not the future.
        let sameInstant = Approval(
            id: "apr-carol", approver: "carol", digest: Fixture.digest, environment: "production",
            at: Fixture.monday.addingTimeInterval(0.0005))
        #expect(Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [sameInstant])).verdict == .allowed)
        // At its own time it counts.
        let later = Fixture.decide(
            Fixture.request(), Fixture.evidence(approvals: [future]), at: Fixture.date("2026-11-02T10:00:01Z"))
        #expect(later.verdict == .allowed, "\(later.reasons)")
    }

    @Test(arguments: [true, false])
    func anApprovalAndARejectionAtOneInstantResolveToTheRejection(rejectionFirst: Bool) {
        let at = "2026-11-02T09:30:00Z"
        var rejection = Fixture.approval("carol", id: "apr-reject", at: at)
        rejection.state = .rejected
        let approval = Fixture.approval("carol", id: "apr-approve", at: at)
        let reviews = rejectionFirst ? [rejection, approval] : [approval, rejection]
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: reviews))
        #expect(d.verdict == .denied, "\(d.reasons)")
        #expect(Self.message(d, "approvals").contains("rejected by carol"))
        // A later approval still supersedes an earlier rejection: only a tie goes to the stricter.
        var earlier = rejection
        earlier.at = Fixture.date("2026-11-02T09:00:00Z")
        let changedMind = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [approval, earlier]))
        #expect(changedMind.verdict == .allowed, "\(changedMind.reasons)")
    }

    @Test func aWithdrawalAtTheInstantOfAnApprovalWithdrawsIt() {
        var withdrawal = Fixture.approval("carol", id: "apr-withdraw")
        withdrawal.state = .withdrawn
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [withdrawal, Fixture.approval("carol")]))
        #expect(d.verdict == .pending, "\(d.reasons)")
        #expect(Self.message(d, "approvals").contains("carol withdrew their approval"))
    }

    @Test func aCheckOrVerificationDatedAfterTheDecisionDoesNotCount() {
        var evidence = Fixture.evidence(approvals: [Fixture.approval("carol")])
        let tomorrow = Fixture.date("2026-11-03T09:00:00Z")
        evidence.checks = evidence.checks.map { c in
            var c = c
            if c.name == "unit" { c.at = tomorrow }
            return c
        }
        let d = Fixture.decide(Fixture.request(), evidence)
        #expect(d.verdict == .pending, "\(d.reasons)")
        #expect(Self.message(d, "checks").contains("waiting for check unit"))
        #expect(Self.message(d, "checks").contains("ignored 1 report dated after the decision time"))

        var unverified = Fixture.evidence(approvals: [Fixture.approval("carol")])
        unverified.artifactVerifications = unverified.artifactVerifications.map { v in
            var v = v
            v.at = tomorrow
            return v
        }
        let v = Fixture.decide(Fixture.request(), unverified)
        #expect(v.verdict == .pending, "\(v.reasons)")
        #expect(Self.message(v, "artifact").contains("waiting for signature and provenance verification"))
    }
}

/// One canonical form for the names policy compares: a request cannot step around a freeze or a tier by spelling a
/// service, an environment, a change kind or a label another way.
@Suite struct GateNameTests {
    @Test(arguments: ["payments", "Payments", "PAYMENTS", "ｐａｙｍｅｎｔｓ", "Pay\u{200B}ments"])
    func aServiceSpelledAnotherWayIsTheSameService(_ service: String) {
        // The Friday-afternoon freeze of examples/policy covers payments in production.
        let friday = Fixture.date("2026-11-27T15:30:00Z")
        let d = Fixture.decide(
            Fixture.request(service: service), Fixture.evidence(approvals: [Fixture.approval("carol")]), at: friday)
        if service.contains("\u{200B}") {
            // A zero-width space would make a name that reads as `payments` and matches nothing: denied outright.
            #expect(d.verdict == .denied)
            #expect(
                d.controls.contains { $0.control == "request" && $0.message.contains("characters a name may not have") }
            )
        } else {
            #expect(Names.canonical(service) == "payments")
            #expect(d.verdict == .denied, "\(service): \(d.reasons)")
            #expect(d.controls.contains { $0.control == "freeze" && $0.status == .denied }, "\(service)")
        }
    }

    @Test func anEnvironmentKindAndLabelSpelledAnotherWayAreTheSame() {
        var request = Fixture.request(environment: "Production")
        request.change.kind = "Schema-Migration"
        request.change.labels = ["One-Way"]
        let canonical = request.canonicalNames
        #expect(canonical.environment == "production")
        #expect(canonical.change.kind == "schema-migration")
        #expect(canonical.change.labels == ["one-way"])
        let d = Fixture.decide(request, Fixture.evidence(approvals: [Fixture.approval("carol")]))
        #expect(d.tier == Fixture.decide(canonical, Fixture.evidence(approvals: [Fixture.approval("carol")])).tier)
        #expect(d.tier == "schema-migration", "\(d.reasons)")
    }

    @Test(arguments: ["pay ments", "pаyments", "payments\u{0}", "", "pay\nments", "payments\u{202E}"])
    func aNameWithCharactersNoNameHasIsDenied(_ service: String) {
        let d = Fixture.decide(
            Fixture.request(service: service), Fixture.evidence(approvals: [Fixture.approval("carol")]))
        #expect(d.verdict == .denied, "\(service.debugDescription)")
        #expect(d.controls.first?.control == "request", "\(d.reasons)")
    }
}

/// A canary pass counts only from a judge that cannot benefit from it (issue 16, item 5): Countersign's own analysis,
/// or an identity without the deployer role that neither requested nor deploys the change. A failure counts from
/// anyone — it only makes the gate stricter.
@Suite struct CanaryJudgeTests {
    static func decide(
        _ outcome: CanaryVerdict.Outcome, judgedBy: String?, environment: String? = "production"
    ) -> Decision {
        var evidence = Fixture.evidence()
        evidence.canaryVerdicts = [
            CanaryVerdict(
                id: "cv", digest: Fixture.digest, template: "slo-gate", outcome: outcome,
                at: Fixture.date("2026-11-02T09:40:00Z"), judgedBy: judgedBy, environment: environment)
        ]
        return Fixture.decide(Fixture.request(kind: "code-behind-flag"), evidence)
    }

    @Test(arguments: [
        ("countersign", Decision.Verdict.allowed), ("ci-builder", .allowed), ("alice", .allowed),
        ("deploy-bot", .pending), ("deploy-bot[bot]", .pending), ("carol", .pending), ("mallory", .pending),
        ("", .pending),
    ])
    func aPassCountsOnlyFromAJudgeThatCannotDeploy(_ judge: String, _ verdict: Decision.Verdict) {
        let d = Self.decide(.pass, judgedBy: judge.isEmpty ? nil : judge)
        #expect(d.verdict == verdict, "\(judge): \(d.reasons)")
    }

    @Test func aFailureCountsFromAnyone() {
        #expect(Self.decide(.fail, judgedBy: "deploy-bot").verdict == .denied)
    }

    /// A pass speaks for the environment whose canary it judged, in any spelling of its name; one that names no
    /// environment (recorded before verdicts named one) passes nothing in a protected environment. A failure of the
    /// digest judged anywhere denies.
    @Test(arguments: [
        (String?.some("production"), Decision.Verdict.allowed), ("Production", .allowed), ("ｐｒｏｄｕｃｔｉｏｎ", .allowed),
        ("staging", .pending), ("dev", .pending), (nil, .pending),
    ])
    func aPassCountsOnlyForItsEnvironment(_ environment: String?, _ verdict: Decision.Verdict) {
        let d = Self.decide(.pass, judgedBy: "countersign", environment: environment)
        #expect(d.verdict == verdict, "\(environment ?? "nil"): \(d.reasons)")
        if verdict == .pending {
            #expect(d.reasons.contains { $0.contains("a pass counts only for the environment whose canary it judged") })
        }
        #expect(Self.decide(.fail, judgedBy: "countersign", environment: environment).verdict == .denied)
    }
}

/// The request's own account of its change against GitHub's record (issue 16, item 3): decided too wherever a
/// condition reads what it says, so it can only add.
@Suite struct ChangeAccountTests {
    /// A request that describes a rollback plan GitHub knows nothing of.
    static func planned() -> DeployRequest {
        var request = Fixture.request()
        request.change.rollbackPlan = "restore the snapshot"
        return request
    }

    static func evidence(_ request: DeployRequest) -> Evidence {
        var evidence = Fixture.evidence(approvals: [Fixture.approval("carol")])
        var recorded = Fixture.recorded(request)
        recorded.change.rollbackPlan = nil
        evidence.changes = [recorded]
        return evidence
    }

    @Test func aClaimNoConditionReadsChangesNothing() {
        let request = Self.planned()
        let resolution = ChangeResolution(request, evidence: Self.evidence(request), now: Fixture.monday)
        #expect(resolution.differing == ["rollbackPlan"])
        let d = Gate.decide(request, evidence: Self.evidence(request), policy: Fixture.bundle, now: Fixture.monday)
        #expect(d.verdict == .allowed, "\(d.reasons)")
        #expect(!d.controls.contains { $0.message.contains("own account") })
    }

    /// The same claim where a tier reads it: the account selects that tier, whose controls now apply too.
    @Test func aClaimAConditionReadsIsDecidedToo() throws {
        let tiers = Fixture.tiers
        var sources: [(String, String)] = [
            (
                "20-tiers.yaml",
                tiers + """

                    ---
                    apiVersion: countersign.dev/v1alpha1
                    kind: Tier
                    metadata: { name: planned }
                    spec:
                      priority: 2000
                      match: "change.rollbackPlan != ''"
                      controls:
                        checks: [rollback-rehearsed]
                    """
            )
        ]
        for file in ["00-environments.yaml", "10-people.yaml", "30-freezes.yaml", "40-artifacts.yaml"] {
            sources.append((file, try String(contentsOfFile: Fixture.policyPath + "/" + file, encoding: .utf8)))
        }
        let bundle = try PolicyLoader.load(sources: sources)
        let request = Self.planned()
        let d = Gate.decide(request, evidence: Self.evidence(request), policy: bundle, now: Fixture.monday)
        #expect(d.tier == "stateless")
        #expect(d.verdict == .pending, "\(d.reasons)")
        #expect(d.controls.contains { $0.message.contains("selects tier planned, GitHub's record tier stateless") })
        #expect(d.reasons.contains { $0.contains("waiting for check rollback-rehearsed") })
    }
}
