import ArgumentParser
import CountersignLedger
import CountersignSQLite
import Foundation

/// `countersign ledger …`: the tamper-evident ledger.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Append to, verify and prove the tamper-evident ledger.",
        subcommands: [
            LedgerAppendCommand.self, LedgerVerifyCommand.self, LedgerCheckpointCommand.self, LedgerProveCommand.self,
            LedgerConsistencyCommand.self,
        ])
}

/// Options every ledger command shares.
struct LedgerOptions: ParsableArguments {
    @Option(help: "The ledger database: a SQLite file path.")
    var database: String = "./countersign.db"

    func open() throws -> SQLiteLedger {
        guard !database.hasPrefix("postgres://") && !database.hasPrefix("postgresql://") else {
            printError("PostgreSQL ledgers are not available in this build yet; use a SQLite path")
            throw ExitCode(1)
        }
        do { return try SQLiteLedger(path: database) } catch {
            printError(error.message)
            throw ExitCode(1)
        }
    }
}

/// Prints a JSON value on stdout.
func printJSON(_ v: JSONValue) { print(v.canonicalString) }

/// Runs a ledger operation, turning its error into a message and exit status 1.
func ledgerRun<T>(_ body: () throws(LedgerError) -> T) throws -> T {
    do { return try body() } catch {
        printError(error.message)
        throw ExitCode(1)
    }
}

/// `countersign ledger append [FILE]`: entries as JSON (one object, or one per line) from a file or stdin.
struct LedgerAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append entries: {\"type\", \"actor\", \"at\"?, \"payload\"} as JSON lines, in one transaction.")

    @OptionGroup var options: LedgerOptions

    @Argument(help: "A file of JSON lines (default: standard input).")
    var file: String?

    func run() throws {
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("cannot read \(file)")
                throw ExitCode(1)
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        var drafts: [EntryDraft] = []
        for (n, line) in text.split(separator: "\n").enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do { drafts.append(try EntryDraft(json: String(line), defaultTime: Date())) } catch {
                printError("line \(n + 1): \(error.message); nothing was appended")
                throw ExitCode(1)
            }
        }
        let ledger = try options.open()
        let entries = try ledgerRun { () throws(LedgerError) in try ledger.append(drafts) }
        for e in entries { printJSON(.object([("seq", .number(Double(e.seq))), ("type", .string(e.type.rawValue))])) }
    }
}

/// `countersign ledger verify [--verifier KEY]`: recomputes every hash; names the first bad entry.
struct LedgerVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recompute every hash and check the latest checkpoint; exit 1 on tampering.")

    @OptionGroup var options: LedgerOptions

    @Option(help: "The checkpoint verifier key (<name>+<hex id>+<base64 key>), or a file holding it.")
    var verifier: String?

    func run() throws {
        let ledger = try options.open()
        let key = try verifier.map { v -> NoteVerifier in
            let text = FileManager.default.contents(atPath: v).map { String(decoding: $0, as: UTF8.self) } ?? v
            do { return try NoteVerifier(text) } catch {
                printError("--verifier: \(error)")
                throw ExitCode(1)
            }
        }
        let interactive = isatty(2) == 1
        let report = try ledgerRun { () throws(LedgerError) in
            try ledger.verify(verifier: key) { done, total in
                guard interactive, total > 0 else { return }
                let width = 30
                let filled = done * width / total
                FileHandle.standardError.write(
                    Data(
                        "\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)"
                            .utf8))
            }
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        if let problem = report.problem {
            printError("TAMPERED: \(problem.message)")
            throw ExitCode(1)
        }
        print(
            "ok: \(report.entries) entries, root \(Hex.encode(report.rootHash))"
                + (report.checkpointSize.map { ", signed checkpoint at size \($0) verified" } ?? ""))
    }
}

/// `countersign ledger checkpoint --key FILE --origin ORIGIN`: signs and stores a checkpoint, prints the note.
struct LedgerCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Sign a C2SP checkpoint of the current tree and print it.")

    @OptionGroup var options: LedgerOptions

    @Option(help: "A file with the private key (from `countersign keys generate`).")
    var key: String

    @Option(help: "The log origin (default: the key's name).")
    var origin: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: key) else {
            printError("cannot read \(key)")
            throw ExitCode(1)
        }
        let signer: NoteSigner
        do { signer = try NoteSigner(privateKey: String(decoding: data, as: UTF8.self)) } catch {
            printError("--key: \(error.message)")
            throw ExitCode(1)
        }
        let ledger = try options.open()
        let note = try ledgerRun { () throws(LedgerError) in
            try ledger.checkpoint(signer: signer, origin: origin ?? signer.name)
        }
        print(note, terminator: "")
    }
}

/// `countersign ledger prove --seq N [--size S]`: an inclusion proof as JSON.
struct LedgerProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Print an inclusion proof for an entry.")

    @OptionGroup var options: LedgerOptions

    @Option(help: "The entry's sequence number.")
    var seq: Int

    @Option(help: "The tree size to prove against (default: the current size).")
    var size: Int?

    func run() throws {
        let ledger = try options.open()
        let proof = try ledgerRun { () throws(LedgerError) in try ledger.inclusionProof(seq: seq, size: size) }
        printJSON(proof.json)
    }
}

/// `countersign ledger consistency --from A --to B`: a consistency proof as JSON.
struct LedgerConsistencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency", abstract: "Print a consistency proof between two tree sizes.")

    @OptionGroup var options: LedgerOptions

    @Option(help: "The earlier tree size.")
    var from: Int

    @Option(help: "The later tree size (default: the current size).")
    var to: Int?

    func run() throws {
        let ledger = try options.open()
        let proof = try ledgerRun { () throws(LedgerError) in
            var end = to
            if end == nil { end = try ledger.size() }
            return try ledger.consistencyProof(from: from, to: end ?? 0)
        }
        printJSON(proof.json)
    }
}

/// `countersign keys generate --name NAME --out FILE`: a checkpoint signing key.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage checkpoint signing keys.", subcommands: [KeysGenerateCommand.self])
}

struct KeysGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Create an Ed25519 note key: writes the private key to --out (mode 0600), prints the verifier key.")

    @Option(help: "The key name; use the log origin, e.g. countersign.example.com/ledger.")
    var name: String

    @Option(help: "Where to write the private key.")
    var out: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else {
            printError("\(out) exists; refusing to overwrite a key")
            throw ExitCode(1)
        }
        let signer: NoteSigner
        do { signer = try NoteSigner(name: name) } catch {
            printError(error.message)
            throw ExitCode(1)
        }
        guard
            FileManager.default.createFile(
                atPath: out, contents: Data((signer.privateKeyText + "\n").utf8), attributes: [.posixPermissions: 0o600]
            )
        else {
            printError("cannot write \(out)")
            throw ExitCode(1)
        }
        print(signer.verifier.text)
    }
}
