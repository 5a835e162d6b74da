public import CountersignCore
public import Foundation

/// `gate.decided`: the gate's answer for one request — the decision in full, with the request, verdict, policy
/// and reasons under the names the projections and the audit read.
public struct GateDecided: LedgerEvent, Hashable {
    public var request: String
    public var verdict: Decision.Verdict
    public var tier: String?
    /// The policy bundle's hash.
    public var policy: String?
    public var reasons: [String]?
    public var controls: [Control]?
    /// The rest of the decision, as the server records it; optional for entries appended by hand.
    public var requestID: String?
    public var relaxations: [String]?
    public var policyHash: String?
    public var evidenceIDs: [String]?
    public var decidedAt: Date?

    /// One control's result; the message may be absent from entries appended by hand, the rule from entries
    /// recorded before the gate named its rules.
    public struct Control: Codable, Sendable, Hashable {
        public var control: String
        public var status: ControlResult.Status
        public var message: String?
        public var rule: String?
    }

    public init(_ decision: Decision) {
        request = decision.requestID
        verdict = decision.verdict
        tier = decision.tier
        policy = decision.policyHash
        reasons = decision.reasons
        controls = decision.controls.map {
            Control(control: $0.control, status: $0.status, message: $0.message, rule: $0.rule)
        }
        requestID = decision.requestID
        relaxations = decision.relaxations
        policyHash = decision.policyHash
        evidenceIDs = decision.evidenceIDs
        decidedAt = decision.decidedAt
    }

    public var type: EventType { .gateDecided }

    /// The decision as the gate made it; nil for an entry that does not record all of it.
    public var decision: Decision? {
        guard let requestID, let relaxations, let policyHash, let evidenceIDs, let decidedAt, let controls else {
            return nil
        }
        var controlResults: [ControlResult] = []
        for c in controls {
            guard let message = c.message else { return nil }
            controlResults.append(ControlResult(c.control, c.status, message, rule: c.rule))
        }
        return Decision(
            requestID: requestID, verdict: verdict, tier: tier, controls: controlResults, relaxations: relaxations,
            policyHash: policyHash, evidenceIDs: evidenceIDs, decidedAt: decidedAt)
    }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let request = try nonEmpty(self.request, "request")
        let verdict = SQLValue.text(self.verdict.rawValue)
        var statements = [
            SQLStatement(
                """
                INSERT INTO decisions (seq, request_id, decided_at, verdict, tier, policy, reasons, decided_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [entry.seq, request, entry.at, verdict, tier.sql, policy.sql, (reasons ?? []).sql, entry.actor]),
            SQLStatement(
                "UPDATE deploy_requests SET verdict = ?, tier = ?, decided_at = ? WHERE request_id = ?",
                [verdict, tier.sql, entry.at, request]),
        ]
        // Each control result (`decision_controls`: which controls never block), the request's summary of them
        // (`request_controls`: block and hold rate without scanning every decision), and when it became ready —
        // every control satisfied but approvals — and was first allowed after that (approval wait).
        // One pass gathers what each row needs: a decision's kinds and rules, each blocked or held at least once.
        var statuses: [(String, ControlResult.Status)] = []
        var kinds: [String: (blocked: Bool, held: Bool)] = [:]
        var rules: [String: (control: String, rule: String, blocked: Bool, held: Bool)] = [:]
        for (i, control) in (controls ?? []).enumerated() {
            _ = try nonEmpty(control.control, "controls[\(i)].control")
            statuses.append((control.control, control.status))
            let blocked = control.status == .denied || control.status == .error
            let held = control.status == .pending
            let kind = kinds[control.control] ?? (false, false)
            kinds[control.control] = (kind.blocked || blocked, kind.held || held)
            let rule = control.rule ?? ""
            statements.append(
                SQLStatement(
                    """
                    INSERT INTO decision_controls (seq, request_id, decided_at, control, status, rule)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [entry.seq, request, entry.at, .text(control.control), .text(control.status.rawValue), .text(rule)]
                ))
            let key = control.control + "\u{0}" + rule
            let summary = rules[key] ?? (control.control, rule, false, false)
            rules[key] = (control.control, rule, summary.blocked || blocked, summary.held || held)
        }
        for (_, r) in rules.sorted(by: { $0.key < $1.key }) {
            statements.append(
                SQLStatement(
                    """
                    INSERT INTO request_rules
                        (request_id, control, rule, tier, requested_at, service, environment, blocked, held)
                    SELECT r.request_id, ?, ?, ?, r.requested_at, r.service, r.environment, ?, ? FROM deploy_requests r
                    WHERE r.request_id = ?
                    ON CONFLICT (request_id, control, rule) DO UPDATE SET tier = COALESCE(excluded.tier, request_rules.tier),
                        blocked = request_rules.blocked | excluded.blocked, held = request_rules.held | excluded.held
                    """,
                    [
                        .text(r.control), .text(r.rule), tier.sql, .integer(r.blocked ? 1 : 0),
                        .integer(r.held ? 1 : 0),
                        request,
                    ]))
        }
        for (name, kind) in kinds.sorted(by: { $0.key < $1.key }) {
            let (blocked, held): (Int64, Int64) = (kind.blocked ? 1 : 0, kind.held ? 1 : 0)
            statements.append(
                SQLStatement(
                    """
                    INSERT INTO request_controls
                        (request_id, control, tier, requested_at, service, environment, blocked, held)
                    SELECT r.request_id, ?, ?, r.requested_at, r.service, r.environment, ?, ? FROM deploy_requests r
                    WHERE r.request_id = ?
                    ON CONFLICT (request_id, control) DO UPDATE SET tier = COALESCE(excluded.tier, request_controls.tier),
                        blocked = request_controls.blocked | excluded.blocked, held = request_controls.held | excluded.held
                    """, [.text(name), tier.sql, .integer(blocked), .integer(held), request]))
        }
        let ready =
            statuses.contains { $0.0 == "approvals" && $0.1 == .pending }
            && statuses.allSatisfy { $0.0 == "approvals" || $0.1 == .satisfied }
        if ready {
            statements.append(
                SQLStatement(
                    "UPDATE deploy_requests SET ready_at = ? WHERE request_id = ? AND ready_at IS NULL",
                    [entry.at, request]))
        }
        if self.verdict == .allowed {
            statements.append(
                SQLStatement(
                    """
                    UPDATE deploy_requests SET allowed_at = ?
                    WHERE request_id = ? AND ready_at IS NOT NULL AND allowed_at IS NULL
                    """, [entry.at, request]))
        }
        return statements
    }
}
