import CountersignLedger
import CountersignMetrics
import CountersignTesting
import Foundation
import Testing

@Suite struct GateMetricsTests {
    /// r1 waits 4 min for alice once ready; r2 waits for checks, then 20 min for an approval; r3 is a flag flip the
    /// automated controls pass and it causes an incident; r4 fails its checks.
    static func history() -> History {
        var h = History()
        h.request("r1", at: 0)
        h.decide("r1", "pending", at: 1, [("checks", "satisfied"), ("approvals", "pending")])
        h.approve("r1", at: 4)
        h.decide("r1", "allowed", at: 5, [("checks", "satisfied"), ("approvals", "satisfied")])
        h.deploy("d1", request: "r1", started: 6, finished: 8)
        h.request("r2", at: 10)
        h.decide("r2", "pending", at: 11, [("checks", "pending"), ("approvals", "pending")])
        h.decide("r2", "pending", at: 12, [("checks", "satisfied"), ("approvals", "pending")])
        h.approve("r2", by: "bob", at: 31)
        h.decide("r2", "allowed", at: 32, [("checks", "satisfied"), ("approvals", "satisfied")])
        h.deploy("d2", request: "r2", started: 33, finished: 35)
        h.request("r3", at: 40)
        h.decide("r3", "allowed", at: 41, tier: "flag-flip", [("checks", "satisfied")])
        h.deploy("d3", request: "r3", started: 42, finished: 43)
        h.incident("INC-9", deploys: ["d3"], opened: 50, resolved: 70)
        h.request("r4", at: 80)
        h.decide("r4", "denied", at: 81, [("checks", "denied"), ("approvals", "pending")])
        return h
    }

    @Test func waitsBlocksAndCorrelation() async throws {
        try await Self.check(try await Self.history().store())
    }

    /// The same SQL, the same answers, on PostgreSQL.
    @Test func postgresAgrees() async throws {
        try await Self.history().withPostgres { try await Self.check($0) }
    }

    static func check(_ store: any LedgerStore) async throws {
        let period = try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(1_000))
        let m = try await GateMetrics.compute(store, period, idleWindow: 4)
        #expect(m.requests == 4)
        // Ready → allowed: r1 4 min, r2 20 min. r4 was never ready (its checks denied).
        #expect(m.approvalWait.count == 2)
        #expect(close(m.approvalWait.median, 12 * 60))
        #expect(m.approvalWaitByTier.map(\.tier) == ["stateless"])

        let checks = try #require(m.controls.first { $0.control == "checks" })
        #expect(checks.requests == 4)
        #expect(checks.blocked == 1)
        #expect(checks.held == 1)
        #expect(checks.blockRate == 0.25)
        let approvals = try #require(m.controls.first { $0.control == "approvals" })
        #expect(approvals.requests == 3)
        #expect(approvals.blocked == 0)
        #expect(approvals.held == 3)

        // approvals: 6 evaluations, none denied → idle over the last 4; checks denied r4 last → not idle.
        #expect(m.idleControls.map(\.control) == ["approvals"])
        #expect(m.idleControls.first?.lastBlocked == nil)

        let human = try #require(m.correlation.first { $0.authorization == "human-approved" })
        #expect(human.deploys == 2)
        #expect(human.causedIncidents == 0)
        let automated = try #require(m.correlation.first { $0.authorization == "automated" })
        #expect(automated.tier == "flag-flip")
        #expect(automated.deploys == 1)
        #expect(automated.incidentRate == 1)
    }

    @Test func idleNeedsAFullWindow() async throws {
        let store = try await Self.history().store()
        let period = try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(1_000))
        let m = try await GateMetrics.compute(store, period, idleWindow: 100)
        #expect(m.idleControls.isEmpty)
    }

    @Test func filtersByService() async throws {
        let store = try await Self.history().store()
        let period = try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(1_000), service: "checkout")
        let m = try await GateMetrics.compute(store, period)
        #expect(m.requests == 0)
        #expect(m.controls.isEmpty)
        #expect(m.correlation.isEmpty)
    }
}
