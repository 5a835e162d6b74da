internal import CountersignEncoding
public import CountersignLedger
internal import Foundation
internal import GRDB

extension SQLiteLedger {
    /// Copies the ledger to a new file at `destination` with SQLite's online backup API, consistent while appends
    /// go on: the copy is one read snapshot, never a file copied as it changes (`cp` of a live WAL-mode file can
    /// lose acknowledged entries). The copy is written beside the destination through a rollback-journal connection
    /// (so, closed, the file is whole without a WAL beside it), then opened and verified as a ledger — every entry,
    /// the tree — and its root at its size held against this ledger's root at that size, so a backup is always a
    /// prefix of the live log, never a fork. Only then is it synced and renamed into place; an existing file is
    /// never overwritten. Answers the copy's size and root.
    public func backup(to destination: String) async throws(LedgerError) -> (size: Int, root: [UInt8]) {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw LedgerError(.invalidInput, "backup \(destination) exists: a backup never overwrites a file")
        }
        let temporary = destination + ".partial-\(UUID().uuidString)"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: temporary + suffix)
            }
        }
        do {
            let copy = try DatabaseQueue(path: temporary)
            try pool.backup(to: copy)
            try copy.close()
        } catch {
            throw LedgerError(.storage, "cannot back up \(path) to \(destination): \(SQLiteLedger.describe(error))")
        }
        let (size, root) = try await Self.verifiedHead(of: temporary)
        guard try await self.root(size: size) == root else {
            throw LedgerError(
                .tampered,
                "the backup's root at \(size) entries is not this ledger's: the copy is not a prefix of the log")
        }
        do {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            try FileManager.default.moveItem(atPath: temporary, toPath: destination)
            let directory = try FileHandle(
                forReadingFrom: URL(fileURLWithPath: destination).deletingLastPathComponent())
            try? directory.synchronize()
            try directory.close()
        } catch {
            throw LedgerError(.storage, "cannot move the backup into place at \(destination): \(error)")
        }
        return (size, root)
    }

    /// Opens `path` as a ledger, verifies every entry and the tree, and answers its size and root. Opening reads and
    /// never writes (the schema is the running version's), so the file stays whole without a WAL.
    static func verifiedHead(of path: String) async throws(LedgerError) -> (size: Int, root: [UInt8]) {
        let copy = try SQLiteLedger(path: path)
        try await copy.verify(verifier: nil, progress: { _, _ in })
        let size = try await copy.size()
        return (size, try await copy.root(size: size))
    }
}
