internal import CountersignEncoding
public import CountersignLedger
public import Foundation

/// What a rule's holds were worth: of the deploys it held (or blocked) that later went out, how many failed —
/// failed, rolled back, or named by an incident — against the base rate of every deploy in the period; and for an
/// approval rule, how many of the deploys it approved an incident named, against deploys that automated controls
/// passed alone.
///
/// What this can say: whether the changes a rule stopped to look at went on to fail more often than changes in
/// general — a rule that holds the risky ones should see more failures among them, a rule whose held deploys fail at
/// the base rate is not telling risky changes apart. What it cannot say: what a change it blocked *for good* would
/// have done (it never went out), nor whether a rule caused a failure rate to fall (the comparison is observational,
/// and tiers are chosen because their changes differ). Each rate carries a 95 % Wilson interval; with fewer than
/// ``minimum`` deploys the verdict is that there are too few to tell.
public struct RuleWorth: Sendable, Encodable {
    /// A proportion with its 95 % Wilson score interval.
    public struct Rate: Sendable, Encodable, Equatable {
        public var count: Int
        public var of: Int
        public var rate: Double
        public var low: Double
        public var high: Double

        init?(_ count: Int, of n: Int) {
            guard n > 0 else { return nil }
            let z = 1.959964
            let p = Double(count) / Double(n)
            let denominator = 1 + z * z / Double(n)
            let centre = (p + z * z / (2 * Double(n))) / denominator
            let spread = z * (p * (1 - p) / Double(n) + z * z / (4 * Double(n) * Double(n))).squareRoot() / denominator
            (self.count, of, rate, low, high) = (count, n, p, max(0, centre - spread), min(1, centre + spread))
        }

        /// "3/41 (2–19 %)": the count, the whole and the interval, as the command line and the web page show it.
        public var summary: String { String(format: "%d/%d (%.0f–%.0f %%)", count, of, low * 100, high * 100) }

        /// How this rate compares with `base`: above or below only when the intervals do not overlap.
        func compared(with base: Rate?, _ what: String) -> String {
            guard of >= RuleWorth.minimum, let base else { return "too few deploys to tell" }
            if low > base.high { return "\(what) more often than the base rate" }
            if high < base.low { return "\(what) less often than the base rate" }
            return "no different from the base rate"
        }
    }

    public var control: String
    public var rule: String
    /// Finished deploys of requests the rule evaluated.
    public var deploys: Int
    /// Of them, those whose request it held or blocked first, and how many of those failed.
    public var held: Rate?
    public var heldVerdict: String
    /// Approval rules: the deploys it approved and how many of them an incident named.
    public var approvedIncidents: Rate?
    public var approvedVerdict: String?

    static let minimum = 10

    /// The base rates of the period's finished deploys: failed (any way), and named by an incident among those
    /// automated controls passed alone.
    public struct Base: Sendable, Encodable {
        public var failed: Rate?
        public var automatedIncidents: Rate?
    }

    static func compute(
        _ store: any LedgerStore, requests: (String, [SQLValue]), rules: (String, [SQLValue]), before end: Date
    ) async throws(LedgerError) -> (base: Base, rules: [RuleWorth]) {
        // Counted where the rows are: a deploy failed when it failed, was rolled back, or an incident opened before
        // the period's end names it.
        let end = SQLValue.text(RFC3339.string(end, fraction: .milliseconds))
        let named = "EXISTS (SELECT 1 FROM incident_deploys l WHERE l.deploy_id = d.deploy_id AND l.opened_at < ?)"
        let failed = "(d.status IN ('failed', 'rolled_back') OR \(named))"
        let automated = "COALESCE(d.human_approvals, 0) = 0"
        let all = try await store.lookup(
            """
            SELECT COUNT(*), CAST(SUM(CASE WHEN \(failed) THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN \(automated) THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN \(automated) AND \(named) THEN 1 ELSE 0 END) AS BIGINT)
            FROM deploys d JOIN deploy_requests r ON r.request_id = d.request_id
            WHERE \(requests.0) AND d.status <> 'started'
            """, [end, end] + requests.1)
        let totals = (all.rows.first ?? []).map { Int($0.integerValue ?? 0) }
        func total(_ i: Int) -> Int { i < totals.count ? totals[i] : 0 }
        let base = Base(
            failed: Rate(total(1), of: total(0)), automatedIncidents: Rate(total(3), of: total(2)))

        let rows = try await store.lookup(
            """
            SELECT r.control, r.rule, COUNT(*),
                CAST(SUM(CASE WHEN r.held = 1 OR r.blocked = 1 THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN (r.held = 1 OR r.blocked = 1) AND \(failed) THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN \(named) THEN 1 ELSE 0 END) AS BIGINT)
            FROM request_rules r JOIN deploys d ON d.request_id = r.request_id
            WHERE \(rules.0) AND r.rule <> '' AND d.status <> 'started'
            GROUP BY r.control, r.rule ORDER BY r.control, r.rule
            """, [end, end] + rules.1)
        let worth = rows.rows.compactMap { row -> RuleWorth? in
            guard let control = row[0].textValue, let rule = row[1].textValue, let deploys = row[2].integerValue else {
                return nil
            }
            let (held, heldFailed, named) = (
                Int(row[3].integerValue ?? 0), Int(row[4].integerValue ?? 0), Int(row[5].integerValue ?? 0)
            )
            let heldRate = Rate(heldFailed, of: held)
            let approved = control == "approvals" ? Rate(named, of: Int(deploys)) : nil
            return RuleWorth(
                control: control, rule: rule, deploys: Int(deploys), held: heldRate,
                heldVerdict: heldRate?.compared(with: base.failed, "failed") ?? "held nothing that went out",
                approvedIncidents: approved,
                approvedVerdict: approved?.compared(with: base.automatedIncidents, "named by an incident"))
        }
        return (base, worth)
    }
}
