public import CountersignLedger
internal import Foundation
internal import Logging
public import PostgresNIO

/// The audit console on PostgreSQL. PostgreSQL has no per-statement authorizer, so the boundary is a role: audit
/// queries run on a client of their own that logs in as a SELECT-only role (`countersign ledger audit-grants`
/// prints its grants), and before each query the console checks that the role really is one — not a superuser,
/// no write on the log, no server-file or program roles, no access to `api_tokens.token_hash` — and refuses to
/// run otherwise. Each query is a cursor in a READ ONLY transaction with `statement_timeout`, fetched in chunks
/// up to the row and byte caps, and always rolled back, so any session setting it changes is undone.
public final class PostgresAuditConsole: Sendable {
    private let client: PostgresClient
    private let limits: AuditLimits
    private let gate: ConcurrencyLimit
    private static let logger = Logger(label: "countersign.postgres.audit")

    /// A console over a running client that logs in as the audit role.
    public init(client: PostgresClient, limits: AuditLimits = .standard) {
        self.client = client
        self.limits = limits
        gate = ConcurrencyLimit(limits.concurrentQueries, of: "audit queries")
    }

    func run(_ sql: String) async throws(LedgerError) -> QueryResult {
        try gate.enter()
        defer { gate.leave() }
        let limits = self.limits
        let start = ContinuousClock.now
        do {
            return try await client.withConnection { conn in
                try await conn.query("BEGIN READ ONLY", logger: Self.logger)
                do {
                    let result = try await Self.run(sql, conn, limits, start)
                    try await conn.query("ROLLBACK", logger: Self.logger)
                    return result
                } catch {
                    _ = try? await conn.query("ROLLBACK", logger: Self.logger)
                    throw error
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.failure(error, limits)
        }
    }

    private static func run(
        _ sql: String, _ conn: PostgresConnection, _ limits: AuditLimits, _ start: ContinuousClock.Instant
    ) async throws -> QueryResult {
        try await conn.query(
            PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(limits.timeLimitMilliseconds)"), logger: logger)
        try await checkRole(conn)
        // DECLARE takes only a query (SELECT, VALUES, WITH … SELECT), and the extended protocol only one statement.
        try await conn.query(
            PostgresQuery(unsafeSQL: "DECLARE countersign_audit NO SCROLL CURSOR FOR " + sql), logger: logger)
        var columns: [String] = []
        var rows: [[SQLValue]] = []
        var bytes = 0
        while true {
            guard ContinuousClock.now - start < limits.timeLimit else {
                throw LedgerError(
                    .limitExceeded, "the query ran past its time limit of \(limits.timeLimit) and was stopped")
            }
            let chunk = try await conn.query("FETCH 100 FROM countersign_audit", logger: logger).collect()
            if chunk.isEmpty { break }
            if columns.isEmpty {
                columns = chunk[0].map(\.columnName)
                bytes = columns.reduce(0) { $0 + $1.utf8.count }
            }
            for row in chunk {
                guard rows.count < limits.maxRows else {
                    return QueryResult(
                        columns: columns, rows: rows,
                        truncation: "more than \(limits.maxRows) rows; the first \(limits.maxRows) are shown")
                }
                let values = row.map(PostgresLedger.value)
                bytes += values.reduce(0) { $0 + $1.byteCount }
                guard bytes <= limits.maxBytes else {
                    return QueryResult(
                        columns: columns, rows: rows,
                        truncation: "more than \(limits.maxBytes) bytes; the first \(rows.count) rows are shown")
                }
                rows.append(values)
            }
        }
        return QueryResult(columns: columns, rows: rows)
    }

    /// Refuses to run as a role that could do more than read what audits may read.
    private static func checkRole(_ conn: PostgresConnection) async throws {
        let sequence = try await conn.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT current_user::text,
                           r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls,
                           EXISTS (SELECT 1 FROM unnest(ARRAY['pg_read_server_files', 'pg_write_server_files',
                                   'pg_execute_server_program', 'pg_read_all_settings', 'pg_write_all_data',
                                   'pg_signal_backend']) AS p(name)
                                   WHERE pg_has_role(current_user, p.name, 'MEMBER')),
                           has_table_privilege('entries', 'INSERT, UPDATE, DELETE, TRUNCATE')
                               OR has_table_privilege('api_tokens', 'INSERT, UPDATE, DELETE, TRUNCATE'),
                           has_column_privilege('api_tokens', 'token_hash', 'SELECT')
                    FROM pg_roles r WHERE r.rolname = current_user
                    """), logger: logger)
        var rows: [(String, Bool, Bool, Bool, Bool)] = []
        for try await row in sequence.decode((String, Bool, Bool, Bool, Bool).self) { rows.append(row) }
        guard let (role, powerful, serverRoles, writes, tokenHashes) = rows.first else {
            throw LedgerError(.notPermitted, "the audit role cannot be read from pg_roles")
        }
        var problems: [String] = []
        if powerful { problems.append("is a superuser or may create roles or databases or bypass row security") }
        if serverRoles { problems.append("is a member of a role that reads or writes server files, settings or data") }
        if writes { problems.append("may write the ledger's tables") }
        if tokenHashes { problems.append("may read api_tokens.token_hash") }
        guard problems.isEmpty else {
            throw LedgerError(
                .notPermitted,
                "the audit console will not run as \(role): it \(problems.joined(separator: "; it ")) — audit queries need a SELECT-only role (countersign ledger audit-grants)"
            )
        }
    }

    private static func failure(_ error: any Error, _ limits: AuditLimits) -> LedgerError {
        let inner = (error as? PostgresTransactionError)?.closureError ?? error
        if let e = inner as? LedgerError { return e }
        let message = PostgresLedger.describe(inner)
        switch (inner as? PSQLError)?.serverInfo?[.sqlState] {
        case "57014":
            return LedgerError(
                .limitExceeded, "the query ran past its time limit of \(limits.timeLimit) and was stopped")
        case "42501": return LedgerError(.notPermitted, "query failed: \(message)")
        case "25006": return LedgerError(.readOnly, "query failed: \(message)")
        case "54000": return LedgerError(.limitExceeded, "query failed: \(message)")
        case .some: return LedgerError(.invalidInput, "query failed: \(message)")
        case nil: return LedgerError(.storage, "the audit database is unavailable: \(message)")
        }
    }
}
