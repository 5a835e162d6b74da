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
        let gates = try await GateMetrics.compute(store, period, names: true)
        // Under the seed's tier table people approve only migrations and emergencies: fewer waits, each one real.
        #expect(gates.approvalWait.count > 10)
        #expect(gates.controls.contains { $0.control == "freeze" && $0.blocked > 0 })
        #expect(gates.correlation.contains { $0.authorization == "automated" })
        #expect(gates.correlation.contains { $0.authorization == "human-approved" })

        // The gates the gate metrics exist to find (issue 21), each singled out by rule: a check that never fails
        // beside one that does, an approval rule that never rejects beside one that does, an approver who approves
        // everything within seconds of it being ready.
        let all = try await GateMetrics.compute(
            store, try MetricsPeriod.last(90, now: end.addingTimeInterval(1)), names: true)
        func rule(_ m: GateMetrics, _ control: String, _ name: String) throws -> GateMetrics.RuleRate {
            try #require(m.rules.first { $0.control == control && $0.rule == name }, "\(control) \(name)")
        }
        for m in [all, gates] {
            let integration = try rule(m, "checks", "integration")
            #expect(integration.blocked == 0 && integration.idle, "\(integration)")
            #expect(try rule(m, "approvals", "payments-owners@schema-migration").blocked > 0)
            let dba = try rule(m, "approvals", "dba@schema-migration")
            #expect(dba.blocked == 0 && dba.held > 0)
            let erin = try #require(m.approvalSignals.approvers?.first { $0.approver == "erin" })
            #expect(erin.signals.flags.contains { $0.hasSuffix("within a minute of ready") }, "\(erin)")
            // Only erin approves within seconds; who never rejects depends on the draw, erin always.
            let quick = m.approvalSignals.approvers?.filter {
                $0.signals.flags.contains { $0.contains("minute of ready") }
            }
            #expect(quick?.map(\.approver) == ["erin"])
        }
        let dba = try #require(all.approvalSignals.rules.first { $0.rule == "dba@schema-migration" })
        #expect(dba.signals.flags.contains { $0.hasPrefix("never rejected") }, "\(dba)")
        let owners = try #require(all.approvalSignals.rules.first { $0.rule == "payments-owners@schema-migration" })
        #expect(owners.signals.rejections > 0 && owners.signals.flags.isEmpty, "\(owners)")
        #expect(try rule(all, "checks", "unit").blocked > 0)
        #expect(try rule(gates, "checks", "migration-dry-run").blocked > 0)
        // Without names, the approvers are a count.
        let anonymous = try await GateMetrics.compute(store, period)
        #expect(anonymous.approvalSignals.approvers == nil)
        #expect(
            anonymous.approvalSignals.flaggedApprovers
                == gates.approvalSignals.approvers?.filter { !$0.signals.flags.isEmpty }.count)
        #expect(anonymous.approvalSignals.flaggedApprovers >= 1)

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
