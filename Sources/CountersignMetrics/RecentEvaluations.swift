internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// A control's or a rule's last evaluations before a period's end — what "blocked nothing in its last N" reads.
///
/// Evaluations are decision rows (`decision_controls`), newest first by an index on the control (and rule), so
/// the cost is the window, not the history. The metrics' filters hold here too: the request's service and
/// environment, and the tier the decision was made under.
struct RecentEvaluations {
    let store: any LedgerStore
    let period: MetricsPeriod
    let tier: String?
    let window: Int

    /// The joins and conditions the filters need, after `dc.control = ? [AND dc.rule = ?] AND dc.decided_at < ?`.
    private func scope(_ control: String, rule: String?) -> (joins: String, conditions: String, arguments: [SQLValue]) {
        var joins = ""
        var conditions = "dc.control = ?"
        var arguments: [SQLValue] = [.text(control)]
        if let rule {
            conditions += " AND dc.rule = ?"
            arguments.append(.text(rule))
        }
        conditions += " AND dc.decided_at < ?"
        arguments.append(.text(RFC3339.string(period.to, fraction: .milliseconds)))
        let requests = period.scope("r")
        if !requests.conditions.isEmpty {
            joins += " JOIN deploy_requests r ON r.request_id = dc.request_id"
            for condition in requests.conditions { conditions += " AND " + condition }
            arguments += requests.arguments
        }
        if let tier {
            joins += " JOIN decisions d ON d.seq = dc.seq"
            conditions += " AND d.tier = ?"
            arguments.append(.text(tier))
        }
        return (joins, conditions, arguments)
    }

    /// How many evaluations the window holds (at most `window`), and how many of them denied or could not evaluate.
    /// `rule` nil: every rule of the control.
    func count(_ control: String, rule: String? = nil) async throws(LedgerError) -> (evaluations: Int, blocks: Int) {
        let (joins, conditions, arguments) = scope(control, rule: rule)
        let rows = try await store.lookup(
            """
            SELECT dc.status FROM decision_controls dc\(joins) WHERE \(conditions)
            ORDER BY dc.seq DESC LIMIT ?
            """, arguments + [.integer(Int64(window))]
        ).rows
        let blocks = rows.filter { ["denied", "error"].contains($0[0].textValue ?? "") }.count
        return (rows.count, blocks)
    }

    /// When it last denied or could not evaluate, before the period's end.
    func lastBlocked(_ control: String, rule: String? = nil) async throws(LedgerError) -> Date? {
        let (joins, conditions, arguments) = scope(control, rule: rule)
        return try await store.lookup(
            """
            SELECT MAX(dc.decided_at) FROM decision_controls dc\(joins)
            WHERE \(conditions) AND dc.status IN ('denied', 'error')
            """, arguments
        ).rows.first?.first?.textValue.flatMap(RFC3339.date)
    }
}
