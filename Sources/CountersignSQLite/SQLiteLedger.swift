internal import CSQLite
internal import CountersignEncoding
public import CountersignLedger
public import Foundation
internal import GRDB

/// The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`, so an acknowledged append survives a
/// crash. Entries, tree nodes and checkpoints are append-only *in the database*: triggers refuse UPDATE and
/// DELETE. Appends run in `BEGIN IMMEDIATE` transactions, so writers in several processes are serialized by
/// SQLite and can never leave a gap or fork the log; within a process, concurrent appends are group-committed.
public final class SQLiteLedger: LedgerStore {
    let pool: DatabasePool
    private let group: GroupCommit
    private let readers: SQLiteReaderPool
    private let console: SQLiteAuditConsole
    public let path: String

    /// Opens (creating if needed) the ledger at `path`; audit queries run within `audit`.
    public init(path: String, audit: AuditLimits = .standard) throws(LedgerError) {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // Proofs touch a few dozen random pages of a large file: map it rather than pay a read syscall per
            // page through SQLite's small default cache.
            try db.execute(sql: "PRAGMA mmap_size = 4294967296")
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // GRDB's WAL set-up runs after `prepareDatabase` and sets the writer back to `synchronous=NORMAL`,
            // under which a commit returns before the WAL is synced: a power loss could lose an acknowledged entry
            // and fork the log against a checkpoint already signed. FULL syncs the WAL at every commit; the writer
            // is the pool's only writing connection and is never reopened, so setting it once here holds.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                guard try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2 else {
                    throw LedgerError(.storage, "SQLite refused synchronous=FULL")
                }
            }
            try SQLiteLedger.migrator.migrate(pool)
            try SQLiteLedger.replayIfPending(pool)
            // Reading the log's head proves the file is a whole, readable database now, not at first use.
            _ = try pool.read { db in try SQLiteLedger.size(db) }
        } catch {
            throw LedgerError(.storage, "cannot open ledger database \(path): \(SQLiteLedger.describe(error))")
        }
        self.pool = pool
        readers = try SQLiteReaderPool(path: path)
        console = SQLiteAuditConsole(path: path, limits: audit)
        let edge = EdgeCache()
        group = GroupCommit { batches in await SQLiteLedger.commit(batches, pool, edge) }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        if let e = error as? LedgerError { return e.message }
        return "\(error)"
    }

    /// Ordered, released migrations; never edited once released.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1-ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE entries (
                        seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
                        type TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        canonical TEXT NOT NULL,
                        leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
                    );
                    CREATE TABLE nodes (
                        tile INTEGER NOT NULL,
                        level INTEGER NOT NULL CHECK (level > 0),
                        idx INTEGER NOT NULL CHECK (idx >= 0),
                        hash BLOB NOT NULL CHECK (length(hash) = 32),
                        PRIMARY KEY (tile, level, idx),
                        CHECK (tile = idx >> ((level / 4) * 4 + 4 - level))
                    ) WITHOUT ROWID;
                    CREATE TABLE checkpoints (
                        size INTEGER PRIMARY KEY NOT NULL,
                        root_hash BLOB NOT NULL CHECK (length(root_hash) = 32),
                        note TEXT NOT NULL
                    );
                    CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
                        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                    CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
                        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                    CREATE TRIGGER nodes_append_only_update BEFORE UPDATE ON nodes
                        BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are append-only'); END;
                    CREATE TRIGGER nodes_append_only_delete BEFORE DELETE ON nodes
                        BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are append-only'); END;
                    CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                    CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                    """)
        }
        for migration in Projection.migrations {
            m.registerMigration(migration.name) { db in
                for ddl in migration.statements { try db.execute(sql: ddl) }
                // The replay runs once the schema is complete (`replayIfPending`): projecting old entries with
                // today's statements needs today's tables. The marker commits with the migration, so a crash before
                // the replay leaves it for the next open.
                if Projection.replayingMigrations.contains(migration.name) {
                    try db.execute(sql: SQLiteLedger.replayMarker)
                    try db.execute(sql: "INSERT OR IGNORE INTO countersign_replay_pending (one) VALUES (1)")
                }
            }
        }
        return m
    }()

    static let replayMarker =
        "CREATE TABLE IF NOT EXISTS countersign_replay_pending (one INTEGER PRIMARY KEY CHECK (one = 1))"

    /// Re-projects every entry if a migration asked for it, in one transaction that also clears the request.
    static func replayIfPending(_ pool: DatabasePool) throws {
        let pending = try pool.read { db in
            try db.tableExists("countersign_replay_pending")
                && (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM countersign_replay_pending") ?? 0) > 0
        }
        guard pending else { return }
        try pool.write { db in
            _ = try reproject(db)
            try db.execute(sql: "DELETE FROM countersign_replay_pending")
        }
    }

    // MARK: Appends

    @discardableResult
    public func append(_ drafts: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry] {
        guard !drafts.isEmpty else { return [] }
        // Payloads are validated as the batch is planned, inside its own savepoint: a bad batch fails alone.
        return try await group.append(drafts)
    }

    /// One IMMEDIATE transaction for a group of batches. With several batches, each is in its own savepoint so
    /// that one bad batch fails alone; a lone batch needs none: its failure rolls back a transaction that holds
    /// nothing else.
    ///
    /// The transaction runs on the leading appender's thread, off the group-commit actor (`@concurrent`), so
    /// appenders that arrive meanwhile still queue for the next one. Like the reader's proofs and verify, it uses
    /// the database synchronously: GRDB's asynchronous write hops to its writer queue and back, two thread wake-ups
    /// that cost a batch of 100 about a tenth of its time on a small machine.
    @concurrent
    private static func commit(_ batches: [[EntryDraft]], _ pool: DatabasePool, _ edge: EdgeCache) async -> [Result<
        [LedgerEntry], LedgerError
    >] {
        transact(batches, pool, edge)
    }

    private static func transact(_ batches: [[EntryDraft]], _ pool: DatabasePool, _ edge: EdgeCache) -> [Result<
        [LedgerEntry], LedgerError
    >] {
        do {
            return try pool.writeWithoutTransaction { db in
                var results: [Result<[LedgerEntry], LedgerError>] = []
                var committed: MerkleFrontier?
                // IMMEDIATE takes the write lock first: no other process can append until this commits.
                try db.inTransaction(.immediate) {
                    results = []
                    var frontier = try SQLiteLedger.frontier(db, edge)
                    if batches.count == 1 {
                        do {
                            let plan = try AppendPlan(batches[0], after: &frontier)
                            try SQLiteLedger.write(plan, db)
                            results.append(.success(plan.entries))
                        } catch {
                            throw BatchFailure(reason: SQLiteLedger.failure(error))
                        }
                    } else {
                        for batch in batches {
                            let before = frontier
                            do {
                                var entries: [LedgerEntry] = []
                                try db.inSavepoint {
                                    let plan = try AppendPlan(batch, after: &frontier)
                                    try SQLiteLedger.write(plan, db)
                                    entries = plan.entries
                                    return .commit
                                }
                                results.append(.success(entries))
                            } catch {
                                frontier = before
                                results.append(.failure(SQLiteLedger.failure(error)))
                            }
                        }
                    }
                    committed = frontier
                    return .commit
                }
                // Only now is the edge durable; a failed commit leaves the cache as it was (stale, so unused).
                if let committed { edge.store(committed) }
                return results
            }
        } catch let failure as BatchFailure {
            return [.failure(failure.reason)]
        } catch {
            let failure = LedgerError(.storage, "append failed, nothing was written: \(describe(error))")
            return batches.map { _ in .failure(failure) }
        }
    }

    /// A lone batch's own failure, carried out of its transaction so that it is reported as the batch's fault and
    /// not as the database's.
    private struct BatchFailure: Error {
        let reason: LedgerError
    }

    /// What a batch that failed reports: its own reason (payload validation, a constraint the database refused).
    private static func failure(_ error: any Error) -> LedgerError {
        let reason = error as? LedgerError ?? LedgerError(.invalidInput, describe(error))
        return LedgerError(reason.code, "append failed, nothing was written: \(reason.message)")
    }

    /// The tree's right edge, inside the write transaction: the one this store's last commit left when the log
    /// has not grown since (another process may append to the same file), else read from the stored nodes.
    private static func frontier(_ db: Database, _ edge: EdgeCache) throws -> MerkleFrontier {
        let size = try SQLiteLedger.size(db)
        if let cached = edge.frontier(size: size) { return cached }
        let coords = MerkleFrontier.coordinates(size: size)
        let found = try hashes(Set(coords), db)
        return try MerkleFrontier(size: size, hashes: coords.compactMap { found[$0] })
    }

    static func size(_ db: Database) throws -> Int {
        // MAX over the primary key is a single lookup; COUNT(*) would scan the table. Gaps are verify's job.
        (try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM entries"))).map { $0 + 1 } ?? 0
    }

    /// Entries and nodes through `RawInsert` on GRDB's cached statements; projections through GRDB.
    private static func write(_ plan: AppendPlan, _ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw LedgerError(.storage, "the database is closed") }
        let entry = RawInsert(
            statement: try db.cachedStatement(
                sql: "INSERT INTO entries (seq, type, at, actor, canonical, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)"
            ).sqliteStatement, connection: connection)
        for r in plan.rows {
            entry.bind(1, r.entry.seq)
            entry.bind(2, text: r.entry.type.rawValue)
            entry.bind(3, text: r.at)
            entry.bind(4, text: r.entry.actor)
            r.canonicalBytes.withUnsafeBytes { entry.bind(5, text: $0) }
            entry.bind(6, blob: r.leafHash)
            try entry.run()
        }
        let node = RawInsert(
            statement: try db.cachedStatement(sql: "INSERT INTO nodes (tile, level, idx, hash) VALUES (?, ?, ?, ?)")
                .sqliteStatement, connection: connection)
        for n in plan.nodes {
            node.bind(1, Int64(StoredNodes.tile(n.node)))
            node.bind(2, Int64(n.node.level))
            node.bind(3, Int64(n.node.index))
            node.bind(4, blob: n.hash)
            try node.run()
        }
        for s in plan.projections { try execute(s, db) }
    }

    static func execute(_ s: SQLStatement, _ db: Database) throws {
        try db.cachedStatement(sql: s.sql).execute(arguments: StatementArguments(s.arguments.map(databaseValue)))
    }

    static func databaseValue(_ v: SQLValue) -> DatabaseValue {
        switch v {
        case .null: .null
        case .integer(let i): i.databaseValue
        case .real(let d): d.databaseValue
        case .text(let s): s.databaseValue
        case .blob(let b): Data(b).databaseValue
        }
    }

    static func sqlValue(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: .null
        case .int64(let i): .integer(i)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .blob(let b): .blob(Array(b))
        }
    }

    /// The requested subtrees, read on a GRDB connection (the writer's, inside an append).
    private static func hashes(_ nodes: Set<MerkleNode>, _ db: Database) throws -> [MerkleNode: [UInt8]] {
        let node = try db.cachedStatement(sql: "SELECT hash FROM nodes WHERE tile = ? AND level = ? AND idx = ?")
        let range = try db.cachedStatement(sql: "SELECT seq, leaf_hash FROM entries WHERE seq BETWEEN ? AND ?")
        return try StoredNodes.fetch(
            nodes,
            interior: { wanted, found in
                for n in wanted {
                    found[n] = try Data.fetchOne(node, arguments: [StoredNodes.tile(n), n.level, n.index]).map {
                        Array($0)
                    }
                }
            },
            leaves: { r, found in
                for row in try Row.fetchAll(range, arguments: [r.lowerBound, r.upperBound]) {
                    found(row[0], Array(row[1] as Data))
                }
            }
        ).get()
    }

    // MARK: Reads

    private func read<T: Sendable>(_ what: String, _ body: @Sendable (Database) throws -> T) async throws(LedgerError)
        -> T
    {
        do { return try await pool.read(body) } catch let error as LedgerError { throw error } catch {
            throw LedgerError(.storage, "cannot read \(what): \(SQLiteLedger.describe(error))")
        }
    }

    public func size() async throws(LedgerError) -> Int { try await read("the ledger") { try SQLiteLedger.size($0) } }

    public func entries(from: Int, count: Int) async throws(LedgerError) -> [LedgerEntry] {
        try await LedgerEntry.stored(
            read("entries") { db in
                try String.fetchAll(
                    db, sql: "SELECT canonical FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?",
                    arguments: [from, count])
            })
    }

    public func entries(between from: Date, and to: Date) async throws(LedgerError) -> [LedgerEntry] {
        try await LedgerEntry.stored(
            read("entries") { db in
                try String.fetchAll(
                    db, sql: "SELECT canonical FROM entries WHERE at >= ? AND at < ? ORDER BY seq",
                    arguments: [
                        RFC3339.string(from, fraction: .milliseconds), RFC3339.string(to, fraction: .milliseconds),
                    ])
            })
    }

    /// Through the raw reader: one read transaction, prepared statements, no queue hop.
    public func snapshot(_ nodes: @escaping @Sendable (Int) throws(LedgerError) -> Set<MerkleNode>)
        async throws(LedgerError)
        -> (size: Int, hashes: [MerkleNode: [UInt8]])
    {
        try await readers.read { reader throws(LedgerError) in
            try reader.read { q throws(LedgerError) in
                var size = 0
                try q.each("SELECT MAX(seq) FROM entries") { row in
                    size = row.isNull(0) ? 0 : Int(row.int(0)) + 1
                    return false
                }
                let found = try StoredNodes.fetch(
                    try nodes(size),
                    interior: { wanted, found throws(LedgerError) in try q.nodes(wanted, into: &found) },
                    leaves: { r, found throws(LedgerError) in
                        try q.each(
                            "SELECT seq, leaf_hash FROM entries WHERE seq BETWEEN ? AND ?",
                            [Int64(r.lowerBound), Int64(r.upperBound)]
                        ) {
                            found(Int($0.int(0)), Array($0.bytes(1)))
                            return true
                        }
                    })
                return (size, try found.get())
            }
        }
    }

    public func storeCheckpoint(size: Int, rootHash: [UInt8], note: String) async throws(LedgerError) {
        do {
            try await pool.write { db in
                if let existing = try Data.fetchOne(
                    db, sql: "SELECT root_hash FROM checkpoints WHERE size = ?", arguments: [size])
                {
                    guard Array(existing) == rootHash else {
                        throw LedgerError(
                            .tampered,
                            "a checkpoint for size \(size) with a different root exists: the ledger was rewritten")
                    }
                    return
                }
                try db.execute(
                    sql: "INSERT INTO checkpoints (size, root_hash, note) VALUES (?, ?, ?)",
                    arguments: [size, Data(rootHash), note])
            }
        } catch let error as LedgerError { throw error } catch {
            throw LedgerError(.storage, "cannot store the checkpoint: \(SQLiteLedger.describe(error))")
        }
    }

    public func probeWrite() async throws(LedgerError) {
        do {
            try await pool.write { db in
                try Self.execute(Projection.probe(at: Date()), db)
            }
        } catch {
            throw LedgerError(.storage, "the database refuses writes: \(SQLiteLedger.describe(error))")
        }
    }

    public func latestCheckpoint() async throws(LedgerError) -> String? {
        try await read("checkpoints") { db in
            try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
        }
    }

    /// Streams every entry and node through the raw reader, hashing the stored bytes in place.
    public func verify(verifier: NoteVerifier?, progress: @escaping @Sendable (Int, Int) -> Void)
        async throws(LedgerError)
        -> VerificationReport
    {
        try await readers.offPool { reader throws(LedgerError) in
            try reader.read { q throws(LedgerError) in
                var total = 0
                // For the progress bar only: MAX is one lookup, COUNT(*) would read the whole table an extra time.
                try q.each("SELECT MAX(seq) FROM entries") {
                    total = $0.isNull(0) ? 0 : Int($0.int(0)) + 1
                    return false
                }
                var check = LedgerVerifier(expectedEntries: total)
                try q.each("SELECT seq, canonical, leaf_hash, type, at, actor FROM entries ORDER BY seq") { row in
                    guard
                        check.entry(
                            seq: row.int(0), canonical: row.bytes(1), storedLeafHash: row.bytes(2),
                            columns: (type: row.bytes(3), at: row.bytes(4), actor: row.bytes(5)))
                    else { return false }
                    if check.count % 10_000 == 0 { progress(check.count, total) }
                    return true
                }
                check.finishEntries()
                guard check.problem == nil else { return check.report() }
                progress(check.count, total)
                var stored = 0
                // In the table's (tile, level, idx) order: the verifier checks each node by its coordinates.
                try q.each("SELECT level, idx, hash FROM nodes") { row in
                    stored += 1
                    return check.node(level: Int(row.int(0)), index: Int(row.int(1)), hash: row.bytes(2))
                }
                guard check.problem == nil else { return check.report() }
                check.nodeCount(stored)
                if let verifier {
                    var note: String?
                    try q.each("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1") {
                        note = String(decoding: $0.bytes(0), as: UTF8.self)
                        return false
                    }
                    if let note { check.checkpoint(note: note, verifier: verifier) }
                }
                return check.report()
            }
        }
    }

    /// Clears every projection table and projects each entry again, in `db`'s transaction.
    static func reproject(_ db: Database) throws -> Int {
        for table in Projection.tables { try db.execute(sql: "DELETE FROM \(table)") }
        let cursor = try String.fetchCursor(db, sql: "SELECT canonical FROM entries ORDER BY seq")
        var count = 0
        while let text = try cursor.next() {
            let entry: LedgerEntry
            do { entry = try LedgerEntry(canonical: text) } catch {
                throw LedgerError(.tampered, "entry \(count) is not a ledger entry: \(error)")
            }
            for s in try Projection.statements(for: entry) { try SQLiteLedger.execute(s, db) }
            count += 1
        }
        return count
    }

    public func replayProjections() async throws(LedgerError) -> Int {
        do {
            return try await pool.write { db in try SQLiteLedger.reproject(db) }
        } catch let error as LedgerError { throw error } catch {
            throw LedgerError(.storage, "replay failed, the projections are unchanged: \(SQLiteLedger.describe(error))")
        }
    }

    /// Through the raw reader: prepared statements and no queue hop (it is read-only and `query_only`, like the
    /// pool's readers). Only the program's own SQL comes here; audits have their own connections.
    public func lookup(_ sql: String, _ arguments: [SQLValue]) async throws(LedgerError) -> QueryResult {
        try await readers.read { reader throws(LedgerError) in try reader.rows(sql, arguments) }
    }

    public func audit(_ sql: String) async throws(LedgerError) -> QueryResult { try await console.run(sql) }
}
