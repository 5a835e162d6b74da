public import CountersignEncoding
internal import Foundation

/// A value bound to or read from SQL, in the subset both backends share.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let i): String(i)
        case .real(let d): String(d)
        case .text(let s): s
        case .blob(let b): "x'" + Hex.encode(b) + "'"
        }
    }

    /// The value as JSON: blobs as lowercase hex.
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .integer(let i): .number(Double(i))
        case .real(let d): .number(d)
        case .text(let s): .string(s)
        case .blob(let b): .string(Hex.encode(b))
        }
    }

    public var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// A number as a double (integers widened); `nil` for text, blobs and NULL.
    public var realValue: Double? {
        switch self {
        case .real(let d): d
        case .integer(let i): Double(i)
        default: nil
        }
    }

    public var integerValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }
}

/// One SQL statement in the dialect both backends accept: `?` placeholders, `INSERT … ON CONFLICT … DO UPDATE`,
/// `TEXT`/`BIGINT` columns. The PostgreSQL store numbers the placeholders.
public struct SQLStatement: Sendable, Hashable {
    public let sql: String
    public let arguments: [SQLValue]

    public init(_ sql: String, _ arguments: [SQLValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

extension SQLValue {
    /// What a value counts against an audit's byte cap: text and blobs by length, numbers as 8.
    public var byteCount: Int {
        switch self {
        case .null: 0
        case .integer, .real: 8
        case .text(let s): s.utf8.count
        case .blob(let b): b.count
        }
    }
}

/// The rows of a read-only query.
public struct QueryResult: Sendable, Hashable {
    public let columns: [String]
    public let rows: [[SQLValue]]
    /// Set when the rows were cut at an audit limit: says which (the rows are the first ones the query returned).
    public let truncation: String?

    public init(columns: [String], rows: [[SQLValue]], truncation: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.truncation = truncation
    }

    /// Each row as an object keyed by column name.
    public var json: JSONValue {
        .array(rows.map { row in .object(zip(columns, row).map { ($0, $1.json) }) })
    }

    /// RFC 4180 CSV with a header line, safe to open in a spreadsheet: a text cell that a spreadsheet would read
    /// as a formula — one starting (after any spaces) with `=`, `+`, `-`, `@`, a tab or a carriage return, or
    /// their full-width forms — is prefixed with `'` (OWASP's CSV-injection defence), since ledger text such as a
    /// review comment or a service name is written by whoever the ledger records. Numbers are left as they are.
    public var csv: String {
        func field(_ s: String, text: Bool) -> String {
            let s = text && Self.readAsFormula(s) ? "'" + s : s
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [columns.map { field($0, text: true) }.joined(separator: ",")]
        for row in rows {
            lines.append(
                row.map { value in
                    switch value {
                    case .null: ""
                    case .integer, .real: field(value.description, text: false)
                    case .text, .blob: field(value.description, text: true)
                    }
                }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Whether a spreadsheet could take `cell` for a formula (some trim leading spaces first).
    static func readAsFormula(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first(where: { $0 != " " }) else { return false }
        return "=+-@\t\r\u{FF1D}\u{FF0B}\u{FF0D}\u{FF20}".unicodeScalars.contains(first)
    }

    /// An aligned text table.
    public var table: String {
        let cells = [columns] + rows.map { $0.map(\.description) }
        let widths = columns.indices.map { c in cells.map { $0[c].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingTrailingSpaces()
        }
        var out = [line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map { line($0.map(\.description)) }
        out.append("(\(rows.count) row\(rows.count == 1 ? "" : "s")\(truncation.map { "; truncated: \($0)" } ?? ""))")
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
