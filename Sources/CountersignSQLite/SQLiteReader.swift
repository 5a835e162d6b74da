internal import CSQLite
internal import CountersignLedger
internal import Synchronization

/// A read-only connection on the raw C API, for the store's hot read paths: a proof is a few dozen indexed
/// lookups, and a verify streams every entry. Through GRDB each access hops to a queue and opens a transaction,
/// which costs more than the lookups; here statements stay prepared and a read is one `BEGIN`/`COMMIT` pair.
/// One connection, used by one read at a time (``SQLiteReaderPool`` lends it); writes still go through GRDB.
/// SQLite's `SQLITE_TRANSIENT` (copy the bound bytes), which Swift cannot import as a constant.
private let SQLITE_TRANSIENT_SWIFT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

final class SQLiteReader: @unchecked Sendable {
    /// Guards `db` and `statements`: a SQLite connection must not be used from two threads at once.
    private let lock = Mutex(())
    private let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    /// Stored interior nodes of height 8 and up, which every proof shares, kept once for every connection of the
    /// pool. Stored nodes never change (the database refuses it), so the cache needs no invalidation; `verify`
    /// never reads through it.
    final class NodeCache: Sendable {
        private let nodes = Mutex<[MerkleNode: [UInt8]]>([:])

        subscript(_ node: MerkleNode) -> [UInt8]? { nodes.withLock { $0[node] } }

        func remember(_ node: MerkleNode, _ hash: [UInt8]) {
            nodes.withLock { if $0.count < SQLiteReader.cacheLimit { $0[node] = hash } }
        }
    }
    private let upperNodes: NodeCache
    fileprivate static let cachedLevels = 8...
    fileprivate static let cacheLimit = 1 << 18

    init(path: String, cache: NodeCache) throws(LedgerError) {
        upperNodes = cache
        db = try Self.openReadOnly(path, for: "reading")
        sqlite3_busy_timeout(db, Self.longestWait)
        sqlite3_exec(db, "PRAGMA mmap_size = 4294967296; PRAGMA query_only = 1", nil, nil, nil)
    }

    /// How long a read waits for a lock another connection holds (an operator's `sqlite3` in exclusive mode, a
    /// backup) when no deadline says sooner.
    static let longestWait: Int32 = 30_000

    /// Bounds the next reads' wait for a lock by the caller's deadline (``StoreBudget/timeLeft``): a read on the
    /// request path gives up waiting when its caller would, instead of holding the request's thread for 30 s.
    func waitNoLongerThan(_ left: Duration?) {
        sqlite3_busy_timeout(db, Self.busyTimeout(left))
    }

    /// The busy timeout for a read with `left` before its deadline, in milliseconds: the time left, at most
    /// ``longestWait``; none once the deadline has passed (a read that needs no lock still runs); ``longestWait``
    /// outside any deadline.
    static func busyTimeout(_ left: Duration?) -> Int32 {
        guard let left else { return longestWait }
        let milliseconds = left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, min(milliseconds, Int64(longestWait))))
    }

    /// A read-only connection on the raw C API, used by one thread at a time (no SQLite mutex).
    static func openReadOnly(_ path: String, for purpose: String) throws(LedgerError) -> OpaquePointer {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw LedgerError(.storage, "cannot open \(path) for \(purpose): \(message)")
        }
        return handle
    }

    deinit {
        for s in statements.values { sqlite3_finalize(s) }
        sqlite3_close(db)
    }

    /// Runs `body` inside one read transaction.
    func read<T>(_ body: (Query) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try lock.withLock { _ throws(LedgerError) -> T in
            let begin = try statement("BEGIN")
            try check(sqlite3_step(begin))
            sqlite3_reset(begin)
            defer {
                if let commit = try? statement("COMMIT") {
                    sqlite3_step(commit)
                    sqlite3_reset(commit)
                }
            }
            return try body(Query(reader: self))
        }
    }

    fileprivate func check(_ code: Int32) throws(LedgerError) {
        guard code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE else {
            throw LedgerError(.storage, "cannot read the ledger: \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    fileprivate func statement(_ sql: String) throws(LedgerError) -> OpaquePointer {
        if let s = statements[sql] { return s }
        var s: OpaquePointer?
        try check(sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil))
        guard let s else { throw LedgerError(.storage, "cannot prepare \(sql)") }
        statements[sql] = s
        return s
    }

    private struct TileKey: Hashable {
        let tile: Int
        let band: Int
    }

    /// Statements within one `read`.
    struct Query {
        fileprivate let reader: SQLiteReader

        /// Stored interior nodes: upper ones from the cache, the rest with one range read per tile and band (the
        /// table is clustered by tile, so that is one page). Every upper node a read returns is cached. A proof
        /// asks for a few dozen nodes, so tiles and their members are kept in arrays, searched linearly.
        func nodes(_ wanted: [MerkleNode], into found: inout [MerkleNode: [UInt8]]) throws(LedgerError) {
            var tiles: [(key: TileKey, members: [MerkleNode])] = []
            for n in wanted {
                if n.level >= SQLiteReader.cachedLevels.lowerBound, let hash = reader.upperNodes[n] {
                    found[n] = hash
                } else {
                    let key = TileKey(tile: StoredNodes.tile(n), band: StoredNodes.band(n.level).lowerBound)
                    if let t = tiles.firstIndex(where: { $0.key == key }) {
                        tiles[t].members.append(n)
                    } else {
                        tiles.append((key, [n]))
                    }
                }
            }
            for (key, members) in tiles {
                let cache = SQLiteReader.cachedLevels.contains(key.band)
                try each(
                    "SELECT level, idx, hash FROM nodes WHERE tile = ? AND level BETWEEN ? AND ?",
                    [Int64(key.tile), Int64(key.band), Int64(key.band + 3)]
                ) { row in
                    let n = MerkleNode(level: Int(row.int(0)), index: Int(row.int(1)))
                    let member = members.contains(n)
                    guard member || cache else { return true }
                    let hash = Array(row.bytes(2))
                    if member { found[n] = hash }
                    if cache { reader.upperNodes.remember(n, hash) }
                    return true
                }
            }
        }

        /// Runs `sql` with integer arguments, calling `row` for each result row.
        func each(_ sql: String, _ arguments: [Int64] = [], _ row: (Row) throws(LedgerError) -> Bool)
            throws(LedgerError)
        {
            let s = try reader.statement(sql)
            defer {
                sqlite3_reset(s)
                sqlite3_clear_bindings(s)
            }
            for (i, a) in arguments.enumerated() { try reader.check(sqlite3_bind_int64(s, Int32(i + 1), a)) }
            while true {
                let code = sqlite3_step(s)
                if code == SQLITE_DONE { return }
                try reader.check(code)
                guard try row(Row(statement: s)) else { return }
            }
        }
    }

    /// Runs any read-only statement with bound values and returns every row. Statements stay prepared for the
    /// server's fixed lookups; the cache is bounded so arbitrary SQL cannot grow it without limit.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) -> QueryResult {
        try lock.withLock { _ throws(LedgerError) -> QueryResult in
            let s: OpaquePointer
            var temporary = false
            if let cached = statements[sql] {
                s = cached
            } else {
                var handle: OpaquePointer?
                guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil) == SQLITE_OK,
                    let handle
                else {
                    throw LedgerError(.invalidInput, "query failed: \(String(cString: sqlite3_errmsg(db)))")
                }
                s = handle
                if statements.count < 256 { statements[sql] = handle } else { temporary = true }
            }
            defer {
                sqlite3_reset(s)
                sqlite3_clear_bindings(s)
                if temporary { sqlite3_finalize(s) }
            }
            for (i, value) in arguments.enumerated() {
                let index = Int32(i + 1)
                let code: Int32
                switch value {
                case .null: code = sqlite3_bind_null(s, index)
                case .integer(let v): code = sqlite3_bind_int64(s, index, v)
                case .real(let v): code = sqlite3_bind_double(s, index, v)
                case .text(let v): code = sqlite3_bind_text(s, index, v, -1, SQLITE_TRANSIENT_SWIFT)
                case .blob(let v):
                    code = v.withUnsafeBytes {
                        sqlite3_bind_blob(s, index, $0.baseAddress, Int32(v.count), SQLITE_TRANSIENT_SWIFT)
                    }
                }
                try check(code)
            }
            let count = sqlite3_column_count(s)
            let columns = (0..<count).map { String(cString: sqlite3_column_name(s, $0)) }
            var result: [[SQLValue]] = []
            while true {
                let code = sqlite3_step(s)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    let message = String(cString: sqlite3_errmsg(db))
                    throw LedgerError(
                        message.contains("readonly") ? .readOnly : .invalidInput, "query failed: \(message)")
                }
                result.append(
                    (0..<count).map { c in
                        switch sqlite3_column_type(s, c) {
                        case SQLITE_INTEGER: .integer(sqlite3_column_int64(s, c))
                        case SQLITE_FLOAT: .real(sqlite3_column_double(s, c))
                        case SQLITE_TEXT: .text(String(cString: sqlite3_column_text(s, c)))
                        case SQLITE_BLOB:
                            .blob(
                                Array(
                                    UnsafeRawBufferPointer(
                                        start: sqlite3_column_blob(s, c), count: Int(sqlite3_column_bytes(s, c)))))
                        default: .null
                        }
                    })
            }
            return QueryResult(columns: columns, rows: result)
        }
    }

    /// The current row; valid only inside the callback.
    struct Row {
        fileprivate let statement: OpaquePointer

        func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

        /// The column's bytes in place (text or blob), without a copy.
        func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
            guard let p = sqlite3_column_blob(statement, column) else {
                return UnsafeRawBufferPointer(start: nil, count: 0)
            }
            return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, column)))
        }
    }
}
