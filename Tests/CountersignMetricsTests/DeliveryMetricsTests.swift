import CountersignLedger
import CountersignMetrics
import CountersignTesting
import Foundation
import Testing

@Suite struct DeliveryMetricsTests {
    static let day = 1_440.0

    /// Four weeks of payments deploys: three days of deploys in week 1, a rollback in week 2, a deploy an incident
    /// names and one whose commit time is after it in week 3, nothing in week 4; and a staging deploy.
    static func history() -> History {
        var h = History()
        func ship(_ n: Int, _ at: Double, lead: Double?, outcome: String = "succeeded", env: String = "production") {
            h.request("r\(n)", environment: env, at: at - 5, committed: lead.map { at + 10 - $0 })
            h.deploy("d\(n)", request: "r\(n)", environment: env, started: at, finished: at + 10, outcome: outcome)
        }
        ship(1, 0, lead: 60)
        ship(2, day, lead: 120)
        ship(3, 2 * day, lead: 180)
        ship(4, 8 * day, lead: 600, outcome: "rolled_back")
        ship(5, 15 * day, lead: 240)
        h.incident("INC-1", deploys: ["d5"], opened: 15 * day + 60, resolved: 15 * day + 240)
        // Committed after the deploy finished (and its request): no commit time, as fourkeys drops it.
        ship(6, 16 * day, lead: -50)
        ship(7, 16 * day + 20, lead: nil, env: "staging")
        return h
    }

    @Test func productionKeys() async throws {
        try await Self.check(try await Self.history().store())
    }

    @Test func postgresAgrees() async throws {
        try await Self.history().withPostgres { try await Self.check($0) }
    }

    static func check(_ store: any LedgerStore) async throws {
        let period = try MetricsPeriod(
            from: LedgerFixtures.start, to: LedgerFixtures.at(28 * day), environment: "production")
        let m = try await DeliveryMetrics.compute(store, period)
        let row = m.overall
        #expect(row.deployments == 5)
        #expect(row.deployingDays == 5)
        #expect(abs(row.deploymentsPerDay - 5.0 / 28) < 1e-12)
        // Deploying days per week 3, 0, 2, 0: median 1 → Weekly.
        #expect(row.frequency == "Weekly")
        // Lead times 60, 120, 180, 240 min (d6 dropped, d4 rolled back): median 150 min.
        #expect(row.leadTime.count == 4)
        #expect(close(row.leadTime.median, 150 * 60))
        #expect(row.leadTimeBucket == "One day")
        // d6's commit time, claimed after its own request, is no commit time.
        #expect(row.withoutCommitTime == 1)
        #expect(row.withoutCommitTimeDeploys == ["d6"])
        // d4 rolled back, d5 caused INC-1: 2 of 6 finished deploys.
        #expect(row.finished == 6)
        #expect(row.failed == 2)
        #expect(row.changeFailureRate == 2.0 / 6)
        #expect(row.changeFailureBucket == "16-45%")
        // Recovery: d4 rolled back after 10 min; INC-1 resolved 240 min after d5 started.
        #expect(row.recovery.count == 2)
        #expect(close(row.recovery.median, (10 + 240) * 60 / 2))
        #expect(m.weeks.map(\.deployments) == [3, 0, 2, 0])
        #expect(m.weeks.map(\.failed) == [0, 1, 1, 0])
        #expect(m.groups.count == 1)
    }

    @Test func groupsPerServiceAndEnvironment() async throws {
        let store = try await Self.history().store()
        let period = try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(28 * Self.day))
        let m = try await DeliveryMetrics.compute(store, period)
        #expect(
            m.groups.map { "\($0.service ?? "")/\($0.environment ?? "")" } == [
                "payments/production", "payments/staging",
            ])
        #expect(m.groups[1].deployments == 1)
        #expect(m.groups[1].withoutCommitTime == 1)
        // Counted and named, so the gap can be closed where it starts.
        #expect(m.groups[1].withoutCommitTimeDeploys == ["d7"])
        #expect(m.groups[0].withoutCommitTimeDeploys == ["d6"])
        #expect(m.overall.withoutCommitTimeDeploys == ["d6", "d7"])
        #expect(m.overall.deployments == 6)
    }

    @Test func frequencyBuckets() {
        #expect(FourKeys.frequency(daysPerWeek: [5, 4, 3, 1], weeksPerMonth: [4]) == "Daily")
        #expect(FourKeys.frequency(daysPerWeek: [0, 0, 1, 1, 1], weeksPerMonth: [3]) == "Weekly")
        #expect(FourKeys.frequency(daysPerWeek: [0, 0, 0, 1], weeksPerMonth: [1, 1, 0]) == "Monthly")
        #expect(FourKeys.frequency(daysPerWeek: [0, 0, 0, 0], weeksPerMonth: [0, 0, 1]) == "Yearly")
        #expect(FourKeys.duration(seconds: 23.9 * 3_600) == "One day")
        #expect(FourKeys.duration(seconds: 24 * 3_600) == "One week")
        #expect(FourKeys.duration(seconds: 5_000 * 3_600) == "One year")
        #expect(FourKeys.failureRate(0.15) == "0-15%")
        #expect(FourKeys.failureRate(0.46) == "46-60%")
    }

    @Test func refusesAnInvertedPeriod() {
        #expect(throws: MetricsError.self) {
            try MetricsPeriod(from: LedgerFixtures.at(10), to: LedgerFixtures.at(10))
        }
    }

    @Test func summaryQuantilesInterpolate() {
        let s = DurationSummary([1, 2, 3, 4, 100])
        #expect(s.median == 3)
        #expect(close(s.p90, 4 + 0.6 * 96))
        #expect(s.bands[0].count == 5)
        #expect(DurationSummary([]).median == nil)
    }
}
