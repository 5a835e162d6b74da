import CountersignLedger
import CountersignMetrics
import CountersignTesting
import Foundation
import Testing

/// What a rule's holds were worth (issue 21, item 2), on a hand-computed history: 12 deploys `unit` held, 8 of which
/// failed; 60 flag flips nothing held, none failed; 10 migrations dba approved, 2 named by an incident. Intervals
/// are 95 % Wilson score intervals, the expected bounds computed apart from this code (z = 1.959964).
@Suite struct RuleWorthTests {
    static func history() -> History {
        var h = History()
        for i in 0..<12 {
            let t = Double(i) * 10
            h.request("u\(i)", at: t)
            h.decide("u\(i)", "pending", at: t + 1, rules: [("checks", "unit", "pending")])
            h.decide("u\(i)", "allowed", at: t + 2, rules: [("checks", "unit", "satisfied")])
            h.deploy(
                "u\(i)", request: "u\(i)", started: t + 3, finished: t + 4, outcome: i < 8 ? "failed" : "succeeded")
        }
        for i in 0..<60 {
            let t = 200 + Double(i) * 10
            h.request("v\(i)", at: t)
            h.decide("v\(i)", "allowed", at: t + 1, tier: "flag-flip", rules: [("checks", "policy-lint", "satisfied")])
            h.deploy("v\(i)", request: "v\(i)", started: t + 2, finished: t + 3)
        }
        for i in 0..<10 {
            let t = 1_000 + Double(i) * 10
            h.request("x\(i)", at: t)
            h.decide(
                "x\(i)", "pending", at: t + 1, tier: "schema-migration",
                rules: [("approvals", "dba@schema-migration", "pending")])
            h.approve("x\(i)", by: "dave", at: t + 2)
            h.decide(
                "x\(i)", "allowed", at: t + 3, tier: "schema-migration",
                rules: [("approvals", "dba@schema-migration", "satisfied")])
            h.deploy("x\(i)", request: "x\(i)", started: t + 4, finished: t + 5)
        }
        h.incident("INC-1", deploys: ["x0"], opened: 1_200, resolved: 1_210)
        h.incident("INC-2", deploys: ["x1"], opened: 1_220, resolved: 1_230)
        return h
    }

    @Test func sqlite() async throws { try await Self.check(try await Self.history().store()) }

    @Test func postgresAgrees() async throws { try await Self.history().withPostgres { try await Self.check($0) } }

    static func near(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 5e-5 } ?? false }

    static func check(_ store: any LedgerStore) async throws {
        let m = try await GateMetrics.compute(
            store, try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(10_000)), approvalRules: [])
        // Base: 10 of 82 finished deploys failed (8 failed, 2 named by an incident); 0 of the 72 without approvals.
        let failed = try #require(m.baseRates.failed)
        #expect((failed.count, failed.of) == (10, 82))
        #expect(near(failed.low, 0.0676) && near(failed.high, 0.2101), "\(failed)")
        let automated = try #require(m.baseRates.automatedIncidents)
        #expect((automated.count, automated.of, automated.low) == (0, 72, 0))
        #expect(near(automated.high, 0.0507), "\(automated)")

        let worth = Dictionary(uniqueKeysWithValues: m.worth.map { ("\($0.control) \($0.rule)", $0) })
        let unit = try #require(worth["checks unit"])
        #expect(unit.deploys == 12)
        #expect((unit.held?.count, unit.held?.of) == (8, 12))
        #expect(near(unit.held?.low, 0.3906) && near(unit.held?.high, 0.8619))
        #expect(unit.heldVerdict == "failed more often than the base rate")
        #expect(unit.approvedIncidents == nil)

        let lint = try #require(worth["checks policy-lint"])
        #expect(lint.held == nil && lint.heldVerdict == "held nothing that went out")

        let dba = try #require(worth["approvals dba@schema-migration"])
        #expect((dba.held?.count, dba.held?.of) == (2, 10))
        #expect(dba.heldVerdict == "no different from the base rate")
        #expect((dba.approvedIncidents?.count, dba.approvedIncidents?.of) == (2, 10))
        #expect(near(dba.approvedIncidents?.low, 0.0567))
        #expect(dba.approvedVerdict == "named by an incident more often than the base rate")
    }

    /// Fewer than ten deploys: no verdict either way.
    @Test func tooFewToTell() async throws {
        var h = History()
        for i in 0..<9 {
            h.request("r\(i)", at: Double(i))
            h.decide("r\(i)", "pending", at: Double(i) + 0.5, rules: [("checks", "unit", "pending")])
            h.deploy("d\(i)", request: "r\(i)", started: Double(i) + 0.6, finished: Double(i) + 0.7, outcome: "failed")
        }
        let m = try await GateMetrics.compute(
            try await h.store(), try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(100)),
            approvalRules: [])
        #expect(m.worth.first?.heldVerdict == "too few deploys to tell")
    }
}
