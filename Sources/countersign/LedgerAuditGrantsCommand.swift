import ArgumentParser
import CountersignLedger
import CountersignPostgres

/// `countersign ledger audit-grants --database postgres://… --role NAME`: the GRANT statements that make NAME the
/// SELECT-only role the audit console logs in as, for a DBA to run (docs/security.md).
struct LedgerAuditGrantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-grants",
        abstract: "Print the grants that make a PostgreSQL role the audit console's SELECT-only role.",
        discussion: """
            The role must already exist (CREATE ROLE name LOGIN PASSWORD '…'), must not be a superuser, and gets \
            only USAGE on the ledger's schema and SELECT on the tables audits may read — every column of api_tokens \
            but token_hash. Run the statements as the ledger's owner, and again after an upgrade adds tables.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "The audit role's name (letters, digits, underscores).")
    var role: String

    func validate() throws {
        guard try store.isPostgres else {
            throw ValidationError("audit-grants is for a PostgreSQL ledger (postgres://…)")
        }
    }

    func run() async throws {
        let role = self.role
        let grants = try await store.withStore { store in
            guard let postgres = store as? PostgresLedger else { return [String]() }
            return try await postgres.auditGrants(role: role)
        }
        for g in grants { print(g + ";") }
    }
}
