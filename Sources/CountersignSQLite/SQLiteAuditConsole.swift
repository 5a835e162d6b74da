internal import CSQLite
internal import CountersignLedger
internal import Dispatch
internal import Synchronization

/// The audit console's own connections. Auditors type SQL, so it runs where nothing else reads and where the
/// database itself bounds what a statement may do:
/// - connections that only the console uses, opened read-only with `query_only`, so nothing an audit does to a
///   connection's state (a temporary view named `entries`, say) can be seen by the server's reads;
/// - an authorizer (`sqlite3_set_authorizer`) that permits SELECT over the projection tables, the log, a list of
///   pure functions and recursive CTEs, and refuses everything else — ATTACH, temporary objects, PRAGMAs,
///   transactions, `load_extension`, `fts3_tokenizer`, the token hashes — naming what it refused;
/// - a progress handler that interrupts a statement at its time limit, `SQLITE_LIMIT_LENGTH` on any one value,
///   row and byte caps on the result, and a cap on queries running at once.
/// Statements run on each connection's own serial queue, not the cooperative pool: one may use its whole time limit.
final class SQLiteAuditConsole: Sendable {
    private let path: String
    private let limits: AuditLimits
    private let idle = Mutex<[Connection]>([])
    private let gate: ConcurrencyLimit

    init(path: String, limits: AuditLimits) {
        self.path = path
        self.limits = limits
        gate = ConcurrencyLimit(limits.concurrentQueries, of: "audit queries")
    }

    func run(_ sql: String) async throws(LedgerError) -> QueryResult {
        try gate.enter()
        defer { gate.leave() }
        let connection: Connection
        if let reused = idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            connection = try Connection(path: path, limits: limits)
        }
        let limits = self.limits
        let result = await withCheckedContinuation {
            (done: CheckedContinuation<Result<QueryResult, LedgerError>, Never>) in
            connection.queue.async {
                done.resume(returning: Result { () throws(LedgerError) in try connection.run(sql, limits) })
            }
        }
        idle.withLock { if $0.count < limits.concurrentQueries { $0.append(connection) } }
        return try result.get()
    }

    /// One read-only connection with the console's authorizer and limits. Used by one query at a time.
    final class Connection: @unchecked Sendable {
        private let db: OpaquePointer
        private let guardian: Guardian
        /// A serial queue of its own. Serial queues overcommit — libdispatch gives them a thread even when its
        /// pool is busy — whereas work on a concurrent queue shares the pool Swift's tasks run on, so two audits at
        /// their time limit would hold both threads of a two-core machine and stall every request meanwhile.
        let queue = DispatchQueue(label: "countersign.audit.connection")

        init(path: String, limits: AuditLimits) throws(LedgerError) {
            db = try SQLiteReader.openReadOnly(path, for: "audit queries")
            guardian = Guardian()
            sqlite3_busy_timeout(db, Int32(clamping: limits.timeLimitMilliseconds))
            _ = countersign_sqlite3_db_config_int(db, SQLITE_DBCONFIG_DEFENSIVE, 1)
            _ = countersign_sqlite3_db_config_int(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0)
            _ = countersign_sqlite3_db_config_int(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0)
            sqlite3_exec(db, "PRAGMA query_only = 1", nil, nil, nil)
            sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
            sqlite3_limit(db, SQLITE_LIMIT_LENGTH, Int32(clamping: limits.maxValueBytes))
            sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100_000)
            sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 200)
            sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 64)
            let context = Unmanaged.passUnretained(guardian).toOpaque()
            sqlite3_set_authorizer(db, authorize, context)
            sqlite3_progress_handler(db, 1000, interrupt, context)
        }

        deinit { sqlite3_close(db) }

        func run(_ sql: String, _ limits: AuditLimits) throws(LedgerError) -> QueryResult {
            guardian.start(
                deadline: DispatchTime.now().uptimeNanoseconds &+ UInt64(limits.timeLimitMilliseconds) * 1_000_000)
            var statement: OpaquePointer?
            let prepared = sql.withCString { text -> (Int32, Bool) in
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v3(db, text, -1, 0, &statement, &tail)
                guard code == SQLITE_OK, let tail else { return (code, false) }
                // Anything after the first statement other than blanks and comments is a second statement.
                var next: OpaquePointer?
                let more = sqlite3_prepare_v3(db, tail, -1, 0, &next, nil)
                defer { sqlite3_finalize(next) }
                return (code, more != SQLITE_OK || next != nil)
            }
            guard prepared.0 == SQLITE_OK, let statement else {
                throw failure(prepared.0, limits, empty: statement == nil && prepared.0 == SQLITE_OK)
            }
            defer { sqlite3_finalize(statement) }
            guard !prepared.1 else {
                throw LedgerError(.notPermitted, "the audit console runs one statement at a time")
            }
            guard sqlite3_stmt_readonly(statement) != 0 else {
                throw LedgerError(.notPermitted, "the audit console only reads")
            }
            let count = sqlite3_column_count(statement)
            let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
            var rows: [[SQLValue]] = []
            var bytes = columns.reduce(0) { $0 + $1.utf8.count }
            var truncation: String?
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw failure(code, limits, empty: false) }
                guard rows.count < limits.maxRows else {
                    truncation = "more than \(limits.maxRows) rows; the first \(limits.maxRows) are shown"
                    break
                }
                var row: [SQLValue] = []
                row.reserveCapacity(Int(count))
                for c in 0..<count {
                    let value: SQLValue
                    switch sqlite3_column_type(statement, c) {
                    case SQLITE_INTEGER: value = .integer(sqlite3_column_int64(statement, c))
                    case SQLITE_FLOAT: value = .real(sqlite3_column_double(statement, c))
                    case SQLITE_TEXT:
                        let text = UnsafeRawBufferPointer(
                            start: sqlite3_column_text(statement, c), count: Int(sqlite3_column_bytes(statement, c)))
                        value = .text(String(decoding: text, as: UTF8.self))
                    case SQLITE_BLOB:
                        value = .blob(
                            Array(
                                UnsafeRawBufferPointer(
                                    start: sqlite3_column_blob(statement, c),
                                    count: Int(sqlite3_column_bytes(statement, c))
                                )))
                    default: value = .null
                    }
                    bytes += value.byteCount
                    row.append(value)
                }
                guard bytes <= limits.maxBytes else {
                    truncation = "more than \(limits.maxBytes) bytes; the first \(rows.count) rows are shown"
                    break
                }
                rows.append(row)
            }
            return QueryResult(columns: columns, rows: rows, truncation: truncation)
        }

        /// The error for a failed prepare or step, with the authorizer's or the clock's reason when it was theirs.
        private func failure(_ code: Int32, _ limits: AuditLimits, empty: Bool) -> LedgerError {
            if empty { return LedgerError(.invalidInput, "query failed: no statement") }
            if let refused = guardian.refusal {
                return LedgerError(.notPermitted, "the audit console does not permit \(refused)")
            }
            if code == SQLITE_INTERRUPT, guardian.expired {
                return LedgerError(
                    .limitExceeded, "the query ran past its time limit of \(limits.timeLimit) and was stopped")
            }
            let message = String(cString: sqlite3_errmsg(db))
            if code == SQLITE_TOOBIG {
                return LedgerError(
                    .limitExceeded, "query failed: \(message) (a value may be at most \(limits.maxValueBytes) bytes)")
            }
            if code == SQLITE_AUTH { return LedgerError(.notPermitted, "query failed: \(message)") }
            if code == SQLITE_READONLY { return LedgerError(.readOnly, "query failed: \(message)") }
            return LedgerError(.invalidInput, "query failed: \(message)")
        }
    }

    /// The state the C callbacks see: the deadline and the first refusal. Touched only by the thread running the
    /// connection's one query.
    final class Guardian: @unchecked Sendable {
        var deadline: UInt64 = 0
        var expired = false
        var refusal: String?
        var refusalIsSpecific = false

        func start(deadline: UInt64) {
            self.deadline = deadline
            expired = false
            refusal = nil
            refusalIsSpecific = false
        }

        /// Keeps the first refusal, or the first specific one: a statement is often refused for several steps
        /// (creating a temporary view also writes the temporary schema table), and the specific step names it.
        func refuse(_ what: String, specific: Bool = false) -> Int32 {
            if refusal == nil || (specific && !refusalIsSpecific) {
                refusal = what
                refusalIsSpecific = specific
            }
            return SQLITE_DENY
        }
    }

    /// Pure functions an audit may call: core scalars, aggregates, windows, dates, JSON and math. Not on it:
    /// `load_extension`, `fts3_tokenizer` (it hands out a heap address), `randomblob`/`random`, the
    /// `sqlite_*` introspection functions, and anything an extension may add. Table-valued functions
    /// (`json_each`, `pragma_*`) are refused too: instantiating one writes the schema table, a step the
    /// authorizer cannot tell from a real schema change.
    static let functions: Set<String> = [
        "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
        "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "octet_length",
        "printf", "quote", "replace", "round", "rtrim", "sign", "soundex", "substr", "substring", "trim", "typeof",
        "unhex", "unicode", "unlikely", "upper", "zeroblob",
        "avg", "count", "group_concat", "string_agg", "sum", "total",
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
        "last_value", "nth_value",
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
        "json", "json_array", "json_array_length", "json_error_position", "json_extract", "json_insert",
        "json_object", "json_patch", "json_quote", "json_remove", "json_replace", "json_set", "json_type",
        "json_valid", "json_group_array", "json_group_object", "->", "->>",
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees",
        "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh",
        "sqrt", "tan", "tanh", "trunc",
    ]
}

/// The authorizer: SELECT, reads of permitted tables and columns, permitted functions, recursive CTEs.
private func authorize(
    _ context: UnsafeMutableRawPointer?, _ action: Int32, _ first: UnsafePointer<CChar>?,
    _ second: UnsafePointer<CChar>?, _ database: UnsafePointer<CChar>?, _ trigger: UnsafePointer<CChar>?
) -> Int32 {
    guard let context else { return SQLITE_DENY }
    let guardian = Unmanaged<SQLiteAuditConsole.Guardian>.fromOpaque(context).takeUnretainedValue()
    let a = first.map { String(cString: $0) } ?? ""
    let b = second.map { String(cString: $0) } ?? ""
    switch action {
    case SQLITE_SELECT, SQLITE_RECURSIVE:
        return SQLITE_OK
    case SQLITE_READ:
        // No database: a common table expression or subquery, whose own reads of real tables are checked too.
        guard let database else { return SQLITE_OK }
        let table = a.lowercased()
        let schema = String(cString: database)
        if schema == "main", AuditLimits.readableTables.contains(table) {
            guard !AuditLimits.withheldColumns.contains("\(table).\(b.lowercased())") else {
                return guardian.refuse("reading \(table).\(b)", specific: true)
            }
            return SQLITE_OK
        }
        // The schema tables: which tables and columns exist is no secret, and auditors need it to write queries.
        if schema == "main", table == "sqlite_master" || table == "sqlite_schema" { return SQLITE_OK }
        return guardian.refuse("reading \(schema == "main" ? "" : "\(schema).")\(a)", specific: true)
    case SQLITE_FUNCTION:
        return SQLiteAuditConsole.functions.contains(b.lowercased())
            ? SQLITE_OK : guardian.refuse("the function \(b)()", specific: true)
    case SQLITE_PRAGMA: return guardian.refuse("PRAGMA \(a)", specific: true)
    case SQLITE_ATTACH: return guardian.refuse("ATTACH", specific: true)
    case SQLITE_DETACH: return guardian.refuse("DETACH", specific: true)
    case SQLITE_TRANSACTION, SQLITE_SAVEPOINT: return guardian.refuse("transactions", specific: true)
    case SQLITE_CREATE_TEMP_TABLE, SQLITE_CREATE_TEMP_VIEW, SQLITE_CREATE_TEMP_INDEX, SQLITE_CREATE_TEMP_TRIGGER:
        return guardian.refuse("temporary objects", specific: true)
    case SQLITE_INSERT, SQLITE_UPDATE,
        SQLITE_DELETE where a == "sqlite_temp_master" || a == "sqlite_master":
        // Also the first step of instantiating a table-valued function (json_each, pragma_table_info).
        return guardian.refuse("temporary objects, schema changes or table-valued functions", specific: true)
    default:
        return guardian.refuse("statements other than SELECT")
    }
}

/// The progress handler: non-zero interrupts the statement.
private func interrupt(_ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let context else { return 1 }
    let guardian = Unmanaged<SQLiteAuditConsole.Guardian>.fromOpaque(context).takeUnretainedValue()
    guard DispatchTime.now().uptimeNanoseconds < guardian.deadline else {
        guardian.expired = true
        return 1
    }
    return 0
}
