import AsyncHTTPClient
import CountersignControl
import CountersignLedger
import CountersignSQLite
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Issue 19 item 8: backups that cannot fork the log. The real binary signs checkpoints as the log grows and
/// publishes each outside the database; a witness of its own cosigns only what extends what it cosigned before;
/// `ledger verify --published … --witness …` proves the ledger never rewrote what was witnessed; `ledger restore`
/// refuses a backup older than the published log — and a ledger restored behind its back anyway cannot publish.
@Suite(.serialized) struct CheckpointWitnessTests {
    /// A scratch directory with a log key, a witness key and a ledger holding `entries` entries and a token for the witness to read the log with.
    struct Setup {
        let dir: String
        let ledger: String
        let logVerifier: String
        let witnessVerifier: String
        let token: String

        init(entries: Int) async throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("witness-\(UUID())").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            ledger = dir + "/ledger.db"
            let log = try CommandRunner.run(
                ["keys", "generate", "--name", "log.test/ledger", "--out", dir + "/log.key"])
            let witness = try CommandRunner.run(
                ["keys", "generate", "--witness", "--name", "witness.test/w1", "--out", dir + "/witness.key"])
            #expect(log.status == 0 && witness.status == 0, "\(log.stderr)\(witness.stderr)")
            logVerifier = log.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            witnessVerifier = witness.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try await Self.append(entries, to: ledger, from: 0)
            let minted = try CommandRunner.run(
                ["tokens", "create", "--identity", "deploy-bot", "--role", "deployer", "--database", ledger])
            #expect(minted.status == 0, "\(minted.stderr)")
            token = minted.stdout.split(separator: "\n").first.map(String.init) ?? ""
        }

        static func append(_ count: Int, to path: String, from start: Int) async throws {
            let store = try SQLiteLedger(path: path)
            _ = try await store.append((start..<start + count).map(LedgerFixtures.filler))
        }

        func run(_ arguments: [String]) throws -> CommandRunner.Run {
            try CommandRunner.run(arguments, environment: ["COUNTERSIGN_DATABASE": ledger])
        }

        /// Serves the ledger, signing every second and publishing to `published`; stops it after `body`.
        func serving<T>(published: String, _ body: (String) async throws -> T) async throws -> T {
            let server = try ChildProcess(
                try CommandRunner.binary().path,
                [
                    "serve", "--database", ledger, "--port", "0", "--origin", "log.test/ledger", "--checkpoint-key",
                    dir + "/log.key", "--publish-checkpoints", published, "--checkpoint-interval", "1",
                ], standardError: .discard)
            defer {
                server.terminate()
                server.waitUntilExit()
            }
            let line = String(decoding: CommandRunner.readSome(server.standardOutput!), as: UTF8.self)
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }).description
            return try await body(url)
        }

        /// The witness command with its key, the log's key, its state and the token.
        func witness(state: String) -> [String] {
            [
                "ledger", "witness", "--key", dir + "/witness.key", "--log-verifier", logVerifier, "--state", state,
                "--token", token,
            ]
        }

        /// Waits until the published checkpoint covers `size` entries.
        func waitForPublication(_ published: String, size: Int) async throws {
            for _ in 0..<100 {
                if let note = try? String(contentsOfFile: published + "/checkpoint", encoding: .utf8),
                    let checkpoint = try? Checkpoint(body: Checkpoint.body(ofNote: note)), checkpoint.size >= size
                {
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("no checkpoint of size \(size) was published at \(published)")
        }
    }

    @Test func aWitnessedLogProvesItWasNeverRewrittenAndRestoreRefusesAnOlderBackup() async throws {
        let s = try await Setup(entries: 10)
        let published = s.dir + "/published"
        let state = s.dir + "/witness"
        let witness = s.witness(state: state)
        // A backup now, at 11 entries (ten and the token).
        #expect(try s.run(["ledger", "backup", "--to", s.dir + "/old.db"]).status == 0)

        // The first start records the policy (a twelfth entry) and signs the tree.
        let first = try await s.serving(published: published) { url in
            try await s.waitForPublication(published, size: 12)
            let first = try s.run(witness + ["--server", url])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("— witness.test/w1 "), "\(first.stdout)")
            #expect(first.stdout.contains("— log.test/ledger "), "\(first.stdout)")
            return try Checkpoint(body: Checkpoint.body(ofNote: first.stdout)).size
        }
        // The log grows; the next checkpoint is consistent with the witnessed one and is cosigned.
        try await Setup.append(5, to: s.ledger, from: 10)
        let size = first + 5
        try await s.serving(published: published) { url in
            try await s.waitForPublication(published, size: size)
            let second = try s.run(witness + ["--server", url])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.hasPrefix("log.test/ledger\n\(size)\n"), "\(second.stdout)")
        }
        #expect(FileManager.default.fileExists(atPath: state + "/checkpoints/\(first)"))
        #expect(FileManager.default.fileExists(atPath: published + "/checkpoints/\(size)"))

        // The live ledger extends both the published and the witnessed checkpoint.
        let verified = try s.run([
            "ledger", "verify", "--verifier", s.logVerifier, "--published", state, "--witness", s.witnessVerifier,
        ])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(
            verified.stdout.contains("extends the checkpoint published at size \(size), cosigned by witness.test/w1"))
        // A witness key the checkpoint does not carry fails it.
        let other = try CommandRunner.run([
            "keys", "generate", "--witness", "--name", "witness.test/w2", "--out", s.dir + "/w2.key",
        ])
        let uncosigned = try s.run([
            "ledger", "verify", "--verifier", s.logVerifier, "--published", state, "--witness",
            other.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
        ])
        #expect(uncosigned.status == 1)
        #expect(uncosigned.stderr.contains("no cosignature by witness.test/w2"), "\(uncosigned.stderr)")

        // Restoring the backup taken at 11 entries would lose acknowledged entries and fork the log: refused,
        // and nothing is left where the ledger would go.
        let restoredPath = s.dir + "/restored.db"
        let refused = try CommandRunner.run([
            "ledger", "restore", "--from", s.dir + "/old.db", "--published", published, "--verifier", s.logVerifier,
            "--database", restoredPath,
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("holds 11 entries, fewer than the \(size)"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir).filter { $0.hasPrefix("restored") }.isEmpty)

        // A current backup restores, and verifies against the witness afterwards.
        #expect(try s.run(["ledger", "backup", "--to", s.dir + "/new.db"]).status == 0)
        let restored = try CommandRunner.run([
            "ledger", "restore", "--from", s.dir + "/new.db", "--published", state, "--witness", s.witnessVerifier,
            "--verifier", s.logVerifier, "--database", restoredPath,
        ])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("restored \(size) entries"), "\(restored.stdout)")
        // Restore never overwrites a ledger.
        let again = try CommandRunner.run([
            "ledger", "restore", "--from", s.dir + "/new.db", "--published", published, "--verifier", s.logVerifier,
            "--database", restoredPath,
        ])
        #expect(again.status == 1 && again.stderr.contains("restore never overwrites a ledger"), "\(again.stderr)")
    }

    /// The attack restore exists to stop, done by hand: the old backup copied over the ledger and the server
    /// started on it. It appends different entries at the sizes already published and signs them — but cannot
    /// publish them, and the witness refuses the fork.
    @Test func aLedgerRestoredBehindTheLogsBackCannotPublishAndTheWitnessRefusesIt() async throws {
        let s = try await Setup(entries: 4)
        let published = s.dir + "/published"
        let state = s.dir + "/witness"
        let witness = s.witness(state: state)
        #expect(try s.run(["ledger", "backup", "--to", s.dir + "/old.db"]).status == 0)
        try await Setup.append(6, to: s.ledger, from: 100)
        try await s.serving(published: published) { url in
            try await s.waitForPublication(published, size: 12)
            #expect(try s.run(witness + ["--server", url]).status == 0)
        }
        // The fork: the old copy (5 entries) grows by other entries to the same size, 12 with the policy's.
        try FileManager.default.removeItem(atPath: s.ledger)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: s.ledger + suffix) }
        try FileManager.default.copyItem(atPath: s.dir + "/old.db", toPath: s.ledger)
        try await Setup.append(7, to: s.ledger, from: 200)
        let before = try String(contentsOfFile: published + "/checkpoint", encoding: .utf8)
        try await s.serving(published: published) { url in
            // The server signs its (forked) tree but publication refuses it; the published note is untouched.
            try await Task.sleep(for: .seconds(3))
            #expect(try String(contentsOfFile: published + "/checkpoint", encoding: .utf8) == before)
            let refused = try s.run(witness + ["--server", url])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("FORK"), "\(refused.stderr)")
        }
        let verified = try s.run(["ledger", "verify", "--verifier", s.logVerifier, "--published", published])
        #expect(verified.status == 1)
        #expect(verified.stderr.contains("is not the published checkpoint's: the ledger was rewritten"))
    }

    /// Publication to a URL (an object store, a web server): PUT with the bearer token, read back by GET; a ledger
    /// that does not extend what the URL holds — or another log's — is refused and the URL keeps its note.
    @Test func aURLTakesEachCheckpointAndRefusesAFork() async throws {
        let store = try await FakeHTTPServer()
        let url = store.baseURL + "/logs/countersign/checkpoint"
        let publication = try CheckpointPublication(url, token: "publish-secret")
        let signer = try NoteSigner(name: "log.test/ledger")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("publish-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = try SQLiteLedger(path: dir + "/honest.db")
        _ = try await ledger.append((0..<8).map(LedgerFixtures.filler))
        let metrics = ServerMetrics()
        let sign = { (store: any LedgerStore) in
            try await CheckpointSigner(
                store: store, signer: signer, origin: "log.test/ledger", publication: publication, interval: nil,
                metrics: metrics
            ).sign()
        }
        let first = try await sign(ledger)
        #expect(try await publication.latest() == first)
        let put = try #require(store.recorded.last)
        #expect(put.method == "PUT" && put.path == "/logs/countersign/checkpoint")
        #expect(put.headers["authorization"] == "Bearer publish-secret")
        _ = try await ledger.append((8..<12).map(LedgerFixtures.filler))
        let second = try await sign(ledger)
        #expect(try await publication.latest() == second)
        // A node that signed the smaller tree before another published the larger one: an older checkpoint of the
        // same log is not a fork — nothing is written, nothing refused.
        try await publication.publish(first, ledger: ledger)
        #expect(try await publication.latest() == second)

        // Another ledger with other entries signed by the same key: its checkpoint is not published.
        let forked = try SQLiteLedger(path: dir + "/forked.db")
        _ = try await forked.append((100..<115).map(LedgerFixtures.filler))
        let error = await #expect(throws: ControlError.self) { try await sign(forked) }
        #expect(error?.code == .conflict)
        #expect(error?.message.hasPrefix("FORK: this ledger does not extend the checkpoint published at") == true)
        #expect(try await publication.latest() == second)
        // Another log's checkpoints at the same place: refused by origin.
        _ = try await forked.append([LedgerFixtures.filler(115)])
        let elsewhere = try CheckpointSigner(
            store: forked, signer: NoteSigner(name: "other.test/ledger"), origin: "other.test/ledger",
            publication: publication, interval: nil)
        let crossed = await #expect(throws: ControlError.self) { try await elsewhere.sign() }
        #expect(crossed?.message.contains("holds checkpoints of log log.test/ledger") == true)
        // A store that refuses the PUT: the error says so, and nothing claims it was published.
        store.answer(503)
        _ = try await ledger.append([LedgerFixtures.filler(12)])
        let refused = await #expect(throws: ControlError.self) { try await sign(ledger) }
        #expect(refused?.message.contains("answered HTTP 503: the checkpoint is not published") == true)
        #expect(try await publication.latest() == second)
        // Each publication is counted by outcome: a fork is `refused` (page someone), a store that failed `failed`.
        let scrape = String(decoding: metrics.exposition(), as: UTF8.self)
        for (outcome, count) in [("published", 2), ("refused", 1), ("failed", 1)] {
            #expect(
                scrape.contains(#"countersign_checkpoint_publications_total{outcome="\#(outcome)"} \#(count)"#),
                "\(outcome): \(scrape)")
        }
    }
}
