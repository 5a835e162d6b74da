internal import CountersignEncoding
public import CountersignLedger
public import Foundation
internal import Logging
internal import NIOCore
public import PostgresNIO

/// The scale-out ledger: any number of Countersign nodes sharing one PostgreSQL database. Appends take a
/// transaction-scoped advisory lock (one per schema), read the tree's right edge and write the batch, so nodes
/// never leave a gap or fork the log; within a node, concurrent appends are group-committed. Entries, nodes and
/// checkpoints are append-only in the database: triggers refuse UPDATE, DELETE and TRUNCATE.
///
/// The client must be running (`PostgresClient.run()`, a `Service`) while the ledger is used; `withLedger`
/// does that for a command-line tool or a test.
public final class PostgresLedger: LedgerStore {
    private let client: PostgresClient
    private let group: GroupCommit
    private let schema: String?
    private let console: PostgresAuditConsole?
    private static let logger = Logger(label: "countersign.postgres")

    /// A ledger over a running client whose `search_path` is `schema` (if given). Call `migrate()` before first use.
    /// Without an audit console (a client that logs in as a SELECT-only role), audit queries are refused.
    public init(client: PostgresClient, schema: String? = nil, audit: PostgresAuditConsole? = nil) {
        self.client = client
        self.schema = schema
        console = audit
        group = GroupCommit { batches in await PostgresLedger.commit(batches, client) }
    }

    /// Connects to `url`, migrates, runs `body` with the ledger and shuts the client down. Audit queries log in
    /// with `auditURL` (its schema defaults to the ledger's), limited by `auditLimits`.
    public static func withLedger<T: Sendable>(
        url: String, auditURL: String? = nil, auditLimits: AuditLimits = .standard,
        _ body: @Sendable (PostgresLedger) async throws -> T
    ) async throws -> T {
        let parsed = try PostgresURL(url)
        try await parsed.probe()
        let client = PostgresClient(configuration: parsed.configuration, backgroundLogger: logger)
        let auditClient = try auditURL.map { text throws(LedgerError) in
            let audit = try PostgresURL(text, defaultSchema: parsed.schema)
            return PostgresClient(configuration: audit.configuration, backgroundLogger: logger)
        }
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            for c in [client] + (auditClient.map { [$0] } ?? []) {
                tasks.addTask {
                    await c.run()
                    return nil
                }
            }
            defer { tasks.cancelAll() }
            let ledger = PostgresLedger(
                client: client, schema: parsed.schema,
                audit: auditClient.map { PostgresAuditConsole(client: $0, limits: auditLimits) })
            try await ledger.migrate(within: .seconds(60))
            return try await body(ledger)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? LedgerError { return e.message }
        if let e = error as? PostgresTransactionError {
            if let inner = e.closureError { return describe(inner) }
            if let inner = e.commitError { return describe(inner) }
            if let inner = e.beginError { return describe(inner) }
        }
        if let e = error as? PSQLError {
            if let m = e.serverInfo?[.message] { return m }
            return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    // MARK: Schema

    /// Ordered, released migrations, one statement each; never edited once released.
    static let migrations: [(name: String, statements: [String])] =
        [
            (
                "v1-ledger",
                [
                    """
                    CREATE TABLE entries (
                        seq BIGINT PRIMARY KEY CHECK (seq >= 0), type TEXT NOT NULL, at TEXT NOT NULL,
                        actor TEXT NOT NULL, canonical TEXT NOT NULL,
                        leaf_hash BYTEA NOT NULL CHECK (octet_length(leaf_hash) = 32))
                    """,
                    """
                    CREATE TABLE nodes (
                        level INTEGER NOT NULL CHECK (level > 0), idx BIGINT NOT NULL CHECK (idx >= 0),
                        hash BYTEA NOT NULL CHECK (octet_length(hash) = 32), PRIMARY KEY (level, idx))
                    """,
                    """
                    CREATE TABLE checkpoints (
                        size BIGINT PRIMARY KEY, root_hash BYTEA NOT NULL CHECK (octet_length(root_hash) = 32),
                        note TEXT NOT NULL)
                    """,
                    """
                    CREATE FUNCTION countersign_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'ledger table % is append-only', TG_TABLE_NAME; END $$
                    """,
                ]
                    + ["entries", "nodes", "checkpoints"].flatMap { t in
                        [
                            """
                            CREATE TRIGGER \(t)_append_only BEFORE UPDATE OR DELETE ON \(t)
                            FOR EACH ROW EXECUTE FUNCTION countersign_append_only()
                            """,
                            """
                            CREATE TRIGGER \(t)_no_truncate BEFORE TRUNCATE ON \(t)
                            FOR EACH STATEMENT EXECUTE FUNCTION countersign_append_only()
                            """,
                        ]
                    }
            )
        ] + Projection.migrations

    /// Applies the migrations not yet applied, serialized across nodes by an advisory lock.
    public func migrate() async throws(LedgerError) {
        do {
            try await client.withTransaction(logger: Self.logger) { conn in
                if let schema = self.schema {
                    try await conn.query(
                        PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: Self.logger)
                }
                try await conn.query(Self.lock, logger: Self.logger)
                try await conn.query(
                    "CREATE TABLE IF NOT EXISTS countersign_migrations (name TEXT PRIMARY KEY)", logger: Self.logger)
                var applied: Set<String> = []
                for try await name in try await conn.query(
                    "SELECT name FROM countersign_migrations", logger: Self.logger
                ).decode(String.self) {
                    applied.insert(name)
                }
                var replay = false
                for m in Self.migrations where !applied.contains(m.name) {
                    for sql in m.statements { try await conn.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger) }
                    replay = replay || Projection.replayingMigrations.contains(m.name)
                    try await conn.query(
                        "INSERT INTO countersign_migrations (name) VALUES (\(m.name))", logger: Self.logger)
                }
                // Once the schema is complete, in the same transaction: today's statements need today's tables.
                if replay { _ = try await Self.reproject(conn) }
            }
        } catch {
            throw LedgerError(.storage, "cannot migrate the PostgreSQL ledger: \(Self.describe(error))")
        }
    }

    /// `migrate()`, failing with a clear error if the server cannot be reached in time (the pool would
    /// otherwise keep retrying).
    public func migrate(within limit: Duration) async throws(LedgerError) {
        let result = await withTaskGroup(of: Result<Void, LedgerError>?.self) { group in
            group.addTask {
                do throws(LedgerError) { try await self.migrate() } catch { return .failure(error) }
                return .success(())
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch result {
        case .success: return
        case .failure(let error): throw error
        case nil: throw LedgerError(.storage, "cannot reach the PostgreSQL server within \(limit)")
        }
    }

    /// A connection outside the store's discipline, for tests that play an attacker with database access.
    func withRawConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { try await body($0) }
    }

    /// Serializes appenders (and migrators) on this schema's ledger across every node.
    private static let lock: PostgresQuery = "SELECT pg_advisory_xact_lock(hashtext(current_schema()))"

    // MARK: Appends

    @discardableResult
    public func append(_ drafts: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry] {
        guard !drafts.isEmpty else { return [] }
        // Payloads are validated as the batch is planned, inside its own savepoint: a bad batch fails alone.
        return try await group.append(drafts)
    }

    private static func commit(_ batches: [[EntryDraft]], _ client: PostgresClient) async -> [Result<
        [LedgerEntry], LedgerError
    >] {
        do {
            return try await client.withTransaction(logger: logger) { conn in
                try await conn.query(lock, logger: logger)
                var frontier = try await frontier(conn)
                var results: [Result<[LedgerEntry], LedgerError>] = []
                for batch in batches {
                    let before = frontier
                    try await conn.query("SAVEPOINT batch", logger: logger)
                    do {
                        let plan = try AppendPlan(batch, after: &frontier)
                        try await write(plan, conn)
                        try await conn.query("RELEASE SAVEPOINT batch", logger: logger)
                        results.append(.success(plan.entries))
                    } catch {
                        try await conn.query("ROLLBACK TO SAVEPOINT batch", logger: logger)
                        frontier = before
                        let reason = error as? LedgerError ?? LedgerError(.invalidInput, describe(error))
                        results.append(
                            .failure(LedgerError(reason.code, "append failed, nothing was written: \(reason.message)")))
                    }
                }
                return results
            }
        } catch {
            let failure = LedgerError(.storage, "append failed, nothing was written: \(describe(error))")
            return batches.map { _ in .failure(failure) }
        }
    }

    /// Entries and nodes go in as one multi-row insert each (arrays unnested server-side): a batch costs a few
    /// round trips, not one per row.
    private static func write(_ plan: AppendPlan, _ conn: PostgresConnection) async throws {
        let rows = plan.rows
        try await conn.query(
            """
            INSERT INTO entries (seq, type, at, actor, canonical, leaf_hash)
            SELECT * FROM unnest(\(rows.map(\.entry.seq))::BIGINT[], \(rows.map(\.entry.type.rawValue))::TEXT[],
                \(rows.map(\.at))::TEXT[], \(rows.map(\.entry.actor))::TEXT[], \(rows.map(\.canonical))::TEXT[],
                \(rows.map { ByteBuffer(bytes: $0.leafHash) })::BYTEA[])
            """, logger: logger)
        if !plan.nodes.isEmpty {
            try await conn.query(
                """
                INSERT INTO nodes (level, idx, hash)
                SELECT * FROM unnest(\(plan.nodes.map { Int32($0.node.level) })::INTEGER[],
                    \(plan.nodes.map { Int64($0.node.index) })::BIGINT[],
                    \(plan.nodes.map { ByteBuffer(bytes: $0.hash) })::BYTEA[])
                """, logger: logger)
        }
        for s in plan.projections { try await conn.query(query(s), logger: logger) }
    }

    private static func frontier(_ conn: PostgresConnection) async throws -> MerkleFrontier {
        let size = try await size(conn)
        let coords = MerkleFrontier.coordinates(size: size)
        let found = try await hashes(Set(coords), conn)
        return try MerkleFrontier(size: size, hashes: coords.compactMap { found[$0] })
    }

    private static func size(_ conn: PostgresConnection) async throws -> Int {
        for try await max in try await conn.query("SELECT MAX(seq) FROM entries", logger: logger).decode(
            Int64?.self)
        {
            return max.map { Int($0) + 1 } ?? 0
        }
        return 0
    }

    /// The requested subtrees in two queries (leaves, then stored interior nodes); the unstored ones inside a
    /// tile are recomputed from their leaves.
    private static func hashes(_ nodes: Set<MerkleNode>, _ conn: PostgresConnection) async throws -> [MerkleNode:
        [UInt8]]
    {
        var read: [MerkleNode: [UInt8]] = [:]
        let (stored, leafRanges) = StoredNodes.reads(for: nodes)
        let leaves = stored.filter { $0.level == 0 }.map { Int64($0.index) } + leafRanges.flatMap { $0.map(Int64.init) }
        if !leaves.isEmpty {
            for try await (seq, hash) in try await conn.query(
                "SELECT seq, leaf_hash FROM entries WHERE seq = ANY(\(leaves)::BIGINT[])", logger: logger
            ).decode((Int64, ByteBuffer).self) {
                read[MerkleNode(level: 0, index: Int(seq))] = Array(buffer: hash)
            }
        }
        let inner = stored.filter { $0.level > 0 }
        if !inner.isEmpty {
            for try await (level, idx, hash) in try await conn.query(
                """
                SELECT n.level, n.idx, n.hash FROM nodes n
                JOIN unnest(\(inner.map { Int32($0.level) })::INTEGER[], \(inner.map { Int64($0.index) })::BIGINT[])
                    AS w(level, idx) ON n.level = w.level AND n.idx = w.idx
                """, logger: logger
            ).decode((Int32, Int64, ByteBuffer).self) {
                read[MerkleNode(level: Int(level), index: Int(idx))] = Array(buffer: hash)
            }
        }
        let found = StoredNodes.resolve(nodes, from: read)
        for n in nodes where found[n]?.count != 32 {
            throw LedgerError(.tampered, "the stored tree is missing node \(n); run `countersign ledger verify`")
        }
        return found
    }

    /// A portable statement with its `?` placeholders numbered for PostgreSQL.
    static func query(_ s: SQLStatement) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: s.arguments.count)
        for a in s.arguments {
            switch a {
            case .null: bindings.appendNull()
            case .integer(let i): bindings.append(i)
            case .real(let d): bindings.append(d)
            case .text(let t): bindings.append(t)
            case .blob(let b): bindings.append(ByteBuffer(bytes: b))
            }
        }
        guard !s.arguments.isEmpty else { return PostgresQuery(unsafeSQL: s.sql) }
        var sql = ""
        var n = 0
        var inString = false
        for c in s.sql {
            if c == "'" { inString.toggle() }
            if c == "?" && !inString {
                n += 1
                sql += "$\(n)"
            } else {
                sql.append(c)
            }
        }
        guard n == s.arguments.count else {
            throw LedgerError(.invalidInput, "the statement has \(n) placeholders for \(s.arguments.count) arguments")
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    // MARK: Reads

    private func read<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T)
        async throws(LedgerError) -> T
    {
        do { return try await client.withConnection { try await body($0) } } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "cannot read \(what): \(Self.describe(error))")
        }
    }

    public func size() async throws(LedgerError) -> Int { try await read("the ledger") { try await Self.size($0) } }

    public func entries(from: Int, count: Int) async throws(LedgerError) -> [LedgerEntry] {
        try LedgerEntry.stored(
            await read("entries") { conn in
                try await conn.query(
                    "SELECT canonical FROM entries WHERE seq >= \(Int64(from)) ORDER BY seq LIMIT \(Int64(count))",
                    logger: Self.logger
                ).decode(String.self).reduce(into: []) { $0.append($1) }
            })
    }

    public func entries(between from: Date, and to: Date) async throws(LedgerError) -> [LedgerEntry] {
        let (lo, hi) = (RFC3339.string(from, fraction: .milliseconds), RFC3339.string(to, fraction: .milliseconds))
        return try LedgerEntry.stored(
            await read("entries") { conn in
                try await conn.query(
                    "SELECT canonical FROM entries WHERE at >= \(lo) AND at < \(hi) ORDER BY seq", logger: Self.logger
                ).decode(String.self).reduce(into: []) { $0.append($1) }
            })
    }

    public func snapshot(_ nodes: @escaping @Sendable (Int) throws(LedgerError) -> Set<MerkleNode>)
        async throws(LedgerError)
        -> (size: Int, hashes: [MerkleNode: [UInt8]])
    {
        // Stored nodes never change, so the size and the nodes need not come from one transaction: every node
        // below the size read first is already there.
        try await read("tree nodes") { conn in
            let size = try await Self.size(conn)
            return (size, try await Self.hashes(try nodes(size), conn))
        }
    }

    public func storeCheckpoint(size: Int, rootHash: [UInt8], note: String) async throws(LedgerError) {
        do {
            try await client.withTransaction(logger: Self.logger) { conn in
                try await conn.query(Self.lock, logger: Self.logger)
                for try await existing in try await conn.query(
                    "SELECT root_hash FROM checkpoints WHERE size = \(Int64(size))", logger: Self.logger
                ).decode(ByteBuffer.self) {
                    guard Array(buffer: existing) == rootHash else {
                        throw LedgerError(
                            .tampered,
                            "a checkpoint for size \(size) with a different root exists: the ledger was rewritten")
                    }
                    return
                }
                try await conn.query(
                    "INSERT INTO checkpoints (size, root_hash, note) VALUES (\(Int64(size)), \(ByteBuffer(bytes: rootHash)), \(note))",
                    logger: Self.logger)
            }
        } catch {
            let reason = (error as? PostgresTransactionError)?.closureError ?? error
            if let e = reason as? LedgerError { throw e }
            throw LedgerError(.storage, "cannot store the checkpoint: \(Self.describe(error))")
        }
    }

    public func probeWrite() async throws(LedgerError) {
        do {
            try await client.query(try Self.query(Projection.probe(at: Date())), logger: Self.logger)
        } catch {
            throw LedgerError(.storage, "the database refuses writes: \(Self.describe(error))")
        }
    }

    public func latestCheckpoint() async throws(LedgerError) -> String? {
        try await read("checkpoints") { conn in
            for try await note in try await conn.query(
                "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1", logger: Self.logger
            ).decode(String.self) {
                return note
            }
            return nil
        }
    }

    public func verify(verifier: NoteVerifier?, progress: @escaping @Sendable (Int, Int) -> Void)
        async throws(LedgerError)
        -> VerificationReport
    {
        // One REPEATABLE READ transaction: entries, nodes and checkpoint come from the same snapshot.
        do {
            return try await client.withConnection { conn in
                try await conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: Self.logger)
                do {
                    let report = try await Self.verify(conn, verifier, progress)
                    try await conn.query("ROLLBACK", logger: Self.logger)
                    return report
                } catch {
                    _ = try? await conn.query("ROLLBACK", logger: Self.logger)
                    throw error
                }
            }
        } catch {
            throw LedgerError(.storage, "cannot read the ledger: \(Self.describe(error))")
        }
    }

    private static func verify(
        _ conn: PostgresConnection, _ verifier: NoteVerifier?, _ progress: @Sendable (Int, Int) -> Void
    ) async throws -> VerificationReport {
        var total = 0
        for try await n in try await conn.query("SELECT COUNT(*) FROM entries", logger: logger).decode(Int64.self) {
            total = Int(n)
        }
        var check = LedgerVerifier(expectedEntries: total)
        let entries = try await conn.query(
            "SELECT seq, canonical, leaf_hash, type, at, actor FROM entries ORDER BY seq", logger: logger
        ).decode((Int64, String, ByteBuffer, String, String, String).self)
        for try await (seq, canonical, leaf, type, at, actor) in entries {
            // Never block this (cooperative) thread for a hashing worker: suspend until one is free.
            if check.mayWait { await check.settle() }
            var (text, type, at, actor) = (canonical, type, at, actor)
            let ok = text.withUTF8 { c in
                type.withUTF8 { t in
                    at.withUTF8 { a in
                        actor.withUTF8 { r in
                            leaf.withUnsafeReadableBytes { l in
                                check.entry(
                                    seq: seq, canonical: UnsafeRawBufferPointer(c), storedLeafHash: l,
                                    columns: (
                                        UnsafeRawBufferPointer(t), UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(r)
                                    ))
                            }
                        }
                    }
                }
            }
            guard ok else { return check.report() }
            if check.count % 10_000 == 0 { progress(check.count, total) }
        }
        await check.settleEntries()
        guard check.problem == nil else { return check.report() }
        progress(check.count, total)
        var stored = 0
        let nodes = try await conn.query("SELECT level, idx, hash FROM nodes ORDER BY level, idx", logger: logger)
            .decode((Int32, Int64, ByteBuffer).self)
        for try await (level, idx, hash) in nodes {
            stored += 1
            guard hash.withUnsafeReadableBytes({ check.node(level: Int(level), index: Int(idx), hash: $0) }) else {
                return check.report()
            }
        }
        check.nodeCount(stored)
        if let verifier {
            for try await note in try await conn.query(
                "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1", logger: logger
            ).decode(String.self) {
                check.checkpoint(note: note, verifier: verifier)
            }
        }
        return check.report()
    }

    /// Clears every projection table and projects each entry again, in `conn`'s transaction.
    static func reproject(_ conn: PostgresConnection) async throws -> Int {
        for table in Projection.tables {
            try await conn.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: Self.logger)
        }
        // Read first, then write: one connection cannot stream a result while running other statements.
        let texts = try await conn.query("SELECT canonical FROM entries ORDER BY seq", logger: Self.logger)
            .decode(String.self).reduce(into: [String]()) { $0.append($1) }
        for (seq, text) in texts.enumerated() {
            let entry: LedgerEntry
            do { entry = try LedgerEntry(canonical: text) } catch {
                throw LedgerError(.tampered, "entry \(seq) is not a ledger entry: \(error)")
            }
            for s in try Projection.statements(for: entry) {
                try await conn.query(try Self.query(s), logger: Self.logger)
            }
        }
        return texts.count
    }

    public func replayProjections() async throws(LedgerError) -> Int {
        do {
            return try await client.withTransaction(logger: Self.logger) { conn in
                try await conn.query(Self.lock, logger: Self.logger)
                return try await Self.reproject(conn)
            }
        } catch {
            let reason = (error as? PostgresTransactionError)?.closureError ?? error
            if let e = reason as? LedgerError { throw e }
            throw LedgerError(.storage, "replay failed, the projections are unchanged: \(Self.describe(error))")
        }
    }

    /// Runs inside a READ ONLY transaction that is always rolled back, so PostgreSQL itself refuses any write and
    /// any session setting the statement changes is undone. The extended protocol admits exactly one statement.
    public func lookup(_ sql: String, _ arguments: [SQLValue]) async throws(LedgerError) -> QueryResult {
        do {
            return try await client.withConnection { conn in
                try await conn.query("BEGIN READ ONLY", logger: Self.logger)
                do {
                    let rows = try await conn.query(try Self.query(SQLStatement(sql, arguments)), logger: Self.logger)
                        .collect()
                    try await conn.query("ROLLBACK", logger: Self.logger)
                    let columns = rows.first.map { $0.map(\.columnName) } ?? []
                    return QueryResult(columns: columns, rows: rows.map { $0.map(Self.value) })
                } catch {
                    _ = try? await conn.query("ROLLBACK", logger: Self.logger)
                    throw error
                }
            }
        } catch {
            throw LedgerError(.storage, "cannot read the ledger: \(Self.describe(error))")
        }
    }

    public func audit(_ sql: String) async throws(LedgerError) -> QueryResult {
        guard let console else {
            throw LedgerError(
                .notPermitted,
                "audit queries on PostgreSQL run as a SELECT-only role of their own: give its URL with --audit-database (countersign ledger audit-grants prints the role's grants)"
            )
        }
        return try await console.run(sql)
    }

    /// The statements that make `role` an audit role for this ledger: USAGE on the schema, SELECT on each table
    /// audits may read, and on `api_tokens` every column but `token_hash`. Read from the catalogue, so they follow
    /// the migrations applied; run them again after an upgrade (a new table stays unreadable until then).
    public func auditGrants(role: String) async throws(LedgerError) -> [String] {
        guard !role.isEmpty, role.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw LedgerError(.invalidInput, "a role name is letters, digits and underscores: \(role)")
        }
        let columns = try await lookup(
            """
            SELECT current_schema()::text, table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
            """, [])
        guard case .text(let schema)? = columns.rows.first?.first else {
            throw LedgerError(.storage, "the ledger's schema has no tables: migrate it first")
        }
        var grants = ["GRANT USAGE ON SCHEMA \(schema) TO \(role)"]
        var byTable: [(table: String, columns: [String])] = []
        for row in columns.rows {
            guard row.count == 3, case .text(let table) = row[1], case .text(let column) = row[2],
                AuditLimits.readableTables.contains(table)
            else { continue }
            if byTable.last?.table == table {
                byTable[byTable.count - 1].columns.append(column)
            } else {
                byTable.append((table, [column]))
            }
        }
        for (table, columns) in byTable {
            let readable = columns.filter { !AuditLimits.withheldColumns.contains("\(table).\($0)") }
            if readable.count == columns.count {
                grants.append("GRANT SELECT ON \(schema).\(table) TO \(role)")
            } else {
                grants.append("GRANT SELECT (\(readable.joined(separator: ", "))) ON \(schema).\(table) TO \(role)")
            }
        }
        return grants
    }

    /// A cell as a portable value; types without a portable form are shown as text.
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .float4, .float8: return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .bool: return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .numeric: return (try? cell.decode(Decimal.self)).map { .text("\($0)") } ?? .null
        case .bytea: return (try? cell.decode(ByteBuffer.self)).map { .blob(Array(buffer: $0)) } ?? .null
        default:
            if let s = try? cell.decode(String.self) { return .text(s) }
            return .text("<\(cell.dataType)>")
        }
    }
}
