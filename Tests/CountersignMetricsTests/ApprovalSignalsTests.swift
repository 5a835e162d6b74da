import CountersignLedger
import CountersignMetrics
import CountersignTesting
import Foundation
import Testing

/// Rubber-stamp signals (issue 21, item 3) on a hand-computed history: erin approves within seconds of ready, dave
/// never rejects, bob approves three requests within a minute, alice approves before the checks passed and rejects
/// once, with comments.
@Suite struct ApprovalSignalsTests {
    static let migration = "schema-migration"
    static let rules = [
        ApprovalSignals.RuleTeam(
            rule: "dba@schema-migration", tier: migration, members: ["dave", "erin"], signInGroup: nil),
        ApprovalSignals.RuleTeam(
            rule: "payments-owners@schema-migration", tier: migration, members: ["alice", "bob"], signInGroup: nil),
    ]

    /// A request that becomes ready (approvals the only control pending) one minute after it was made.
    static func ready(_ h: inout History, _ id: String, at t: Double, tier: String = migration) {
        h.request(id, at: t)
        h.decide(id, "pending", at: t + 1, tier: tier, [("checks", "satisfied"), ("approvals", "pending")])
    }

    static func history() -> History {
        var h = History()
        // erin: 10 migrations 20 s after ready, and one stateless change 5 min after.
        for i in 0..<10 {
            ready(&h, "e\(i)", at: Double(i) * 10)
            h.approve("e\(i)", by: "erin", at: Double(i) * 10 + 1 + 20.0 / 60)
        }
        ready(&h, "s0", at: 100, tier: "stateless")
        h.approve("s0", by: "erin", at: 106)
        // dave: 20 migrations, each 30 min after ready, never a rejection.
        for i in 0..<20 {
            ready(&h, "d\(i)", at: 200 + Double(i) * 60)
            h.approve("d\(i)", by: "dave", at: 200 + Double(i) * 60 + 31)
        }
        // bob: three approvals 30 s apart, one an hour later.
        for i in 0..<4 { ready(&h, "b\(i)", at: 1_500 + Double(i)) }
        for (i, t) in [1_520.0, 1_520.5, 1_521, 1_580].enumerated() { h.approve("b\(i)", by: "bob", at: t) }
        // alice: approves a0 while its checks still run, with a word; rejects a1.
        h.request("a0", at: 2_000)
        h.decide("a0", "pending", at: 2_001, tier: migration, [("checks", "pending"), ("approvals", "pending")])
        h.approve("a0", by: "alice", at: 2_002, comment: "read the migration")
        h.decide("a0", "pending", at: 2_003, tier: migration, [("checks", "satisfied"), ("approvals", "pending")])
        ready(&h, "a1", at: 2_100)
        h.approve("a1", by: "alice", at: 2_110, state: "rejected", comment: "no rollback")
        return h
    }

    @Test func sqlite() async throws { try await Self.check(try await Self.history().store()) }

    @Test func postgresAgrees() async throws { try await Self.history().withPostgres { try await Self.check($0) } }

    static func check(_ store: any LedgerStore) async throws {
        let period = try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(10_000))
        let m = try await GateMetrics.compute(store, period, approvalRules: rules, names: true)
        let s = m.approvalSignals
        let approvers = Dictionary(uniqueKeysWithValues: (s.approvers ?? []).map { ($0.approver, $0.signals) })
        #expect(approvers.keys.sorted() == ["alice", "bob", "dave", "erin"])

        let erin = try #require(approvers["erin"])
        #expect((erin.approvals, erin.rejections, erin.readyToApproval.count) == (11, 0, 11))
        #expect(close(erin.readyToApproval.median, 20))
        #expect(erin.withinAMinuteRate == 10.0 / 11)
        #expect(erin.flags == ["91 % of approvals within a minute of ready"])

        let dave = try #require(approvers["dave"])
        #expect(close(dave.readyToApproval.median, 30 * 60))
        #expect(dave.withinAMinuteRate == 0)
        #expect(dave.flags == ["never rejected in 20 reviews"])

        let bob = try #require(approvers["bob"])
        #expect(bob.burstRate == 0.75)
        #expect(bob.flags.isEmpty)  // four approvals: too few to say anything of

        let alice = try #require(approvers["alice"])
        #expect((alice.approvals, alice.rejections, alice.beforeReady) == (1, 1, 1))
        #expect((alice.rejectRate, alice.commentRate) == (0.5, 1))
        #expect(alice.readyToApproval.count == 0)

        // Reviews are attributed by tier and team: erin's stateless approval counts for no migration rule.
        let rules = Dictionary(uniqueKeysWithValues: s.rules.map { ($0.rule, $0.signals) })
        let dba = try #require(rules["dba@schema-migration"])
        #expect((dba.approvals, dba.rejections) == (30, 0))
        #expect(dba.withinAMinuteRate == 10.0 / 30)
        #expect(dba.flags == ["never rejected in 30 reviews"])
        let owners = try #require(rules["payments-owners@schema-migration"])
        #expect((owners.approvals, owners.rejections, owners.beforeReady) == (5, 1, 1))
        #expect(owners.flags.isEmpty)
        #expect((s.flaggedApprovers, s.approverCount) == (2, 4))

        // Without names: the same rules, a count of approvers, nobody named.
        let anonymous = try await GateMetrics.compute(store, period, approvalRules: Self.rules)
        #expect(anonymous.approvalSignals.approvers == nil)
        #expect(anonymous.approvalSignals.rules.map(\.rule) == s.rules.map(\.rule))
        #expect(anonymous.approvalSignals.flaggedApprovers == 2)
    }
}
