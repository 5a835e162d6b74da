import ArgumentParser
internal import CountersignEncoding
import CountersignLedger
import CountersignMetrics
import Foundation

/// `countersign metrics dora|gates`: delivery and gate metrics computed from the ledger.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "DORA keys and gate effectiveness for a period, from the ledger.",
        subcommands: [MetricsDORACommand.self, MetricsGatesCommand.self])
}

/// The period and filters both metrics commands take.
struct MetricsOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var period: PeriodOptions
    @Option(help: "Only this service.") var service: String?
    @Option(help: "Only this environment, e.g. production.") var environment: String?
    @Option(help: "table or json.") var output: Output = .table

    enum Output: String, ExpressibleByArgument, CaseIterable { case table, json }

    var metricsPeriod: MetricsPeriod {
        get throws {
            let (from, to) = try period.dates
            do { return try MetricsPeriod(from: from, to: to, service: service, environment: environment) } catch {
                throw ValidationError(error.message)
            }
        }
    }

    func emit(_ value: some Encodable, table: () -> String) throws {
        switch output {
        case .table: print(table(), terminator: "")
        case .json:
            print(try JSONValueEncoder(nonFiniteNumbers: .strings).encode(value).prettyString)
        }
    }
}

/// `countersign metrics dora --from T1 --to T2 [--service S] [--environment E]`.
struct MetricsDORACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dora",
        abstract: "Deployment frequency, lead time for changes, change failure rate, failed-deployment recovery time.")

    @OptionGroup var options: MetricsOptions

    func run() async throws {
        let period = try options.metricsPeriod
        let m = try await options.store.withStore { try await DeliveryMetrics.compute($0, period) }
        try options.emit(m) {
            let header = ["service", "environment", "deploys", "frequency", "lead time", "failure rate", "recovery"]
            let rows = ([m.overall] + m.groups).map { r in
                [
                    r.service ?? "(all)", r.environment ?? "(all)", String(r.deployments),
                    r.frequency, "\(DurationSummary.describe(r.leadTime.median)) (\(r.leadTimeBucket ?? "—"))",
                    r.changeFailureRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
                    "\(DurationSummary.describe(r.recovery.median)) (\(r.recoveryBucket ?? "—"))",
                ]
            }
            return QueryResult(columns: header, rows: rows.map { $0.map(SQLValue.text) }).table
        }
    }
}

/// `countersign metrics gates --from T1 --to T2 [--tier T] [--idle-window N]`.
struct MetricsGatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gates",
        abstract:
            "Approval wait, block rate per control and per rule, idle rules, and incidents by how deploys were authorized."
    )

    @OptionGroup var options: MetricsOptions
    @Option(help: "Only requests last decided under this tier.") var tier: String?
    @Option(help: "Flag controls and rules that blocked nothing in their last N evaluations.") var idleWindow = 100

    func validate() throws {
        guard idleWindow > 0 else { throw ValidationError("--idle-window must be positive") }
    }

    func run() async throws {
        let period = try options.metricsPeriod
        let (window, tier) = (idleWindow, tier.flatMap { $0.isEmpty ? nil : $0 })
        // Whoever reads the ledger's file reads every review in it: approvers are named here.
        let m = try await options.store.withStore {
            try await GateMetrics.compute($0, period, tier: tier, idleWindow: window, names: true)
        }
        try options.emit(m) {
            var out = "requests: \(m.requests)\n"
            out +=
                "approval wait (ready → allowed): n=\(m.approvalWait.count) median "
                + "\(DurationSummary.describe(m.approvalWait.median)) p90 \(DurationSummary.describe(m.approvalWait.p90))\n\n"
            out +=
                QueryResult(
                    columns: ["control", "requests", "blocked", "block rate", "held", "hold rate"],
                    rows: m.controls.map { c in
                        [
                            c.control, String(c.requests), String(c.blocked),
                            String(format: "%.1f %%", c.blockRate * 100),
                            String(c.held), String(format: "%.1f %%", c.holdRate * 100),
                        ].map(SQLValue.text)
                    }
                ).table
            for idle in m.idleControls {
                out += "idle: \(idle.control) blocked nothing in its last \(idle.decisions) evaluations\n"
            }
            out += "\n"
            // A `require` rule is its condition's source: shortened here, whole in `--output json`.
            func short(_ rule: String) -> String { rule.count <= 40 ? rule : rule.prefix(39) + "…" }
            out +=
                QueryResult(
                    columns: [
                        "control", "rule", "requests", "blocked", "block rate", "held", "hold rate", "last blocks",
                    ],
                    rows: m.rules.map { r in
                        [
                            r.control, short(r.rule), String(r.requests), String(r.blocked),
                            String(format: "%.1f %%", r.blockRate * 100), String(r.held),
                            String(format: "%.1f %%", r.holdRate * 100),
                            "\(r.recentBlocks) of \(r.recentEvaluations)\(r.idle ? " (idle)" : "")",
                        ].map(SQLValue.text)
                    }
                ).table
            for r in m.rules where r.idle {
                out +=
                    "idle: \(r.control) \(short(r.rule)) blocked nothing in its last "
                    + "\(r.recentEvaluations) evaluations\n"
            }
            out += "\n"
            func percent(_ r: Double?) -> String { r.map { String(format: "%.0f %%", $0 * 100) } ?? "—" }
            func rate(_ r: RuleWorth.Rate?) -> String { r?.summary ?? "—" }
            out +=
                "base rates: failed \(rate(m.baseRates.failed)); automated deploys named by an incident "
                + "\(rate(m.baseRates.automatedIncidents))\n"
            out +=
                QueryResult(
                    columns: ["control", "rule", "deploys", "held, then failed", "compared with the base rate"],
                    rows: m.worth.map { w in
                        [w.control, short(w.rule), String(w.deploys), rate(w.held), w.heldVerdict].map(SQLValue.text)
                    }
                ).table
            out += "\n"
            func signals(_ name: String, _ s: ApprovalSignals.Signals) -> [SQLValue] {
                [
                    name, String(s.approvals), String(s.rejections), percent(s.commentRate),
                    DurationSummary.describe(s.readyToApproval.median), percent(s.withinAMinuteRate),
                    String(s.beforeReady), percent(s.burstRate),
                    s.flags.isEmpty ? "—" : s.flags.joined(separator: "; "),
                ].map(SQLValue.text)
            }
            let columns = [
                "approved", "rejected", "commented", "ready → approval", "within a minute", "before ready",
                "in bursts", "signs",
            ]
            out +=
                QueryResult(
                    columns: ["approval rule"] + columns,
                    rows: m.approvalSignals.rules.map { signals($0.rule, $0.signals) }
                ).table
            if let approvers = m.approvalSignals.approvers {
                out +=
                    QueryResult(
                        columns: ["approver"] + columns,
                        rows: approvers.map { signals($0.approver, $0.signals) }
                    ).table
            }
            out += "\n"
            out +=
                QueryResult(
                    columns: ["authorization", "tier", "deploys", "caused incidents", "rate"],
                    rows: m.correlation.map { c in
                        [
                            c.authorization, c.tier ?? "—", String(c.deploys), String(c.causedIncidents),
                            c.incidentRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
                        ].map(SQLValue.text)
                    }
                ).table
            return out
        }
    }
}
