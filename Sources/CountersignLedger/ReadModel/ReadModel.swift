public import CountersignEncoding
public import Foundation

/// The queries the control plane asks of the projections, typed, written once here beside the tables' DDL
/// (``Projection``) in SQL both stores run, so no layer above the ledger writes SQL for its own reads (the audit
/// console, where people type SQL, is the exception by design).
///
/// Every row a query returns is read in full or the query fails naming the table and the row: a row that cannot be
/// read is never skipped, and a value outside its column's vocabulary (an unknown approval state) is never read as
/// a positive one — a skipped rejection or failed check would lighten the gate (DESIGN §5a).
public struct ReadModel: Sendable {
    public let store: any LedgerStore

    public init(_ store: any LedgerStore) { self.store = store }

    func rows(_ table: String, _ sql: String, _ arguments: [SQLValue] = []) async throws(LedgerError)
        -> [ProjectionRow]
    {
        let result = try await store.lookup(sql, arguments)
        return result.rows.map { ProjectionRow(table: table, columns: result.columns, values: $0) }
    }
}

/// One row of a projection table, its columns by name.
public struct ProjectionRow: Sendable {
    public let table: String
    public let columns: [String]
    public let values: [SQLValue]

    public init(table: String, columns: [String], values: [SQLValue]) {
        self.table = table
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }

    /// The column's text, nil when NULL.
    public func text(_ name: String) -> String? { self[name].textValue }

    /// The column's integer, nil when NULL or not a whole number.
    public func integer(_ name: String) -> Int64? {
        switch self[name] {
        case .integer(let i): i
        case .real(let d): Int64(exactly: d)
        default: nil
        }
    }

    /// The column's number, nil when NULL or not a number.
    public func real(_ name: String) -> Double? {
        switch self[name] {
        case .real(let d): d
        case .integer(let i): Double(i)
        default: nil
        }
    }

    /// The column's RFC 3339 time, nil when NULL or not a time.
    public func date(_ name: String) -> Date? { text(name).flatMap(RFC3339.date) }

    /// A column the row cannot be read without.
    func required<T>(_ value: T?) throws(LedgerError) -> T {
        guard let value else { throw unreadable() }
        return value
    }

    /// A time column that may be NULL but, when set, must be a time: an unreadable expiry is not "no expiry".
    func optionalDate(_ name: String) throws(LedgerError) -> Date? {
        guard text(name) != nil else { return nil }
        return try required(date(name))
    }

    /// A list column (a JSON array of strings) that may be NULL but, when set, must be one: a list that cannot be
    /// read is not "no list".
    func optionalStrings(_ name: String) throws(LedgerError) -> [String]? {
        guard let text = text(name) else { return nil }
        return try required(try? JSONValueDecoder().decode([String].self, from: Array(text.utf8)))
    }

    func unreadable() -> LedgerError {
        let fields = zip(columns, values).map { "\($0)=\($1)" }.joined(separator: ", ")
        return LedgerError(.tampered, "a row of \(table) cannot be read (\(fields.prefix(300)))")
    }
}
