import CountersignLedger
import CountersignSQLite
import CountersignTesting
import Foundation
import PostgresNIO
import Testing

@testable import CountersignPostgres

/// The PostgreSQL store against a real server (scripts/test.sh starts one); each test gets its own schema.
@Suite struct PostgresLedgerTests {
    @Test(arguments: LedgerStoreConformance.all.map(\.name))
    func conformance(_ name: String) async throws {
        let check = try #require(LedgerStoreConformance.all.first { $0.name == name })
        try await Self.withAuditedLedger { try await check.run($0) }
    }

    /// A fresh ledger whose audit console logs in as a role of its own, granted what `audit-grants` prints.
    static func withAuditedLedger(
        limits: AuditLimits = .standard, _ body: @escaping @Sendable (PostgresLedger) async throws -> Void
    ) async throws {
        let url = try TestPostgres.freshLedgerURL()
        let schema = try #require(url.split(separator: "schema=").last.map(String.init))
        let role = "a_" + schema.dropFirst(2)
        let audit = url.replacingOccurrences(of: "://postgres@", with: "://\(role)@")
        try await PostgresLedger.withLedger(url: url, auditURL: audit, auditLimits: limits) { ledger in
            let grants = try await ledger.auditGrants(role: role)
            try await ledger.withRawConnection { conn in
                for sql in ["CREATE ROLE \(role) LOGIN"] + grants {
                    try await conn.query(PostgresQuery(unsafeSQL: sql), logger: .init(label: "t"))
                }
            }
            try await body(ledger)
        }
    }

    /// What only a role boundary can stop on PostgreSQL: a superuser console is refused outright; the audit role
    /// cannot read server files, sleep past the limit, or see the token hashes; and no console at all refuses.
    @Test func theAuditConsoleRunsOnlyAsASelectOnlyRole() async throws {
        let url = try TestPostgres.freshLedgerURL()
        try await PostgresLedger.withLedger(url: url, auditURL: url) { ledger in
            await #expect(throws: LedgerError(.notPermitted, "")) { _ = try await ledger.audit("SELECT 1") }
            do throws(LedgerError) {
                _ = try await ledger.audit("SELECT 1")
            } catch {
                #expect(error.message.contains("will not run as postgres: it is a superuser"), "\(error.message)")
            }
        }
        try await PostgresLedger.withLedger(url: url) { ledger in
            await #expect(throws: LedgerError(.notPermitted, "")) { _ = try await ledger.audit("SELECT 1") }
        }
        try await Self.withAuditedLedger(limits: AuditLimits(timeLimit: .seconds(1))) { ledger in
            try await ledger.append(LedgerFixtures.deployStory())
            for sql in [
                "SELECT pg_read_file('/etc/passwd')", "SELECT * FROM pg_ls_dir('.')",
                "SELECT token_hash FROM api_tokens",
                "SELECT * FROM countersign_migrations",
            ] {
                await #expect(throws: LedgerError(.notPermitted, ""), "\(sql)") { _ = try await ledger.audit(sql) }
            }
            let started = ContinuousClock.now
            await #expect(throws: LedgerError(.limitExceeded, "")) { _ = try await ledger.audit("SELECT pg_sleep(30)") }
            #expect(ContinuousClock.now - started < .seconds(5))
            let rows = try await ledger.audit("SELECT request_id FROM deploy_requests ORDER BY request_id")
            #expect(rows.rows.count == 2 && rows.truncation == nil)
        }
    }

    @Test func theDatabaseRefusesUpdatesDeletesAndTruncation() async throws {
        try await PostgresLedger.withLedger(url: try TestPostgres.freshLedgerURL()) { ledger in
            try await ledger.append((0..<16).map(LedgerFixtures.filler))
            _ = try await ledger.checkpoint(signer: try NoteSigner(name: "t.example/log"), origin: "t.example/log")
            for sql in [
                "UPDATE entries SET actor = 'mallory'", "DELETE FROM entries WHERE seq = 1", "TRUNCATE entries",
                "UPDATE nodes SET hash = hash", "DELETE FROM checkpoints", "TRUNCATE nodes",
            ] {
                await #expect(throws: PSQLError.self, "\(sql)") {
                    try await ledger.withRawConnection {
                        try await $0.query(PostgresQuery(unsafeSQL: sql), logger: .init(label: "t"))
                    }
                }
            }
            #expect(try await ledger.verify(verifier: nil) { _, _ in }.isValid)
        }
    }

    /// Several nodes (separate clients and pools) append to one database at once.
    @Test func severalNodesAppendWithoutGapsOrForks() async throws {
        let url = try TestPostgres.freshLedgerURL()
        try await PostgresLedger.withLedger(url: url) { _ in }
        try await withThrowingTaskGroup(of: Void.self) { nodes in
            for node in 0..<3 {
                nodes.addTask {
                    try await PostgresLedger.withLedger(url: url) { ledger in
                        try await withThrowingTaskGroup(of: Void.self) { writers in
                            for w in 0..<3 {
                                writers.addTask {
                                    for b in 0..<6 {
                                        try await ledger.append(
                                            (0..<4).map {
                                                LedgerFixtures.filler(node * 10_000 + w * 1_000 + b * 10 + $0)
                                            })
                                    }
                                }
                            }
                            try await writers.waitForAll()
                        }
                    }
                }
            }
            try await nodes.waitForAll()
        }
        try await PostgresLedger.withLedger(url: url) { ledger in
            #expect(try await ledger.size() == 216)
            let report = try await ledger.verify(verifier: nil) { _, _ in }
            #expect(report.isValid, "\(String(describing: report.problem))")
        }
    }

    @Test func verifyNamesATamperedEntry() async throws {
        try await PostgresLedger.withLedger(url: try TestPostgres.freshLedgerURL()) { ledger in
            try await ledger.append((0..<20).map(LedgerFixtures.filler))
            try await ledger.withRawConnection { conn in
                let log = Logger(label: "t")
                try await conn.query("ALTER TABLE entries DISABLE TRIGGER entries_append_only", logger: log)
                try await conn.query(
                    "UPDATE entries SET canonical = replace(canonical, '\"n\":7', '\"n\":8') WHERE seq = 7", logger: log
                )
            }
            let report = try await ledger.verify(verifier: nil) { _, _ in }
            #expect(report.problem?.seq == 7, "\(String(describing: report.problem))")
        }
    }

    @Test(arguments: [
        ("actor = 'alice'", "actor"), ("type = 'incident.closed'", "type"), ("at = '2020-01-01T00:00:00.000Z'", "time"),
    ])
    func verifyNamesARewrittenIndexColumn(update: String, column: String) async throws {
        try await PostgresLedger.withLedger(url: try TestPostgres.freshLedgerURL()) { ledger in
            try await ledger.append((0..<20).map(LedgerFixtures.filler))
            try await ledger.withRawConnection { conn in
                let log = Logger(label: "t")
                try await conn.query("ALTER TABLE entries DISABLE TRIGGER entries_append_only", logger: log)
                try await conn.query(
                    PostgresQuery(unsafeSQL: "UPDATE entries SET \(update) WHERE seq = 11"), logger: log)
            }
            let report = try await ledger.verify(verifier: nil) { _, _ in }
            #expect(report.problem?.seq == 11, "\(String(describing: report.problem))")
            #expect(
                report.problem?.message == "entry 11's stored \(column) does not match the entry: the index was changed"
            )
        }
    }

    /// A PostgreSQL store's tables compared with a replay of its entries (the replay runs on SQLite: the projection
    /// SQL is the same): clean, then with an approval's state edited by someone with the database.
    @Test func anEditedProjectionRowIsNamed() async throws {
        try await PostgresLedger.withLedger(url: try TestPostgres.freshLedgerURL()) { ledger in
            try await ledger.append(LedgerFixtures.deployStory())
            #expect(try await ProjectionCheck.firstDifference(in: ledger) == nil)
            try await ledger.withRawConnection { conn in
                try await conn.query(
                    "UPDATE approvals SET state = 'granted' WHERE approver = 'frank'", logger: Logger(label: "t"))
            }
            let difference = try await ProjectionCheck.firstDifference(in: ledger)
            #expect(
                difference?.hasPrefix("approvals holds a row its entries do not imply") == true,
                "\(String(describing: difference))")
        }
    }

    @Test func badURLsAreClearErrors() async throws {
        for url in ["postgres://", "postgres://h/db?sslmode=maybe", "postgres://h/db?schema=a;drop"] {
            #expect(throws: LedgerError.self, "\(url)") { _ = try PostgresURL(url) }
        }
        let r = try CommandRunner.run([
            "ledger", "verify", "--database", "postgres://nobody@127.0.0.1:1/none?sslmode=disable",
        ])
        #expect(r.status == 1)
        #expect(
            r.stderr.hasSuffix("the ledger is unavailable: cannot reach the PostgreSQL server within 60.0 seconds\n"))
    }
}
