import CountersignTesting
import Foundation
import Testing

/// Issue 19 item 7: one configuration for every command. A flag wins over the environment (`X`, then `X_FILE`, then
/// a file named X in `COUNTERSIGN_SECRETS_DIR`), which wins over the configuration file, which wins over the
/// default — for `serve` and the other commands alike; secrets never come from the file; and no command but `serve`
/// creates a ledger nobody configured.
@Suite struct ConfigurationTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func write(_ text: String, _ name: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// Runs the binary in the test's directory (not the repository), so a default `./countersign.db` would land here.
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        var clean = environment
        for name in ["COUNTERSIGN_DATABASE", "COUNTERSIGN_CONFIG", "COUNTERSIGN_SECRETS_DIR", "COUNTERSIGN_POLICY"]
        where clean[name] == nil {
            clean[name] = ""
        }
        let process = try ChildProcess(
            try CommandRunner.binary().path, arguments, environment: clean, directory: directory)
        let (out, err) = CommandRunner.readBoth(process.standardOutput!, process.standardError!)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    var policy: String { CommandRunner.repositoryRoot.appendingPathComponent("examples/policy").path }

    @Test func theFileTheEnvironmentAndTheFlagInOrder() throws {
        let config = try write("database: \(path("from-file.db"))\npolicy: \(policy)\n", "countersign.yaml")
        let mint = ["tokens", "create", "--identity", "deploy-bot", "--role", "deployer"]
        // The file names the ledger: the token goes there, and a new ledger is said to be created.
        let (status, _, stderr) = try run(mint + ["--config", config])
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("created a new ledger at \(path("from-file.db"))"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: path("from-file.db")))
        // COUNTERSIGN_CONFIG is the same as --config, for every command.
        let (verified, out, verifyErr) = try run(["ledger", "verify"], environment: ["COUNTERSIGN_CONFIG": config])
        #expect(verified == 0, "\(verifyErr)")
        #expect(out.hasPrefix("ok: 1 entries"), "\(out)")
        // The environment over the file, in each of its forms; the flag over the environment.
        _ = try run(mint + ["--config", config], environment: ["COUNTERSIGN_DATABASE": path("from-env.db")])
        #expect(FileManager.default.fileExists(atPath: path("from-env.db")))
        let pointer = try write(path("from-env-file.db") + "\n", "database-url")
        _ = try run(mint + ["--config", config], environment: ["COUNTERSIGN_DATABASE_FILE": pointer])
        #expect(FileManager.default.fileExists(atPath: path("from-env-file.db")), "COUNTERSIGN_DATABASE_FILE")
        try FileManager.default.createDirectory(atPath: path("secrets"), withIntermediateDirectories: true)
        _ = try write(path("from-secrets-dir.db"), "secrets/COUNTERSIGN_DATABASE")
        _ = try run(mint + ["--config", config], environment: ["COUNTERSIGN_SECRETS_DIR": path("secrets")])
        #expect(FileManager.default.fileExists(atPath: path("from-secrets-dir.db")), "COUNTERSIGN_SECRETS_DIR")
        _ = try run(
            mint + ["--config", config, "--database", path("from-flag.db")],
            environment: ["COUNTERSIGN_DATABASE": path("not-this.db")])
        #expect(FileManager.default.fileExists(atPath: path("from-flag.db")))
        #expect(!FileManager.default.fileExists(atPath: path("not-this.db")))
        // A file the environment names that cannot be read is an error naming it, never an unset setting.
        let (unreadable, _, message) = try run(
            ["ledger", "verify", "--config", config], environment: ["COUNTERSIGN_DATABASE_FILE": path("absent")])
        #expect(unreadable == 1)
        #expect(message.contains("COUNTERSIGN_DATABASE_FILE: cannot read \(path("absent"))"), "\(message)")
    }

    @Test func noCommandButServeCreatesALedgerNobodyConfigured() throws {
        // Nothing configured: tokens create refuses to make ./countersign.db (the mark of a configuration it did not
        // see), and leaves no file behind.
        let (status, _, stderr) = try run([
            "tokens", "create", "--identity", "deploy-bot", "--role", "deployer", "--policy", policy,
        ])
        #expect(status == 1)
        #expect(stderr.contains("no ledger at ./countersign.db, and none is configured"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("countersign.db")))
        // Commands that read a ledger never create one, even where one is named.
        for command in [["ledger", "verify"], ["ledger", "replay"], ["audit", "query", "SELECT 1"]] {
            let (refused, _, message) = try run(command + ["--database", path("typo.db")])
            #expect(refused == 1, "\(command)")
            #expect(message.contains("no ledger at \(path("typo.db"))"), "\(command): \(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: path("typo.db")))
    }

    @Test func secretsComeFromTheEnvironmentInAnyFormAndNeverFromTheFile() throws {
        let base = ["serve", "--database", path("ledger.db"), "--policy", policy, "--port", "0"]
        // The session key is read from a file the environment names, and from the secrets directory: a short one
        // refuses to start either way, which shows it was read.
        let short = try write("too-short\n", "session-key")
        let (fromFile, _, fileMessage) = try run(base, environment: ["COUNTERSIGN_SESSION_KEY_FILE": short])
        #expect(fromFile != 0)
        #expect(fileMessage.contains("COUNTERSIGN_SESSION_KEY must be at least 32 characters"), "\(fileMessage)")
        try FileManager.default.createDirectory(atPath: path("secrets"), withIntermediateDirectories: true)
        _ = try write("also-short", "secrets/COUNTERSIGN_SESSION_KEY")
        let (fromDirectory, _, directoryMessage) = try run(
            base, environment: ["COUNTERSIGN_SECRETS_DIR": path("secrets")])
        #expect(fromDirectory != 0)
        #expect(directoryMessage.contains("COUNTERSIGN_SESSION_KEY must be at least 32 characters"))
        // A secret in the configuration file is refused, for serve and for the other commands.
        let leaky = try write(
            "database: \(path("ledger.db"))\nsessionKey: hunter2hunter2hunter2hunter2hunter2\n", "c.yaml")
        for command in [["serve", "--config", leaky], ["ledger", "verify", "--config", leaky]] {
            let (refused, _, message) = try run(command)
            #expect(refused != 0)
            #expect(message.contains("unknown setting sessionKey (secrets belong in the environment)"), "\(message)")
        }
    }
}
