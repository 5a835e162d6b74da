import CountersignEncoding
import CountersignLedger
import CountersignMetrics
import CountersignTesting
import Foundation
import Testing

/// Block and hold rate, and "blocked nothing in its last N", per rule (issue 21, item 1), on a hand-computed
/// history: a `sast` check that never fails beside a `unit` check that does, a `dba` approval rule that never
/// rejects beside a payments-owners rule that did.
@Suite struct GateRuleMetricsTests {
    static let migration = "schema-migration"
    static let owners = "payments-owners@schema-migration"
    static let dba = "dba@schema-migration"

    /// r1 waits for both teams, then is allowed; r2 fails `unit`; r3 is rejected by a payments owner; r4 is a
    /// stateless change in staging; r5 was decided before the gate named its rules.
    static func history() -> History {
        var h = History()
        h.request("r1", at: 0)
        h.decide(
            "r1", "pending", at: 1, tier: migration,
            rules: [
                ("checks", "unit", "satisfied"), ("checks", "sast", "satisfied"), ("approvals", owners, "pending"),
                ("approvals", dba, "pending"),
            ])
        h.decide(
            "r1", "allowed", at: 5, tier: migration,
            rules: [
                ("checks", "unit", "satisfied"), ("checks", "sast", "satisfied"), ("approvals", owners, "satisfied"),
                ("approvals", dba, "satisfied"),
            ])
        h.request("r2", at: 10)
        h.decide(
            "r2", "denied", at: 11, tier: migration,
            rules: [
                ("checks", "unit", "denied"), ("checks", "sast", "satisfied"), ("approvals", owners, "pending"),
                ("approvals", dba, "pending"),
            ])
        h.request("r3", at: 20)
        h.decide(
            "r3", "denied", at: 21, tier: migration,
            rules: [
                ("checks", "unit", "satisfied"), ("checks", "sast", "satisfied"), ("approvals", owners, "denied"),
                ("approvals", dba, "pending"),
            ])
        h.request("r4", environment: "staging", at: 30)
        h.decide(
            "r4", "allowed", at: 31,
            rules: [
                ("checks", "unit", "satisfied"), ("checks", "sast", "satisfied"),
                ("approvals", "payments-owners@stateless", "satisfied"),
            ])
        h.request("r5", at: 40)
        h.decide("r5", "pending", at: 41, [("approvals", "pending")])
        return h
    }

    @Test func eachRuleOnSQLite() async throws {
        try await Self.check(try await Self.history().store())
    }

    @Test func postgresAgrees() async throws {
        try await Self.history().withPostgres { try await Self.check($0) }
    }

    static func check(_ store: any LedgerStore) async throws {
        let period = try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(1_000))
        let m = try await GateMetrics.compute(store, period, idleWindow: 4)
        func rule(_ control: String, _ name: String) throws -> GateMetrics.RuleRate {
            try #require(m.rules.first { $0.control == control && $0.rule == name }, "\(control) \(name)")
        }
        #expect(
            m.rules.map { "\($0.control) \($0.rule)" } == [
                "approvals \(dba)", "approvals \(owners)", "approvals payments-owners@stateless",
                "checks sast", "checks unit",
            ])

        // sast: 4 requests, never blocked; 5 evaluations, the last 4 clean → idle.
        let sast = try rule("checks", "sast")
        #expect((sast.requests, sast.blocked, sast.held) == (4, 0, 0))
        #expect((sast.recentEvaluations, sast.recentBlocks, sast.idle) == (4, 0, true))
        #expect(sast.lastBlocked == nil)
        // unit blocked r2: its last 4 evaluations hold that block.
        let unit = try rule("checks", "unit")
        #expect((unit.requests, unit.blocked, unit.blockRate) == (4, 1, 0.25))
        #expect((unit.recentEvaluations, unit.recentBlocks, unit.idle) == (4, 1, false))
        #expect(unit.lastBlocked == LedgerFixtures.at(11))

        // dba held all three requests and never rejected: idle over its 4 evaluations. payments-owners rejected r3.
        let dba = try rule("approvals", dba)
        #expect((dba.requests, dba.blocked, dba.held, dba.holdRate) == (3, 0, 3, 1))
        #expect((dba.recentEvaluations, dba.idle) == (4, true))
        let owners = try rule("approvals", owners)
        #expect((owners.requests, owners.blocked, owners.held) == (3, 1, 2))
        #expect((owners.recentBlocks, owners.idle) == (1, false))
        #expect(owners.lastBlocked == LedgerFixtures.at(21))
        // One evaluation is not a window: not idle, however clean.
        let stateless = try rule("approvals", "payments-owners@stateless")
        #expect((stateless.requests, stateless.recentEvaluations, stateless.idle) == (1, 1, false))
        // Recorded before rules were named: measured by kind only, with the rules' requests.
        let approvals = try #require(m.controls.first { $0.control == "approvals" })
        #expect((approvals.requests, approvals.blocked, approvals.held) == (5, 1, 4))

        // The kind-level view still adds the rules of a kind up per request.
        let checks = try #require(m.controls.first { $0.control == "checks" })
        #expect((checks.requests, checks.blocked) == (4, 1))

        // By tier: only the schema migrations; sast is idle in that tier too.
        let byTier = try await GateMetrics.compute(store, period, tier: migration, idleWindow: 4)
        #expect(byTier.requests == 3)
        #expect(byTier.tier == migration)
        #expect(
            byTier.rules.map { "\($0.control) \($0.rule) \($0.requests)" } == [
                "approvals \(Self.dba) 3", "approvals \(Self.owners) 3", "checks sast 3", "checks unit 3",
            ])
        #expect(byTier.rules.filter(\.idle).map { $0.rule } == [Self.dba, "sast"])

        // By environment: staging's one request; its evaluations are staging's alone, so nothing is idle.
        let staging = try await GateMetrics.compute(
            store, try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(1_000), environment: "staging"),
            idleWindow: 4)
        #expect(
            staging.rules.map { "\($0.control) \($0.rule) \($0.recentEvaluations)" } == [
                "approvals payments-owners@stateless 1", "checks sast 1", "checks unit 1",
            ])
        #expect(staging.rules.allSatisfy { !$0.idle })
        #expect(staging.idleControls.isEmpty)

        // A period that ends before r3 was decided does not see its block.
        let early = try await GateMetrics.compute(
            store, try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(20)), idleWindow: 3)
        let ownersEarly = try #require(early.rules.first { $0.rule == Self.owners })
        #expect((ownersEarly.requests, ownersEarly.blocked, ownersEarly.recentEvaluations) == (2, 0, 3))
        #expect(ownersEarly.idle)
    }

    /// `countersign metrics gates` as a user runs it: the rules of one tier, idle ones named, as a table and as JSON.
    @Test func theCommandLineFiltersByTier() async throws {
        let (_, path) = try await Self.history().file()
        let common = [
            "metrics", "gates", "--database", path, "--from", RFC3339.string(LedgerFixtures.start),
            "--to", RFC3339.string(LedgerFixtures.at(1_000)), "--tier", Self.migration, "--idle-window", "4",
        ]
        let table = try CommandRunner.run(common)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("idle: checks sast blocked nothing in its last 4 evaluations"), "\(table.stdout)")
        #expect(table.stdout.contains("idle: approvals \(Self.dba) blocked nothing in its last 4 evaluations"))
        #expect(!table.stdout.contains("payments-owners@stateless"))
        let json = try CommandRunner.run(common + ["--output", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(object["tier"] as? String == Self.migration)
        let rules = try #require(object["rules"] as? [[String: Any]])
        #expect(rules.compactMap { $0["rule"] as? String } == [Self.dba, Self.owners, "sast", "unit"])
        let refused = try CommandRunner.run(common.dropLast(2) + ["--idle-window", "0"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--idle-window must be positive"), "\(refused.stderr)")
    }
}
