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

extension SQLiteLedger {
    /// Puts a backup back as the ledger at `destination`, which must not exist: the backup is copied beside it,
    /// opened and verified as a ledger (every entry, the tree, and its latest stored checkpoint with `verifier`),
    /// then handed to `check` — which holds it against the checkpoint published outside the database — and only
    /// when all of that passes is it synced and renamed into place. Nothing is left behind on a refusal. Answers
    /// the restored size and what `check` answered.
    public static func restore<T: Sendable>(
        from backup: String, to destination: String, verifier: NoteVerifier?,
        check: @Sendable (SQLiteLedger) async throws -> T
    ) async throws -> (size: Int, checked: T) {
        for suffix in ["", "-wal", "-shm", "-journal"]
        where FileManager.default.fileExists(atPath: destination + suffix) {
            throw LedgerError(
                .invalidInput,
                "\(destination + suffix) exists: restore never overwrites a ledger; move it aside first")
        }
        guard FileManager.default.fileExists(atPath: backup) else {
            throw LedgerError(.invalidInput, "no backup at \(backup)")
        }
        let temporary = destination + ".restoring-\(UUID().uuidString)"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: temporary + suffix)
            }
        }
        do { try FileManager.default.copyItem(atPath: backup, toPath: temporary) } catch {
            throw LedgerError(.storage, "cannot copy \(backup) beside \(destination): \(error.localizedDescription)")
        }
        let result = try await Self.checked(temporary, verifier: verifier, check: check)
        do {
            for suffix in ["-wal", ""] where FileManager.default.fileExists(atPath: temporary + suffix) {
                let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary + suffix))
                try handle.synchronize()
                try handle.close()
                try FileManager.default.moveItem(atPath: temporary + suffix, toPath: destination + suffix)
            }
            let directory = try FileHandle(
                forReadingFrom: URL(fileURLWithPath: destination).deletingLastPathComponent())
            try? directory.synchronize()
            try directory.close()
        } catch {
            throw LedgerError(.storage, "cannot move the restored ledger into place at \(destination): \(error)")
        }
        return result
    }

    /// Opens `path`, verifies it and runs `check`; the ledger is closed when this returns.
    private static func checked<T: Sendable>(
        _ path: String, verifier: NoteVerifier?, check: @Sendable (SQLiteLedger) async throws -> T
    ) async throws -> (size: Int, checked: T) {
        let ledger = try SQLiteLedger(path: path)
        let report = try await ledger.verify(verifier: verifier, progress: { _, _ in })
        if let problem = report.problem {
            throw LedgerError(.tampered, "the backup does not verify: \(problem.message)")
        }
        return (report.entries, try await check(ledger))
    }
}
