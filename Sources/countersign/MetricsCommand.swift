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

/// `countersign metrics gates --from T1 --to T2 [--idle-window N]`.
struct MetricsGatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gates",
        abstract: "Approval wait, block rate per control, idle controls, and incidents by how deploys were authorized.")

    @OptionGroup var options: MetricsOptions
    @Option(help: "Flag controls that blocked nothing in their last N evaluations.") var idleWindow = 100

    func validate() throws {
        guard idleWindow > 0 else { throw ValidationError("--idle-window must be positive") }
    }

    func run() async throws {
        let period = try options.metricsPeriod
        let window = idleWindow
        let m = try await options.store.withStore { try await GateMetrics.compute($0, period, idleWindow: window) }
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
