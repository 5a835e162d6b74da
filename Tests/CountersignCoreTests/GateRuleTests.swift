import CountersignEncoding
import Foundation
import Testing

@testable import CountersignCore

/// Every control result names the rule it is (issue 21, item 1), so the gate metrics measure each check, approval
/// rule, freeze, artifact policy, `require` condition and canary template, not only each kind of control.
@Suite struct GateRuleTests {
    /// A schema migration: two approval rules (payments-owners and dba), four checks, a `require` condition.
    static func migration() -> DeployRequest {
        var request = Fixture.request()
        request.change.kind = "schema-migration"
        return request
    }

    static func rules(_ d: Decision, _ control: String) -> [String?] {
        d.controls.filter { $0.control == control }.map(\.rule)
    }

    @Test func eachControlNamesItsRule() {
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [Fixture.approval("carol")]))
        #expect(d.verdict == .allowed, "\(d.reasons)")
        #expect(Self.rules(d, "checks") == ["unit", "integration"])
        #expect(Self.rules(d, "artifact") == ["signed-from-main"])
        #expect(Self.rules(d, "approvals") == ["payments-owners@stateless"])
        // One rule of the environment each: named by their kind alone.
        #expect(Self.rules(d, "deployer") == [nil])
        #expect(Self.rules(d, "tier") == [nil])
    }

    @Test func eachApprovalRuleWaitsOnItsOwn() {
        let d = Fixture.decide(Self.migration(), Fixture.evidence())
        #expect(d.tier == "schema-migration", "\(d.reasons)")
        let approvals = d.controls.filter { $0.control == "approvals" }
        #expect(approvals.map(\.rule) == ["payments-owners@schema-migration", "dba@schema-migration"])
        #expect(approvals.allSatisfy { $0.status == .pending })
        // What keeps people off a team is said on that team's rule: alice and bob are payments owners, not DBAs.
        #expect(approvals[0].message.hasPrefix("needs 1 more approval from team payments-owners"))
        #expect(approvals[0].message.contains("alice is excluded as the change's author"))
        #expect(approvals[1].message == "needs 1 more approval from team dba")
        #expect(Self.rules(d, "require") == ["change.ticket != ''"])
        #expect(Self.rules(d, "checks") == ["unit", "integration", "migration-dry-run", "rollback-tested"])
        #expect(d.controls.first { $0.rule == "migration-dry-run" }?.status == .pending)

        // carol fills payments-owners; dba still waits, alone.
        let partly = Fixture.decide(Self.migration(), Fixture.evidence(approvals: [Fixture.approval("carol")]))
        let now = partly.controls.filter { $0.control == "approvals" }
        #expect(now.map(\.rule) == ["payments-owners@schema-migration", "dba@schema-migration"])
        #expect(now.map(\.status) == [.satisfied, .pending])
    }

    /// A rejection is denied under the rule whose team the rejecter is on — the metric that singles out a rule that
    /// never rejects depends on it — and under the tier's approvals as a whole for an approver on none of its teams.
    @Test(arguments: [
        ("dave", ["dba@schema-migration"]), ("carol", ["payments-owners@schema-migration"]),
        ("erin", ["dba@schema-migration"]),
    ])
    func aRejectionIsDeniedUnderTheRejectersRule(_ who: String, _ expected: [String]) {
        var rejection = Fixture.approval(who)
        rejection.state = .rejected
        let d = Fixture.decide(Self.migration(), Fixture.evidence(approvals: [rejection]))
        #expect(d.verdict == .denied)
        let denied = d.controls.filter { $0.control == "approvals" && $0.status == .denied }
        #expect(denied.compactMap(\.rule) == expected)
        #expect(denied.allSatisfy { $0.message == "rejected by \(who)" })
    }

    @Test func aRejectionByAnApproverOnNoTeamOfTheTierDeniesTheApprovals() {
        // dave approves for no payments-owners rule: on the stateless tier, his rejection still denies.
        var rejection = Fixture.approval("dave")
        rejection.state = .rejected
        let d = Fixture.decide(Fixture.request(), Fixture.evidence(approvals: [rejection]))
        #expect(d.verdict == .denied)
        let denied = d.controls.filter { $0.control == "approvals" && $0.status == .denied }
        #expect(denied.map(\.rule) == [nil])
    }

    @Test func aFreezeAndACanaryNameTheirs() {
        let frozen = Fixture.decide(
            Fixture.request(), Fixture.evidence(approvals: [Fixture.approval("carol")]),
            at: Fixture.date("2026-11-27T15:00:00Z"))
        #expect(Self.rules(frozen, "freeze").contains("black-friday"), "\(frozen.reasons)")

        var flagged = Fixture.request()
        flagged.change.kind = "code-behind-flag"
        let d = Fixture.decide(flagged, Fixture.evidence())
        #expect(d.tier == "code-behind-flag", "\(d.reasons)")
        #expect(Self.rules(d, "canary") == ["slo-gate"])
    }

    /// The rule travels with the decision into the ledger and back; a decision recorded before rules were named reads
    /// with none.
    @Test func theRuleIsRecordedAndOldDecisionsReadWithout() throws {
        let d = Fixture.decide(Self.migration(), Fixture.evidence())
        let recorded = try JSONDecoder().decode(GateDecidedProbe.self, from: JSONEncoder().encode(d))
        #expect(recorded.controls.map(\.rule) == d.controls.map(\.rule))
        let old = #"{"control":"approvals","status":"pending","message":"needs 1 more approval from team dba"}"#
        let control = try JSONDecoder().decode(ControlResult.self, from: Data(old.utf8))
        #expect(control.rule == nil)
        #expect(try String(decoding: JSONEncoder().encode(control), as: UTF8.self).contains("rule") == false)
    }

    struct GateDecidedProbe: Decodable { var controls: [ControlResult] }
}
