import ArgumentParser
import CountersignControl
import CountersignLedger
import CountersignSQLite
import Foundation

/// `countersign ledger restore --from BACKUP --published SOURCE`: puts a SQLite backup back as the ledger — only
/// when it verifies and extends the latest checkpoint published outside the database. A backup older than a
/// published checkpoint would fork the signed log: the entries after it were acknowledged, and a ledger serving
/// from the backup would sign a different history at the same sizes. That is refused, naming how many entries are
/// missing; the honest way on is a new log, with the old checkpoints kept as the record of what was lost.
struct LedgerRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a SQLite backup as the ledger, refusing one that is not consistent with the published log.",
        discussion: """
            The ledger (--database, COUNTERSIGN_DATABASE) must not exist: move a damaged one aside first. The \
            backup is copied beside it, verified (every entry, the tree, its checkpoints with the log's key) and \
            held against the latest checkpoint at --published (a directory, a note file or an http(s) URL, cosigned \
            by each --witness); only then does it take the ledger's name. PostgreSQL: restore the pg_dump with \
            pg_restore into an empty database, then run `countersign ledger verify --published SOURCE` against it \
            before any server uses it.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The backup file (from `ledger backup`).") var from: String
    @Option(help: "Where checkpoints were published: a directory, a note file or an http(s) URL.") var published: String
    @Option(help: "The log's checkpoint verifier key, or a file holding it (default as `ledger verify` finds it).")
    var verifier: String?
    @Option(help: "A witness's key; the published checkpoint must carry its cosignature (repeatable).")
    var witness: [String] = []

    func run() async throws {
        guard try !store.isPostgres else {
            throw ValidationError(
                "a PostgreSQL ledger is restored with pg_restore; then check it with `ledger verify --published`")
        }
        guard let key = try store.checkpointVerifier(verifier) else {
            throw ValidationError(
                "restore needs the log's checkpoint key (--verifier, COUNTERSIGN_CHECKPOINT_VERIFIER or "
                    + "COUNTERSIGN_CHECKPOINT_KEY): the published checkpoint must be checked")
        }
        let database = try store.database
        let publication = try CheckpointPublication(published)
        let witnesses = try witness.map(loadWitness)
        do {
            let (size, checkpoint) = try await SQLiteLedger.restore(from: from, to: database, verifier: key) {
                try await publication.check($0, log: key, witnesses: witnesses)
            }
            print(
                "restored \(size) entries to \(database): the backup verifies and extends the checkpoint "
                    + "published at size \(checkpoint.size)")
        } catch let error as LedgerError {
            printError("REFUSED: \(error.message)")
            throw ExitCode.failure
        } catch let error as ControlError where error.code == .conflict || error.code == .unprocessable {
            printError("REFUSED: \(error.message)")
            throw ExitCode.failure
        }
    }
}
