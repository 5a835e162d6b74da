import ArgumentParser
import CountersignLedger
import Foundation

/// `countersign audit …`: the audit is a query.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query the ledger's projections read-only; report deploys with their authorization.",
        subcommands: [AuditQueryCommand.self, AuditDeploysCommand.self])
}

/// `countersign audit query "SELECT …" [--output table|json|csv]`.
struct AuditQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one read-only SQL statement over the projections and entries, within the audit console's limits."
    )

    enum Output: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var store: StoreOptions

    @Argument(help: "The SQL statement.")
    var sql: String

    @Option(help: "table, json or csv.")
    var output: Output = .table

    @Option(
        help:
            "PostgreSQL: the URL of the SELECT-only audit role (`ledger audit-grants`); also COUNTERSIGN_AUDIT_DATABASE."
    )
    var auditDatabase: String?

    func run() async throws {
        let sql = self.sql
        let audit = try store.settings.value(auditDatabase, "COUNTERSIGN_AUDIT_DATABASE")
        let result = try await store.withStore(audit: audit) { try await $0.audit(sql) }
        switch output {
        case .table: print(result.table, terminator: "")
        case .json: printJSON(result.json)
        case .csv: print(result.csv, terminator: "")
        }
        if let cut = result.truncation { printError("countersign: the result was cut: \(cut)") }
    }
}

/// `countersign audit deploys --environment E --from T1 --to T2`: deploy records as JSON lines.
struct AuditDeploysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploys",
        abstract: "Every deploy in a period with its decision, approvals, separation of duties, checks and proof.")

    @OptionGroup var store: StoreOptions

    @Option(help: "The environment, e.g. production.")
    var environment: String

    @OptionGroup var period: PeriodOptions

    func run() async throws {
        let ((from, to), environment) = (try period.dates, environment)
        let records = try await store.withStore {
            try await DeployRecord.report($0, environment: environment, from: from, to: to)
        }
        for r in records { printJSON(r) }
    }
}
