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
        let period = try control.metricsPeriod(
            from: RFC3339.string(control.now().addingTimeInterval(-Double(days) * 86_400), fraction: .milliseconds),
            to: nil,
            service: service, environment: environment)
        let delivery = try await control.deliveryMetrics(period)
        let gates = try await control.gateMetrics(period)
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
        let blockChart = SVGChart.bars(
            title: "Block and hold rate per control (%)", labels: gates.controls.map(\.control),
            series: [
                .init(name: "blocked", values: gates.controls.map { $0.blockRate * 100 }, style: "series-c"),
                .init(name: "held", values: gates.controls.map { $0.holdRate * 100 }, style: "series-b"),
            ], format: { String(format: "%.0f%%", $0) })

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
        let page: [String: Any] = [
            "days": days, "environments": environments, "services": services,
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
}
