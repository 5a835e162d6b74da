internal import CountersignEncoding
public import CountersignLedger
internal import Foundation

/// Whether a store's projection tables say what its entries say. `verify` proves the log; the gate, the audit
/// console and the reports read the tables, and someone with the database could edit a row there (an approval's
/// state, a check's status) that no hash covers. This replays every entry into a scratch SQLite ledger — the same
/// projection, from the entries alone — and compares every table row for row, for any store.
public enum ProjectionCheck {
    /// The first difference, naming the table and a row, or nil when every table matches its replay.
    public static func firstDifference(in store: any LedgerStore, batch: Int = 5_000) async throws(LedgerError)
        -> String?
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("projection-check-\(UUID())")
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw LedgerError(.storage, "cannot create a scratch directory: \(error)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let replay = try SQLiteLedger(path: directory.appendingPathComponent("replay.db").path)
        let size = try await store.size()
        var next = 0
        while next < size {
            let entries = try await store.entries(from: next, count: batch)
            guard !entries.isEmpty else { break }
            var drafts: [EntryDraft] = []
            for entry in entries {
                do {
                    drafts.append(
                        try EntryDraft(type: entry.type, at: entry.at, actor: entry.actor, payload: entry.payload))
                } catch { throw LedgerError(.tampered, "entry \(entry.seq) cannot be replayed: \(error.message)") }
            }
            try await replay.append(drafts)
            next += entries.count
        }
        for table in Projection.tables {
            let stored = try await rows(of: table, in: store)
            let replayed = try await rows(of: table, in: replay)
            if stored == replayed { continue }
            let missing = replayed.subtracting(stored).sorted().first
            let extra = stored.subtracting(replayed).sorted().first
            if let extra {
                return "\(table) holds a row its entries do not imply: \(extra.prefix(300))"
                    + (missing.map { " (the replay has: \($0.prefix(300)))" } ?? "")
            }
            if let missing { return "\(table) lacks a row its entries imply: \(missing.prefix(300))" }
            return "\(table) holds a row more times than its entries imply"
        }
        return nil
    }

    /// A table's rows, each as the canonical JSON of its columns by name (escaped, so no value can pass for two),
    /// compared as a multiset through their counts. Numbers compare as numbers: PostgreSQL's BIGINT and SQLite's
    /// INTEGER read alike.
    private static func rows(of table: String, in store: any LedgerStore) async throws(LedgerError) -> Set<String> {
        let result = try await store.lookup("SELECT * FROM \(table)", [])
        var counts: [String: Int] = [:]
        for row in result.rows {
            let text = JSONValue.object(zip(result.columns, row).map { ($0, $1.json) }).canonicalString
            counts[text, default: 0] += 1
        }
        return Set(counts.map { $0.value == 1 ? $0.key : "\($0.key) ×\($0.value)" })
    }
}
