import CountersignCore
import CountersignLedger
import CountersignMetrics
import CountersignSQLite
import Foundation
import Testing

@testable import CountersignControl

/// `serve --demo`: the seeded history is real ledger history the gate decided, and every dashboard has data.
@Suite struct DemoHistoryTests {
    static let policy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/policy").path

    @Test func seedsNinetyDaysThatEveryMetricCanRead() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID()).db").path
        let store = try SQLiteLedger(path: path)
        let control = ControlPlane(
            store: store, policy: PolicyHolder(try PolicyLoader.load(path: Self.policy), path: Self.policy))
        _ = try await control.bootstrapPolicy()
        let end = Date(timeIntervalSince1970: 1_796_292_000)  // 2026-12-03
        let summary = try await DemoHistory(store: store, policy: control.policy, end: end).seed()
        #expect(summary.deploys >= 150)
        #expect(summary.incidents >= 1)
        // The count it prints is what the approvals inbox lists — every pending request, the four left waiting on
        // purpose among them — not only those four.
        let inbox = try await store.lookup("SELECT COUNT(*) FROM deploy_requests WHERE verdict = 'pending'", [])
        #expect(inbox.rows.first?.first?.integerValue == Int64(summary.pending))
        #expect(summary.pending > 4)

        let period = try MetricsPeriod.last(90, now: end.addingTimeInterval(1), environment: "production")
        let dora = try await DeliveryMetrics.compute(store, period)
        #expect(dora.overall.deployments > 50)
        #expect(dora.overall.leadTime.count > 0)
        #expect(dora.overall.failed > 0)
        #expect(dora.groups.count == DemoHistory.services.count)
        let gates = try await GateMetrics.compute(store, period)
        // Under the seed's tier table people approve only migrations and emergencies: fewer waits, each one real.
        #expect(gates.approvalWait.count > 10)
        #expect(gates.controls.contains { $0.control == "freeze" && $0.blocked > 0 })
        #expect(gates.correlation.contains { $0.authorization == "automated" })
        #expect(gates.correlation.contains { $0.authorization == "human-approved" })

        let grants = try await store.lookup("SELECT review_outcome FROM breakglass_grants", [])
        #expect(grants.rows.map { $0[0] } == [.text("justified")])
        let canaries = try await store.lookup("SELECT COUNT(*) FROM canary_verdicts", [])
        #expect((canaries.rows.first?.first?.integerValue ?? 0) > 0)
        let refused = try await store.lookup("SELECT COUNT(*) FROM entries WHERE type = 'approval.refused'", [])
        #expect((refused.rows.first?.first?.integerValue ?? 0) > 0)

        // A demo never mixes with history it did not write.
        await #expect(throws: ControlError.self) {
            _ = try await DemoHistory(store: store, policy: control.policy, end: end).seed()
        }
    }
}
