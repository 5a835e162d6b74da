internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import CountersignMetrics
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// DORA keys and gate effectiveness for a period, with server-drawn charts and the numbers in tables.
    func metrics(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    )
        async throws -> Response
    {
        let q = Self.query(request)
        let days = q["days"].flatMap { Int($0) }.map { min(max($0, 7), 730) } ?? 90
        let environment = q["environment"] ?? "production"
        let service = q["service"] ?? ""
        let tierNames = control.policy.bundle.tiers.map(\.name).sorted()
        let tier = q["tier"].flatMap { tierNames.contains($0) ? $0 : nil }
        let sort = q["sort"].flatMap(RuleOrder.init(rawValue:)) ?? .rule
        let period = try control.metricsPeriod(
            from: RFC3339.string(control.now().addingTimeInterval(-Double(days) * 86_400), fraction: .milliseconds),
            to: nil,
            service: service, environment: environment)
        // Read side by side: the page costs the slower of the two.
        async let deliveryMetrics = control.deliveryMetrics(period)
        async let gateMetrics = control.gateMetrics(period, tier: tier, viewer: session.principal.role)
        let (delivery, gates) = try await (deliveryMetrics, gateMetrics)
        let hours = { (s: Double) in s / 3_600 }

        let weeks = delivery.weeks.map {
            String(RFC3339.string($0.start, fraction: .milliseconds).dropFirst(5).prefix(5))
        }
        let deployChart = SVGChart.bars(
            title: "Deploys per week", labels: weeks,
            series: [
                .init(name: "succeeded", values: delivery.weeks.map { Double($0.deployments) }, style: "series-a"),
                .init(name: "failed", values: delivery.weeks.map { Double($0.failed) }, style: "series-c"),
            ])
        let leadChart = SVGChart.line(
            title: "Median lead time per week (hours)", labels: weeks,
            values: delivery.weeks.map { $0.medianLeadTime.map(hours) }, format: { String(format: "%.0f h", $0) })
        let waitChart = SVGChart.bars(
            title: "Approval wait (ready → allowed)", labels: gates.approvalWait.bands.map(\.label),
            series: [
                .init(name: "requests", values: gates.approvalWait.bands.map { Double($0.count) }, style: "series-b")
            ])
        let blockChart = SVGChart.hbars(
            title: "Block and hold rate per control (%)", labels: gates.controls.map(\.control),
            series: [
                .init(name: "blocked", values: gates.controls.map { $0.blockRate * 100 }, style: "series-c"),
                .init(name: "held", values: gates.controls.map { $0.holdRate * 100 }, style: "series-b"),
            ], ceiling: 100, format: { String(format: "%.0f%%", $0) })

        func row(_ r: DeliveryMetrics.Row) -> [String: Any] {
            [
                "service": r.service ?? "all services", "environment": r.environment ?? "all environments",
                "deployments": r.deployments, "perDay": String(format: "%.2f", r.deploymentsPerDay),
                "frequency": r.frequency, "lead": DurationSummary.describe(r.leadTime.median),
                "leadBucket": r.leadTimeBucket ?? "—", "withoutCommitTime": r.withoutCommitTime,
                "failureRate": WebFormat.percent(r.changeFailureRate), "failureBucket": r.changeFailureBucket ?? "—",
                "failed": r.failed, "finished": r.finished, "recovery": DurationSummary.describe(r.recovery.median),
                "recoveryBucket": r.recoveryBucket ?? "—",
            ]
        }
        let environments = control.policy.bundle.environments.keys.sorted().map { name in
            ["name": name, "selected": name == environment]
        }
        let services = try await control.read({ r throws(LedgerError) in try await r.services(limit: 200) })
            .map { ["name": $0, "selected": $0 == service] }
        let filters = [
            ("days", String(days)), ("environment", environment), ("service", service), ("tier", tier ?? ""),
        ]
        let page: [String: Any] = [
            "days": days, "environments": environments, "services": services, "allEnvironments": environment.isEmpty,
            "tiers": tierNames.map { ["name": $0, "selected": $0 == tier] },
            "ruleColumns": RuleOrder.allCases.map { column -> [String: Any] in
                var query = filters.filter { !$0.1.isEmpty }.map { "\($0.0)=\(Self.encode($0.1, keeping: ""))" }
                query.append("sort=\(column.rawValue)")
                return [
                    "label": column.label, "href": "/ui/metrics?" + query.joined(separator: "&") + "#rules",
                    "sorted": column == sort,
                ]
            },
            "rules": sort.sorted(gates.rules).map { r -> [String: Any] in
                let worth = gates.worth.first { $0.control == r.control && $0.rule == r.rule }
                return [
                    "control": r.control, "rule": r.rule.count > 48 ? String(r.rule.prefix(47)) + "…" : r.rule,
                    "full": r.rule, "requests": r.requests, "blockRate": WebFormat.percent(r.blockRate),
                    "holdRate": WebFormat.percent(r.holdRate), "recentBlocks": r.recentBlocks,
                    "recentEvaluations": r.recentEvaluations, "idle": r.idle,
                    "spark": SVGChart.spark(
                        title: "\(r.control) \(r.rule), block rate per week",
                        values: r.weeks.map { $0.requests == 0 ? nil : Double($0.blocked) / Double($0.requests) }),
                    "held": worth?.held.map(\.summary) ?? "—", "verdict": worth?.heldVerdict ?? "—",
                ]
            },
            "baseFailed": gates.baseRates.failed.map(\.summary) ?? "—",
            "baseIncidents": gates.baseRates.automatedIncidents.map(\.summary) ?? "—",
            "signalRules": gates.approvalSignals.rules.map { Self.signals($0.rule, $0.signals) },
            "signalApprovers": gates.approvalSignals.approvers.map { $0.map { Self.signals($0.approver, $0.signals) } }
                ?? [],
            "namesHidden": gates.approvalSignals.approvers == nil,
            "flaggedApprovers": gates.approvalSignals.flaggedApprovers,
            "approverCount": gates.approvalSignals.approverCount,
            "periods": [30, 90, 180, 365].map { ["days": $0, "selected": $0 == days] },
            "overall": row(delivery.overall), "groups": delivery.groups.map(row),
            "deployChart": deployChart, "leadChart": leadChart, "waitChart": waitChart, "blockChart": blockChart,
            "requests": gates.requests,
            "wait": [
                "count": gates.approvalWait.count, "median": DurationSummary.describe(gates.approvalWait.median),
                "p90": DurationSummary.describe(gates.approvalWait.p90),
                "max": DurationSummary.describe(gates.approvalWait.max),
            ],
            "waitBands": gates.approvalWait.bands.map { ["label": $0.label, "count": $0.count] },
            "waitByTier": gates.approvalWaitByTier.map { w -> [String: Any] in
                [
                    "tier": w.tier ?? "—", "count": w.wait.count, "median": DurationSummary.describe(w.wait.median),
                    "p90": DurationSummary.describe(w.wait.p90), "notAllowed": w.notAllowed,
                ]
            },
            "controls": gates.controls.map { c -> [String: Any] in
                [
                    "control": c.control, "requests": c.requests, "blocked": c.blocked, "held": c.held,
                    "blockRate": WebFormat.percent(c.blockRate), "holdRate": WebFormat.percent(c.holdRate),
                ]
            },
            "idle": gates.idleControls.map { i -> [String: Any] in
                ["control": i.control, "decisions": i.decisions, "lastBlocked": WebFormat.time(i.lastBlocked)]
            },
            "idleWindow": gates.idleWindow,
            "correlation": gates.correlation.map { c -> [String: Any] in
                [
                    "authorization": c.authorization, "tier": c.tier ?? "—", "deploys": c.deploys,
                    "incidents": c.causedIncidents, "rate": WebFormat.percent(c.incidentRate),
                ]
            },
        ]
        return renderer.page(
            "metrics", title: "Metrics", section: "metrics", session: session, context: page, started: started)
    }

    static func signals(_ name: String, _ s: ApprovalSignals.Signals) -> [String: Any] {
        [
            "name": name, "approvals": s.approvals, "rejections": s.rejections,
            "commented": WebFormat.percent(s.commentRate), "median": DurationSummary.describe(s.readyToApproval.median),
            "quick": WebFormat.percent(s.withinAMinuteRate), "beforeReady": s.beforeReady,
            "bursts": WebFormat.percent(s.burstRate), "flags": s.flags, "flagged": !s.flags.isEmpty,
        ]
    }

    /// How the rules table is sorted: by rule (its control, then its name), or by a figure, largest first.
    enum RuleOrder: String, CaseIterable {
        case rule, requests, block, hold, recent

        var label: String {
            switch self {
            case .rule: "Rule"
            case .requests: "Requests"
            case .block: "Block rate"
            case .hold: "Hold rate"
            case .recent: "Last blocks"
            }
        }

        func sorted(_ rules: [GateMetrics.RuleRate]) -> [GateMetrics.RuleRate] {
            let byName = rules.sorted { ($0.control, $0.rule) < ($1.control, $1.rule) }
            func key(_ r: GateMetrics.RuleRate) -> Double {
                switch self {
                case .rule: 0
                case .requests: Double(r.requests)
                case .block: r.blockRate
                case .hold: r.holdRate
                // Idle rules first: blocked least in their window, then the most evaluated.
                case .recent: -Double(r.recentBlocks) + Double(r.recentEvaluations) / 1e6
                }
            }
            // Stable: ties keep the rule order.
            return byName.enumerated().sorted { (key($1.element), $0.offset) < (key($0.element), $1.offset) }
                .map(\.element)
        }
    }
}
