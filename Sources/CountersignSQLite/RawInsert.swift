internal import CSQLite
internal import CountersignLedger

/// An insert on a prepared statement through the C API. An append writes a row per entry and one per 16 entries
/// into the tree; binding through GRDB's argument values cost more than SQLite's B-tree work for those rows.
/// The statement stays owned (and cached) by GRDB; this only binds, steps and resets it.
struct RawInsert {
    let statement: OpaquePointer
    let connection: OpaquePointer

    /// SQLite copies bound bytes before `bind` returns, so callers may pass temporary buffers.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ column: Int32, _ value: Int64) { sqlite3_bind_int64(statement, column, value) }

    func bind(_ column: Int32, text: String) {
        var text = text
        text.withUTF8 { bind(column, text: UnsafeRawBufferPointer($0)) }
    }

    func bind(_ column: Int32, text: UnsafeRawBufferPointer) {
        guard let start = text.baseAddress, !text.isEmpty else {
            // A null pointer would bind SQL NULL; an empty text is a zero-length string.
            sqlite3_bind_text(statement, column, "", 0, RawInsert.transient)
            return
        }
        sqlite3_bind_text(
            statement, column, start.assumingMemoryBound(to: CChar.self), Int32(text.count), RawInsert.transient)
    }

    func bind(_ column: Int32, blob: [UInt8]) {
        _ = blob.withUnsafeBytes {
            sqlite3_bind_blob(statement, column, $0.baseAddress, Int32($0.count), RawInsert.transient)
        }
    }

    /// Runs the insert with the bound values and readies the statement for the next row.
    func run() throws(LedgerError) {
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(statement)
            throw LedgerError(.storage, "insert failed: \(message)")
        }
        sqlite3_reset(statement)
    }
}
