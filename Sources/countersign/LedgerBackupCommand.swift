import ArgumentParser
import CountersignControl
internal import CountersignEncoding
import CountersignLedger
import CountersignSQLite
import Foundation

/// `countersign ledger backup --to FILE`: a consistent copy of the embedded ledger while it serves — SQLite's online
/// backup, verified and proven a prefix of the live log before it takes its name. PostgreSQL ledgers are backed up
/// with pg_dump.
struct LedgerBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite ledger consistently while it serves; the copy is verified before it is kept.",
        discussion: """
            The copy is one read snapshot (appends go on meanwhile), verified entry by entry and against this \
            ledger's root at the copy's size, then synced and renamed into place; an existing file is never \
            overwritten. A PostgreSQL ledger: use pg_dump (a consistent snapshot of the database).
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The backup file to create.") var to: String

    func run() async throws {
        guard try !store.isPostgres else {
            throw ControlError(
                .badRequest, "a PostgreSQL ledger is backed up with pg_dump; ledger backup copies a SQLite ledger")
        }
        let database = try store.database
        guard FileManager.default.fileExists(atPath: database) else {
            throw ControlError(.badRequest, "no ledger at \(database)")
        }
        let destination = to
        let (size, root) = try await store.withStore { ledger in
            guard let sqlite = ledger as? SQLiteLedger else {
                throw ControlError(.badRequest, "ledger backup copies a SQLite ledger")
            }
            return try await sqlite.backup(to: destination)
        }
        print("backed up \(size) entries (root sha256:\(Hex.encode(root))) to \(destination)")
    }
}
