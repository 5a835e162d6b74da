import ArgumentParser
import CountersignControl
import CountersignCore
internal import CountersignEncoding
import CountersignLedger
import CountersignPostgres
import CountersignSQLite
import Foundation

/// `countersign ledger …`: the tamper-evident ledger.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Append to, verify, prove, replay and export the tamper-evident ledger.",
        subcommands: [
            LedgerAppendCommand.self, LedgerVerifyCommand.self, LedgerCheckpointCommand.self, LedgerProveCommand.self,
            LedgerConsistencyCommand.self, LedgerReplayCommand.self, LedgerExportCommand.self,
            LedgerVerifyPackCommand.self, LedgerAuditGrantsCommand.self, LedgerBackupCommand.self,
            LedgerRestoreCommand.self, LedgerWitnessCommand.self,
        ])
}

/// The options every command that opens the ledger shares: `--database` and `--config`, resolved as `serve`
/// resolves them (``Settings``: the flag, else `COUNTERSIGN_DATABASE` in any of its forms, else the configuration
/// file's `database`, else `./countersign.db`) — so `COUNTERSIGN_DATABASE=… countersign tokens create` mints into
/// the configured ledger, never into a new file beside it.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: """
            The ledger: a SQLite file path, or a postgres:// URL (postgres://user@host:port/db?sslmode=verify-full); \
            default COUNTERSIGN_DATABASE, else the configuration file's database, else ./countersign.db.
            """)
    var databaseOption: String?

    @Option(help: "A YAML configuration file, as `serve` reads it (default COUNTERSIGN_CONFIG).")
    var config: String?

    init() {}
    init(database: String) {
        self.databaseOption = database
        self.config = nil
    }

    /// Which commands may create a SQLite ledger that does not exist yet.
    enum Creation {
        /// Never: a command that reads or checks a ledger has nothing to read in a new one.
        case never
        /// At a path someone configured (a flag, the environment, the file), saying so — never at the default
        /// `./countersign.db`, where a new file is the mark of a configuration the command did not see.
        case configured
        /// `serve`: its zero-configuration start creates `./countersign.db`.
        case always
    }

    var settings: Settings { get throws { try Settings(config: config) } }

    /// The key a checkpoint is checked with: `flag` (a verifier key or a file holding one), else
    /// `COUNTERSIGN_CHECKPOINT_VERIFIER`, else the public half of `COUNTERSIGN_CHECKPOINT_KEY` (the key `serve` signs
    /// with) — as the environment and the configuration file give them; nil when none is configured.
    func checkpointVerifier(_ flag: String?) throws -> NoteVerifier? {
        let settings = try settings
        if let text = try settings.value(flag, "COUNTERSIGN_CHECKPOINT_VERIFIER") { return try loadVerifier(text) }
        if let path = try settings.value(nil, "COUNTERSIGN_CHECKPOINT_KEY") { return try loadSigner(path).verifier }
        return nil
    }

    var database: String {
        get throws { try settings.value(databaseOption, "COUNTERSIGN_DATABASE") ?? "./countersign.db" }
    }

    var isPostgres: Bool {
        get throws {
            let database = try database
            return database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
        }
    }

    /// Opens the store, runs `body` with it and closes it. Ledger errors become a message and exit status 1. On
    /// PostgreSQL, audit queries log in with `audit` (a SELECT-only role's URL); without it they are refused. A
    /// SQLite file that does not exist is created only as `creating` allows.
    func withStore<T: Sendable>(
        audit: String? = nil, creating: Creation = .never, _ body: @Sendable (any LedgerStore) async throws -> T
    ) async throws -> T {
        let database = try database
        do {
            if try isPostgres {
                return try await PostgresLedger.withLedger(url: database, auditURL: audit) { try await body($0) }
            }
            if !FileManager.default.fileExists(atPath: database) {
                let configured = try settings.isSet(databaseOption, "COUNTERSIGN_DATABASE")
                switch creating {
                case .always: break
                case .configured where configured:
                    printError("countersign: created a new ledger at \(database)")
                case .configured:
                    throw ControlError(
                        .badRequest,
                        "no ledger at \(database), and none is configured: name it with --database, COUNTERSIGN_DATABASE "
                            + "or the configuration file's database (`countersign serve` creates a new one)")
                case .never:
                    throw ControlError(
                        .badRequest,
                        "no ledger at \(database): name an existing one with --database, COUNTERSIGN_DATABASE or the "
                            + "configuration file's database")
                }
            }
            return try await body(try SQLiteLedger(path: database))
        } catch let error as LedgerError {
            throw ControlError(ledger: error)
        }
    }
}

/// A period `--from T1 --to T2` (RFC 3339, half-open), shared by the commands that report on one.
struct PeriodOptions: ParsableArguments {
    @Option(help: "Start of the period (RFC 3339, inclusive).")
    var from: String

    @Option(help: "End of the period (RFC 3339, exclusive).")
    var to: String

    func validate() throws {
        _ = try parseTime(from, "--from")
        _ = try parseTime(to, "--to")
    }

    var dates: (from: Date, to: Date) {
        get throws { (try parseTime(from, "--from"), try parseTime(to, "--to")) }
    }
}

/// Prints a JSON value on stdout.
func printJSON(_ v: JSONValue) { print(v.canonicalString) }

/// Reads a whole file, or exits 1 naming it.
func readFile(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ControlError(.badRequest, "cannot read \(path)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Parses an RFC 3339 option, or exits with a usage error.
func parseTime(_ text: String, _ option: String) throws -> Date {
    guard let d = RFC3339.date(text) else { throw ValidationError("\(option) must be an RFC 3339 time") }
    return d
}

/// A checkpoint verifier key given inline or as a file.
func loadVerifier(_ v: String) throws -> NoteVerifier {
    let text = FileManager.default.contents(atPath: v).map { String(decoding: $0, as: UTF8.self) } ?? v
    do { return try NoteVerifier(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
        throw ControlError(.badRequest, "--verifier: \(error)")
    }
}

/// A witness's key given inline or as a file.
func loadWitness(_ v: String) throws -> CosignatureVerifier {
    let text = FileManager.default.contents(atPath: v).map { String(decoding: $0, as: UTF8.self) } ?? v
    do { return try CosignatureVerifier(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
        throw ControlError(.badRequest, "--witness: \(error)")
    }
}

/// A checkpoint signing key from a file written by `keys generate`.
func loadSigner(_ path: String) throws -> NoteSigner {
    do { return try NoteSigner(privateKey: try readFile(path)) } catch let error as NoteError {
        throw ControlError(.badRequest, "--key: \(error.message)")
    }
}
