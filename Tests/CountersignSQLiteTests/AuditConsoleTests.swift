import CountersignLedger
import CountersignTesting
import Foundation
import Testing

@testable import CountersignSQLite

/// The SQLite audit console as an auditor turned attacker uses it (the conformance suite covers what both stores
/// share). Each of these was possible through the console before it had connections and an authorizer of its own.
@Suite struct AuditConsoleTests {
    static func refusal(_ store: SQLiteLedger, _ sql: String) async -> LedgerError? {
        do {
            _ = try await store.audit(sql)
            return nil
        } catch { return error }
    }

    @Test(arguments: [
        ("ATTACH DATABASE '/etc/passwd' AS p", "ATTACH"),
        ("SELECT fts3_tokenizer('simple')", "fts3_tokenizer"),
        ("SELECT load_extension('/tmp/x.so')", "load_extension"),
        ("SELECT hex(randomblob(8))", "randomblob"),
        ("PRAGMA journal_mode = DELETE", "PRAGMA"),
        ("PRAGMA table_info(entries)", "PRAGMA"),
        ("SELECT * FROM pragma_table_info('entries')", "table-valued functions"),
        ("SELECT value FROM json_each('[1]')", "table-valued functions"),
        ("SELECT * FROM grdb_migrations", "grdb_migrations"),
        ("CREATE TEMP VIEW entries AS SELECT 1", "temporary objects"),
        ("CREATE TEMP TRIGGER t AFTER INSERT ON checks BEGIN SELECT 1; END", "temporary objects"),
        ("BEGIN", "transactions"),
        ("SAVEPOINT s", "transactions"),
        ("SELECT token_hash FROM api_tokens", "api_tokens.token_hash"),
        ("select TOKEN_HASH from API_TOKENS", "token_hash"),
        (#"SELECT "token_hash" FROM "api_tokens""#, "token_hash"),
        ("SELECT t.* FROM api_tokens t", "token_hash"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
        ("SELECT sqlite_compileoption_get(0)", "sqlite_compileoption_get"),
    ])
    func refused(_ sql: String, _ named: String) async throws {
        let tmp = try TemporaryLedger()
        let store = try tmp.open()
        try await store.append(LedgerFixtures.deployStory())
        let error = try #require(await Self.refusal(store, sql), "\(sql) must be refused")
        #expect(error.code == .notPermitted, "\(sql): \(error.code) \(error.message)")
        #expect(error.message.contains(named), "\(sql): \(error.message)")
    }

    @Test func plainReadsStillWork() async throws {
        let tmp = try TemporaryLedger()
        let store = try tmp.open()
        try await store.append(LedgerFixtures.deployStory())
        for sql in [
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            "SELECT token_id, identity, role FROM api_tokens",
            "SELECT r.service, count(*) FROM deploys d JOIN deploy_requests r USING (request_id) GROUP BY 1",
            "SELECT json_extract(canonical, '$.type') AS t, canonical ->> '$.actor' FROM entries LIMIT 3",
            "SELECT strftime('%Y', at), row_number() OVER (ORDER BY seq) FROM entries",
            "SELECT 1; ", "SELECT 1; -- a trailing comment",
        ] {
            let r = try await store.audit(sql)
            #expect(!r.columns.isEmpty && r.truncation == nil, "\(sql)")
        }
    }

    @Test func valuesAndResultsAreBounded() async throws {
        let tmp = try TemporaryLedger()
        let store = try tmp.open()
        let big = await Self.refusal(store, "SELECT zeroblob(40000000)")
        #expect(
            big?.code == .limitExceeded && big?.message.contains("at most 1048576 bytes") == true,
            "\(String(describing: big))")
        #expect(await Self.refusal(store, "SELECT length(randomblob(1))")?.code == .notPermitted)
        // printf past the value limit yields nothing rather than an error: bounded either way.
        let printed = try await store.audit("SELECT length(printf('%.*c', 40000000, 'x'))")
        #expect(printed.rows == [[.null]] || printed.rows == [[.integer(0)]], "\(printed.rows)")
        // 100 values of 500 KB are 50 MB: cut at the 16 MiB byte cap, with the reason.
        let wide = try await store.audit(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) SELECT printf('%.*c', 500000, 'x') FROM n"
        )
        #expect(
            wide.rows.count == 33 && wide.truncation?.contains("bytes") == true,
            "\(wide.rows.count) \(String(describing: wide.truncation))")
        let tall = try await store.audit(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT i FROM n")
        #expect(tall.rows.count == 10_000 && tall.truncation?.contains("rows") == true)
    }

    /// Eight endless recursive queries at once: two run until their time limit, six are refused at once, and the
    /// store's own reads and appends answer while the two still run (an ordering, not a stopwatch: the suite
    /// shares two cores with every other test).
    @Test func slowAuditsDoNotStallTheStore() async throws {
        let tmp = try TemporaryLedger()
        let store = try SQLiteLedger(path: tmp.path, audit: AuditLimits(timeLimit: .seconds(20)))
        try await store.append(LedgerFixtures.deployStory())
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        let finished = Finished()
        async let outcomes = withTaskGroup(of: LedgerError.Code?.self) { group in
            for _ in 0..<8 { group.addTask { await Self.refusal(store, endless)?.code } }
            let codes = await group.reduce(into: [LedgerError.Code?]()) { $0.append($1) }
            finished.set()
            return codes
        }
        try await Task.sleep(for: .milliseconds(300))
        let size = try await store.size()
        _ = try await store.lookup("SELECT COUNT(*) FROM deploys", [])
        try await store.append([LedgerFixtures.filler(1)])
        _ = try await store.entries(from: 0, count: size)
        #expect(!finished.isSet, "the store answered while the audits still ran")
        let codes = await outcomes
        #expect(codes.filter { $0 == .limitExceeded }.count == 2, "\(codes)")
        #expect(codes.filter { $0 == .busy }.count == 6, "\(codes)")
    }

    final class Finished: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}
