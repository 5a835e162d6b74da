internal import CountersignEncoding
public import CountersignLedger
public import Foundation

/// How the gates themselves perform, from the ledger: how long people wait for approvals, how often each control —
/// and each rule of it: every named check, approval rule, freeze, artifact policy, `require` condition and canary
/// template — holds or blocks a request, which have blocked nothing lately, and whether deploys that humans approved
/// cause fewer incidents than deploys automated controls passed alone (DORA found formal approval buys no
/// stability; this is the team's own evidence either way).
public struct GateMetrics: Sendable, Encodable {
    /// The wait from *ready* (every control satisfied but approvals) to the decision that allowed the request.
    public struct ApprovalWait: Sendable, Encodable {
        public var tier: String?
        public var wait: DurationSummary
        /// Requests that became ready and have not been allowed (still waiting, rejected or withdrawn).
        public var notAllowed: Int
    }

    /// One control's record over the period's requests.
    public struct ControlRate: Sendable, Encodable {
        public var control: String
        /// Requests whose decisions evaluated the control.
        public var requests: Int
        /// Requests it denied (or could not evaluate, which denies in protected environments) at least once.
        public var blocked: Int
        /// Requests it held pending (waiting for approvals, checks, a canary) at least once.
        public var held: Int
        public var blockRate: Double
        public var holdRate: Double
    }

    /// A control that denied nothing in its last `decisions` evaluations: a candidate for removal or a gate that
    /// no longer tests anything.
    public struct IdleControl: Sendable, Encodable {
        public var control: String
        public var decisions: Int
        public var lastBlocked: Date?
    }

    /// One rule's record over the period's requests (``ControlResult/rule``): a check by its name, an approval rule
    /// as `team@tier`, a freeze, an artifact policy, a canary template by theirs, a `require` condition by its
    /// source, a peer-review rule by its tier. A control that is one rule of its environment (`deployer`,
    /// `source-ref`) and decisions recorded before the gate named its rules are measured by kind only
    /// (``controls``).
    public struct RuleRate: Sendable, Encodable {
        public var control: String
        public var rule: String
        /// Requests whose decisions evaluated the rule.
        public var requests: Int
        /// Requests it denied (or could not evaluate) at least once.
        public var blocked: Int
        /// Requests it held pending at least once.
        public var held: Int
        public var blockRate: Double
        public var holdRate: Double
        /// Its last evaluations (decisions) up to the period's end, at most the idle window, and how many of them
        /// denied or could not evaluate.
        public var recentEvaluations: Int
        public var recentBlocks: Int
        /// It blocked nothing in its last `idleWindow` evaluations, and has had that many: a rule that never says
        /// no costs every deploy its wait and tests nothing.
        public var idle: Bool
        /// Its last block before the period's end, if any.
        public var lastBlocked: Date?
        /// Week by week from the period's start (the last week may be shorter): for a sparkline of the rule's
        /// block and hold rate.
        public var weeks: [RuleWeek]
    }

    /// A rule's requests in one week of the period, by request time.
    public struct RuleWeek: Sendable, Encodable {
        public var start: Date
        public var requests: Int
        public var blocked: Int
        public var held: Int
    }

    /// Deploys by how they were authorized, and the incidents they caused.
    public struct Correlation: Sendable, Encodable {
        /// `human-approved` (granted approvals when the deploy started) or `automated` (none: the policy's
        /// automated controls passed it).
        public var authorization: String
        public var tier: String?
        public var deploys: Int
        public var causedIncidents: Int
        public var incidentRate: Double?
    }

    public var from: Date
    public var to: Date
    /// The tier filter: only requests last decided under this tier.
    public var tier: String?
    public var requests: Int
    public var approvalWait: DurationSummary
    public var approvalWaitByTier: [ApprovalWait]
    public var controls: [ControlRate]
    public var idleControls: [IdleControl]
    /// Each rule, by control and rule.
    public var rules: [RuleRate]
    /// What each rule's holds were worth, against the period's base rates.
    public var worth: [RuleWorth]
    public var baseRates: RuleWorth.Base
    /// Rubber-stamp signals per approval rule (and per approver, for viewers who may see people).
    public var approvalSignals: ApprovalSignals
    /// The window `idleControls` looks back over.
    public var idleWindow: Int
    public var correlation: [Correlation]

    /// Computes every gate metric for `period` (and `tier`, when given: requests last decided under it); a control
    /// or rule is idle when it blocked nothing in its last `idleWindow` evaluations up to the period's end (and has
    /// had at least that many). Reviews are attributed to `approvalRules`, by default those of the policy last
    /// published in the ledger; approvers are named only when `names` (a viewer who may audit people).
    public static func compute(
        _ store: any LedgerStore, _ period: MetricsPeriod, tier: String? = nil, idleWindow: Int = 100,
        approvalRules: [ApprovalSignals.RuleTeam]? = nil, names: Bool = false
    ) async throws(LedgerError) -> GateMetrics {
        let (filter, arguments) = Self.filter(period, alias: "r", tier: tier)
        let recent = RecentEvaluations(store: store, period: period, tier: tier, window: idleWindow)
        // The sections read apart from each other, at once: the store's readers serve them side by side, so the
        // page costs the slowest section, not their sum.
        async let waits = capture { () async throws(LedgerError) in try await Self.waits(store, filter, arguments) }
        async let kinds = capture { () async throws(LedgerError) in
            try await Self.kinds(store, filter, arguments, recent)
        }
        async let rules = capture { () async throws(LedgerError) in
            try await Self.rules(store, period, filter, arguments, recent)
        }
        async let worth = capture { () async throws(LedgerError) in
            try await RuleWorth.compute(
                store, requests: (filter, arguments), rules: (filter, arguments), before: period.to)
        }
        async let signals = capture { () async throws(LedgerError) in
            var ruleTeams = approvalRules ?? []
            if approvalRules == nil, let policy = try await PolicyRecorded.published(in: store) {
                ruleTeams = ApprovalSignals.RuleTeam.all(in: policy)
            }
            return try await ApprovalSignals.compute(store, filter: filter, arguments, rules: ruleTeams, names: names)
        }
        async let correlation = capture { () async throws(LedgerError) in
            try await Self.correlation(store, period, tier)
        }
        let (requests, wait, byTier) = try await waits.get()
        let (controls, idle) = try await kinds.get()
        let (base, rated) = try await worth.get()
        return GateMetrics(
            from: period.from, to: period.to, tier: tier, requests: requests, approvalWait: wait,
            approvalWaitByTier: byTier, controls: controls, idleControls: idle, rules: try await rules.get(),
            worth: rated, baseRates: base, approvalSignals: try await signals.get(), idleWindow: idleWindow,
            correlation: try await correlation.get())
    }

    /// A section's result or its error, so sections can run as `async let` and keep their error type.
    static func capture<T: Sendable>(_ body: sending () async throws(LedgerError) -> T) async -> Result<T, LedgerError>
    {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// How many requests the period holds, and approval wait: ready → first allowed, overall and per tier.
    static func waits(_ store: any LedgerStore, _ filter: String, _ arguments: [SQLValue]) async throws(LedgerError)
        -> (Int, DurationSummary, [ApprovalWait])
    {
        let requests =
            try await store.lookup(
                "SELECT COUNT(*) FROM deploy_requests r WHERE \(filter)", arguments
            ).rows.first?.first.flatMap(\.integerValue) ?? 0

        // Ready: the first decision in which approvals was the only control not satisfied (set by the projection).
        let waits = try await store.lookup(
            "SELECT r.tier, r.ready_at, r.allowed_at FROM deploy_requests r WHERE \(filter) AND r.ready_at IS NOT NULL",
            arguments)
        var byTier: [String: (waits: [Double], open: Int)] = [:]
        var all: [Double] = []
        for row in waits.rows {
            let tier = row[0].textValue ?? ""
            guard let ready = row[1].textValue.flatMap(RFC3339.date) else { continue }
            if let allowed = row[2].textValue.flatMap(RFC3339.date) {
                let wait = allowed.timeIntervalSince(ready)
                all.append(wait)
                byTier[tier, default: ([], 0)].waits.append(wait)
            } else {
                byTier[tier, default: ([], 0)].open += 1
            }
        }

        let byTierWaits = byTier.map { tier, value in
            ApprovalWait(tier: tier.isEmpty ? nil : tier, wait: DurationSummary(value.waits), notAllowed: value.open)
        }.sorted { ($0.tier ?? "") < ($1.tier ?? "") }
        return (Int(requests), DurationSummary(all), byTierWaits)
    }

    /// Block and hold rate per kind of control, and the kinds idle over their last evaluations.
    static func kinds(
        _ store: any LedgerStore, _ filter: String, _ arguments: [SQLValue], _ recent: RecentEvaluations
    ) async throws(LedgerError) -> ([ControlRate], [IdleControl]) {
        let rates = try await store.lookup(
            """
            SELECT r.control, COUNT(*), CAST(SUM(r.blocked) AS BIGINT), CAST(SUM(r.held) AS BIGINT)
            FROM request_controls r
            WHERE \(filter) GROUP BY r.control ORDER BY r.control
            """, arguments)
        let controls = rates.rows.compactMap { row -> ControlRate? in
            guard let name = row[0].textValue, let n = row[1].integerValue, n > 0 else { return nil }
            let (blocked, held) = (Int(row[2].integerValue ?? 0), Int(row[3].integerValue ?? 0))
            return ControlRate(
                control: name, requests: Int(n), blocked: blocked, held: held,
                blockRate: Double(blocked) / Double(n), holdRate: Double(held) / Double(n))
        }
        let idleWindow = recent.window
        var idle: [IdleControl] = []
        for control in controls.map(\.control) {
            let (evaluations, blocks) = try await recent.count(control)
            guard evaluations >= idleWindow, blocks == 0 else { continue }
            idle.append(
                IdleControl(
                    control: control, decisions: evaluations, lastBlocked: try await recent.lastBlocked(control)))
        }

        return (controls, idle)
    }

    /// Each rule's block and hold rate, week by week, and whether it blocked anything in its last evaluations.
    static func rules(
        _ store: any LedgerStore, _ period: MetricsPeriod, _ filter: String, _ arguments: [SQLValue],
        _ recent: RecentEvaluations
    ) async throws(LedgerError) -> [RuleRate] {
        let idleWindow = recent.window
        // Each rule's requests by day, folded into weeks from the period's start; its totals are the weeks' sums.
        let weekCount = max(1, Int((period.to.timeIntervalSince(period.from) / (7 * 86_400)).rounded(.up)))
        var weekly: [String: [RuleWeek]] = [:]
        let daily = try await store.lookup(
            """
            SELECT r.control, r.rule, substr(r.requested_at, 1, 10), COUNT(*), CAST(SUM(r.blocked) AS BIGINT),
                CAST(SUM(r.held) AS BIGINT)
            FROM request_rules r WHERE \(filter) AND r.rule <> '' GROUP BY r.control, r.rule, substr(r.requested_at, 1, 10)
            """, arguments)
        for row in daily.rows {
            guard let control = row[0].textValue, let rule = row[1].textValue,
                let day = row[2].textValue.flatMap({ RFC3339.date($0 + "T00:00:00Z") })
            else { continue }
            let key = control + "\u{0}" + rule
            if weekly[key] == nil {
                weekly[key] = (0..<weekCount).map {
                    RuleWeek(
                        start: period.from.addingTimeInterval(Double($0) * 7 * 86_400), requests: 0, blocked: 0, held: 0
                    )
                }
            }
            let week = min(weekCount - 1, max(0, Int(day.timeIntervalSince(period.from) / (7 * 86_400))))
            weekly[key]![week].requests += Int(row[3].integerValue ?? 0)
            weekly[key]![week].blocked += Int(row[4].integerValue ?? 0)
            weekly[key]![week].held += Int(row[5].integerValue ?? 0)
        }
        var rules: [RuleRate] = []
        for (key, weeks) in weekly.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            let (control, rule) = (parts[0], parts[1])
            let n = weeks.reduce(0) { $0 + $1.requests }
            guard n > 0 else { continue }
            let (blocked, held) = (weeks.reduce(0) { $0 + $1.blocked }, weeks.reduce(0) { $0 + $1.held })
            let (evaluations, blocks) = try await recent.count(control, rule: rule)
            rules.append(
                RuleRate(
                    control: control, rule: rule, requests: n, blocked: blocked, held: held,
                    blockRate: Double(blocked) / Double(n), holdRate: Double(held) / Double(n),
                    recentEvaluations: evaluations, recentBlocks: blocks,
                    idle: evaluations >= idleWindow && blocks == 0,
                    lastBlocked: try await recent.lastBlocked(control, rule: rule), weeks: weeks))
        }

        return rules
    }

    /// Deploys started in the period by how they were authorized and tier, with the incidents they caused.
    static func correlation(_ store: any LedgerStore, _ period: MetricsPeriod, _ tier: String?)
        async throws(LedgerError)
        -> [Correlation]
    {
        let (deployFilter, deployArguments) = Self.filter(period, alias: "d", time: "d.started_at", tier: tier)
        let deploys = try await store.lookup(
            """
            SELECT d.deploy_id, d.tier, d.human_approvals FROM deploys d WHERE \(deployFilter)
            """, deployArguments)
        let incidents = try await IncidentLinks.read(store, before: period.to)
        var classes: [String: (deploys: Int, caused: Int)] = [:]
        for row in deploys.rows {
            guard let id = row[0].textValue else { continue }
            let human = (row[2].integerValue ?? 0) > 0
            let key = "\(human ? "human-approved" : "automated")\u{0}\(row[1].textValue ?? "")"
            classes[key, default: (0, 0)].deploys += 1
            if incidents.first[id] != nil { classes[key, default: (0, 0)].caused += 1 }
        }
        let correlation = classes.map { key, value in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            return Correlation(
                authorization: parts[0], tier: parts[1].isEmpty ? nil : parts[1], deploys: value.deploys,
                causedIncidents: value.caused,
                incidentRate: value.deploys == 0 ? nil : Double(value.caused) / Double(value.deploys))
        }.sorted { ($0.authorization, $0.tier ?? "") < ($1.authorization, $1.tier ?? "") }

        return correlation
    }

    /// The period's condition on requests (by request time) or deploys (by start time).
    static func filter(_ period: MetricsPeriod, alias: String, time: String? = nil, tier: String? = nil)
        -> (String, [SQLValue])
    {
        var conditions = ["\(time ?? "\(alias).requested_at") >= ?", "\(time ?? "\(alias).requested_at") < ?"]
        var arguments: [SQLValue] = [
            .text(RFC3339.string(period.from, fraction: .milliseconds)),
            .text(RFC3339.string(period.to, fraction: .milliseconds)),
        ]
        let scope = period.scope(alias)
        conditions += scope.conditions
        arguments += scope.arguments
        if let tier {
            conditions.append("\(alias).tier = ?")
            arguments.append(.text(tier))
        }
        return (conditions.joined(separator: " AND "), arguments)
    }
}
