/// What one audit-console query may cost. The console runs SQL an auditor typed, so every resource it can
/// consume is bounded: time, rows, bytes, the size of any one value, and how many run at once. A query that
/// reaches a row or byte cap returns what it read with `QueryResult.truncation` set; one that reaches the time
/// limit fails with a message that names the limit.
public struct AuditLimits: Sendable, Hashable {
    /// How long one statement may run before it is interrupted.
    public var timeLimit: Duration
    /// Rows returned at most; the rest are cut and the result says so.
    public var maxRows: Int
    /// Bytes of values returned at most (text and blobs by length, numbers as 8).
    public var maxBytes: Int
    /// The largest string or blob a statement may build or read (SQLite's `SQLITE_LIMIT_LENGTH`): without it,
    /// `zeroblob` or `printf('%.*c', …)` would allocate whatever was asked for before any row is counted.
    public var maxValueBytes: Int
    /// Audit queries that may run at once; one more is refused, not queued, so audits cannot pile up behind a
    /// slow query and hold memory.
    public var concurrentQueries: Int

    public init(
        timeLimit: Duration = .seconds(5), maxRows: Int = 10_000, maxBytes: Int = 16 << 20,
        maxValueBytes: Int = 1 << 20, concurrentQueries: Int = 2
    ) {
        precondition(maxRows > 0 && maxBytes > 0 && maxValueBytes > 0 && concurrentQueries > 0)
        self.timeLimit = timeLimit
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.maxValueBytes = maxValueBytes
        self.concurrentQueries = concurrentQueries
    }

    /// The defaults: 5 s, 10,000 rows, 16 MiB, 1 MiB a value, 2 at once.
    public static let standard = AuditLimits()

    /// The time limit in whole milliseconds (at least 1).
    public var timeLimitMilliseconds: Int64 {
        let (seconds, attoseconds) = timeLimit.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// The tables an audit may read: the projections and the log itself. `api_tokens.token_hash` and
    /// `web_sessions.session_hash` are not among what an auditor may read (a hash of a 256-bit secret is not the secret, but it is the key every request is
    /// looked up by, and nobody's audit needs it).
    public static let readableTables: Set<String> = Set(Projection.tables).union(["entries", "checkpoints", "nodes"])
    /// Columns withheld from audits, as `table.column`.
    public static let withheldColumns: Set<String> = ["api_tokens.token_hash", "web_sessions.session_hash"]
}
