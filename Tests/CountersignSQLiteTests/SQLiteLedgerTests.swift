import CountersignEncoding
import CountersignLedger
import CountersignTesting
import Foundation
import GRDB
import Testing

@testable import CountersignSQLite

/// A fresh ledger file in a temporary directory, removed afterwards.
final class TemporaryLedger: Sendable {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("countersign.db").path }

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: directory) }

    func open() throws -> SQLiteLedger { try SQLiteLedger(path: path) }

    /// A raw connection, as someone with file access would use, bypassing the store.
    func raw() throws -> DatabaseQueue { try DatabaseQueue(path: path) }
}

@Suite struct SQLiteLedgerTests {
    @Test(arguments: LedgerStoreConformance.all.map(\.name))
    func conformance(_ name: String) async throws {
        let tmp = try TemporaryLedger()
        let check = try #require(LedgerStoreConformance.all.first { $0.name == name })
        try await check.run(try tmp.open())
    }

    /// Each store caches the tree's edge after its own commits; another writer's appends must invalidate it.
    @Test func twoStoresOnOneFileTakeTurns() async throws {
        let tmp = try TemporaryLedger()
        let (a, b) = (try tmp.open(), try tmp.open())
        var tree = MerkleTree()
        var next = 0
        for (store, count) in [(a, 5), (b, 7), (a, 3), (a, 16), (b, 1), (a, 20)] {
            let entries = try await store.append((next..<(next + count)).map(LedgerFixtures.filler))
            for e in entries { tree.append(entry: e.canonicalBytes) }
            next += count
        }
        let report = try await a.verify(verifier: nil) { _, _ in }
        #expect(report.isValid, "\(String(describing: report.problem))")
        #expect(try await b.root() == tree.root() && report.rootHash == tree.root())
    }

    @Test func theDatabaseRefusesUpdatesAndDeletes() async throws {
        let tmp = try TemporaryLedger()
        try await tmp.open().append((0..<16).map(LedgerFixtures.filler))
        let queue = try tmp.raw()
        for sql in [
            "UPDATE entries SET actor = 'mallory' WHERE seq = 1", "DELETE FROM entries WHERE seq = 1",
            "UPDATE nodes SET hash = zeroblob(32)", "DELETE FROM nodes",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try queue.write { try $0.execute(sql: sql) } }
        }
    }

    @Test func verifyNamesTheFirstTamperedEntry() async throws {
        let tmp = try TemporaryLedger()
        try await tmp.open().append((0..<20).map(LedgerFixtures.filler))
        try await tmp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER entries_append_only_update")
            try db.execute(
                sql: "UPDATE entries SET canonical = replace(canonical, '\"t7\"', '\"tx\"') WHERE seq = 7")
        }
        let report = try await tmp.open().verify(verifier: nil) { _, _ in }
        #expect(report.problem?.seq == 7)
        #expect(report.problem?.message.contains("entry 7") == true)
    }

    /// The indexed columns sit outside the hashed bytes: rewriting one (who did it, what it was, when) changes every
    /// query that filters on it, and must fail verification just as a changed entry does.
    @Test(arguments: [
        ("actor = 'alice'", "actor"), ("type = 'incident.closed'", "type"), ("at = '2020-01-01T00:00:00.000Z'", "time"),
    ])
    func verifyNamesARewrittenIndexColumn(update: String, column: String) async throws {
        let tmp = try TemporaryLedger()
        try await tmp.open().append((0..<20).map(LedgerFixtures.filler))
        try await tmp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER entries_append_only_update")
            try db.execute(sql: "UPDATE entries SET \(update) WHERE seq = 11")
        }
        let report = try await tmp.open().verify(verifier: nil) { _, _ in }
        #expect(report.problem?.seq == 11)
        #expect(
            report.problem?.message == "entry 11's stored \(column) does not match the entry: the index was changed")
    }

    /// One byte changed anywhere in the stored entries or nodes is found and named.
    @Test func everyChangedByteIsFound() async throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        try await ledger.append((0..<40).map(LedgerFixtures.filler))
        let queue = try tmp.raw()
        try await queue.write { db in
            for t in ["entries_append_only_update", "nodes_append_only_update", "nodes_append_only_delete"] {
                try db.execute(sql: "DROP TRIGGER \(t)")
            }
        }
        var random = SeededRandom(seed: 4)
        for _ in 0..<25 {
            let seq = Int.random(in: 0..<40, using: &random)
            let original = try await queue.read {
                try String.fetchOne($0, sql: "SELECT canonical FROM entries WHERE seq = ?", arguments: [seq])!
            }
            var bytes = Array(original.utf8)
            let at = Int.random(in: 0..<bytes.count, using: &random)
            bytes[at] = bytes[at] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            let changed = String(decoding: bytes, as: UTF8.self)
            try await queue.write {
                try $0.execute(sql: "UPDATE entries SET canonical = ? WHERE seq = ?", arguments: [changed, seq])
            }
            let report = try await ledger.verify(verifier: nil) { _, _ in }
            #expect(report.problem?.seq == Int64(seq), "byte \(at) of entry \(seq)")
            try await queue.write {
                try $0.execute(sql: "UPDATE entries SET canonical = ? WHERE seq = ?", arguments: [original, seq])
            }
        }
        for level in 4...5 {
            try await queue.write { db in
                try db.execute(
                    sql: "UPDATE nodes SET hash = zeroblob(32) WHERE level = ? AND idx = 0", arguments: [level])
            }
            let report = try await ledger.verify(verifier: nil) { _, _ in }
            #expect(
                report.problem?.message.contains("tree node (\(level), 0)") == true,
                "\(String(describing: report.problem))")
            try await queue.write { db in
                try db.execute(sql: "DELETE FROM nodes WHERE level = ? AND idx = 0", arguments: [level])
            }
            let missing = try await ledger.verify(verifier: nil) { _, _ in }
            #expect(missing.problem?.message.contains("tree nodes") == true, "\(String(describing: missing.problem))")
            // Restore the node from a clean tree.
            var tree = MerkleTree()
            for e in try await ledger.entries(from: 0, count: 40) { tree.append(entry: e.json.canonicalBytes) }
            let hash = Data(tree.levels[level][0])
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO nodes (tile, level, idx, hash) VALUES (0, ?, 0, ?)", arguments: [level, hash])
            }
        }
        #expect(try await ledger.verify(verifier: nil) { _, _ in }.isValid)
    }

    @Test func aRewrittenLogCannotBeCheckpointedAgain() async throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        try await ledger.append((0..<16).map(LedgerFixtures.filler))
        let signer = try NoteSigner(name: "test.example/log")
        _ = try await ledger.checkpoint(signer: signer, origin: "test.example/log")
        try await tmp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER nodes_append_only_update")
            try db.execute(sql: "UPDATE nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0")
        }
        let report = try await ledger.verify(verifier: signer.verifier) { _, _ in }
        #expect(report.problem?.message.contains("tree node (4, 0)") == true)
        try await ledger.append([LedgerFixtures.filler(16)])
        await #expect(throws: LedgerError(.tampered, "")) {
            _ = try await ledger.checkpoint(signer: signer, origin: "test.example/log")
        }
    }

    @Test func severalProcessesAppendToOneFile() throws {
        let tmp = try TemporaryLedger()
        _ = try tmp.open()
        let lines = (0..<25).map {
            #"{"type":"check.reported","actor":"ci-builder","payload":{"name":"unit","status":"passed","digest":"\#(LedgerFixtures.digest)","n":\#($0)}}"#
        }.joined(separator: "\n")
        let input = tmp.directory.appendingPathComponent("entries.jsonl")
        try lines.write(to: input, atomically: true, encoding: .utf8)
        let binary = try CommandRunner.binary()
        let processes = try (0..<4).map { _ in
            try ChildProcess(
                binary.path, ["ledger", "append", "--database", tmp.path, input.path], standardOutput: .discard,
                standardError: .discard)
        }
        for p in processes {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        let verify = try CommandRunner.run(["ledger", "verify", "--database", tmp.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("ok: 100 entries"))
        let count = try CommandRunner.run([
            "audit", "query", "--database", tmp.path, "SELECT COUNT(*) AS n FROM checks", "--output", "csv",
        ])
        #expect(count.stdout == "n\r\n100\r\n")
    }

    /// kill -9 of writers in the middle of their appends: every acknowledged entry survives and verify passes.
    @Test func killedWritersLoseNothingAcknowledged() async throws {
        let tmp = try TemporaryLedger()
        _ = try tmp.open()
        let binary = try CommandRunner.binary()
        let batch = (0..<200).map { #"{"type":"team.changed","actor":"admin","payload":{"n":\#($0)}}"# }
            .joined(separator: "\n")
        let input = tmp.directory.appendingPathComponent("batch.jsonl")
        try batch.write(to: input, atomically: true, encoding: .utf8)
        var acknowledged = 0
        for round in 0..<6 {
            // A writer that acknowledges, then one that is killed mid-flight.
            let ok = try CommandRunner.run(["ledger", "append", "--database", tmp.path, input.path])
            #expect(ok.status == 0, "\(ok.stderr)")
            acknowledged += ok.stdout.split(separator: "\n").count
            let p = try ChildProcess(
                binary.path, ["ledger", "append", "--database", tmp.path, input.path], standardError: .discard)
            try await Task.sleep(for: .milliseconds(5 + 7 * round))
            p.signal(SIGKILL)
            p.waitUntilExit()
            let printed = String(decoding: CommandRunner.readAll(p.standardOutput!), as: UTF8.self)
            acknowledged += printed.split(separator: "\n").count
        }
        let ledger = try tmp.open()
        let size = try await ledger.size()
        #expect(size >= acknowledged)
        #expect(size % 200 == 0, "a killed batch is all or nothing: \(size)")
        let report = try await ledger.verify(verifier: nil) { _, _ in }
        #expect(report.isValid, "\(String(describing: report.problem))")
        #expect(try await ledger.append([LedgerFixtures.filler(0)]).first?.seq == Int64(size))
    }

    @Test func rejectsForeignAndTruncatedFiles() async throws {
        let tmp = try TemporaryLedger()
        try Data("this is not a database, just text that is long enough".utf8).write(to: URL(fileURLWithPath: tmp.path))
        #expect(throws: LedgerError.self) { try tmp.open() }
        let real = try TemporaryLedger()
        try await real.open().append((0..<50).map(LedgerFixtures.filler))
        let data = try Data(contentsOf: URL(fileURLWithPath: real.path))
        try data.prefix(100).write(to: URL(fileURLWithPath: real.path))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: real.path + suffix) }
        #expect(throws: LedgerError.self) { try real.open() }
        let r = try CommandRunner.run(["ledger", "verify", "--database", real.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot open ledger database"), "\(r.stderr)")
    }

    @Test func malformedEntriesAreRejectedAndNothingIsWritten() async throws {
        #expect(throws: EntryError.self) {
            try EntryDraft(json: #"{"type":"deploy.requested","actor":"a","payload":[]}"#, defaultTime: Date())
        }
        #expect(throws: EntryError.self) {
            try EntryDraft(json: #"{"type":"x","actor":"a","payload":{}}"#, defaultTime: Date())
        }
        #expect(throws: EntryError.self) { try EntryDraft(json: "{", defaultTime: Date()) }
        let tmp = try TemporaryLedger()
        let empty = tmp.directory.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let r = try CommandRunner.run(["ledger", "append", "--database", tmp.path, empty.path])
        #expect(r.status == 0, "\(r.stderr)")
        let bad = tmp.directory.appendingPathComponent("bad.jsonl")
        try """
        {"type":"team.changed","actor":"a","payload":{}}
        {"type":"check.reported","actor":"ci","payload":{"name":"unit","status":"green","digest":"\(LedgerFixtures.digest)"}}
        """.write(to: bad, atomically: true, encoding: .utf8)
        let rejected = try CommandRunner.run(["ledger", "append", "--database", tmp.path, bad.path])
        #expect(rejected.status == 1)
        #expect(
            rejected.stderr.contains("line 2: check.reported: payload.status must be one of passed"),
            "\(rejected.stderr)")
        #expect(try await tmp.open().size() == 0)
    }
}

/// The ledger and audit commands end to end, as an operator runs them.
@Suite struct LedgerCommandTests {
    /// A rewrite of the whole ledger (every hash recomputed) is caught only by the signed checkpoint, so verify
    /// checks it whenever a key is configured — and says so plainly when none is.
    @Test func verifyChecksTheSignedCheckpointByDefault() async throws {
        let tmp = try TemporaryLedger()
        let key = tmp.directory.appendingPathComponent("log.key").path
        let other = tmp.directory.appendingPathComponent("other.key").path
        let keys = try CommandRunner.run(["keys", "generate", "--name", "audit.example/log", "--out", key])
        _ = try CommandRunner.run(["keys", "generate", "--name", "audit.example/log", "--out", other])
        let verifier = keys.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await tmp.open().append((0..<12).map(LedgerFixtures.filler))
        let db = ["ledger", "verify", "--database", tmp.path]

        let none = try CommandRunner.run(db)
        #expect(none.status == 0 && none.stdout.contains("checkpoint signature NOT checked: no key configured"))
        let unsigned = try CommandRunner.run(db, environment: ["COUNTERSIGN_CHECKPOINT_VERIFIER": verifier])
        #expect(unsigned.status == 1, "\(unsigned.stdout)")
        #expect(unsigned.stderr.contains("no checkpoint signed by audit.example/log"), "\(unsigned.stderr)")

        _ = try CommandRunner.run(["ledger", "checkpoint", "--database", tmp.path, "--key", key])
        try await tmp.open().append((12..<15).map(LedgerFixtures.filler))
        // The serving key's public half is the default when no verifier key is given.
        let signed = try CommandRunner.run(db, environment: ["COUNTERSIGN_CHECKPOINT_KEY": key])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(
            signed.stdout.hasSuffix(
                "signed checkpoint at size 12 verified; entries 12–14 are not yet under a signed checkpoint\n"),
            "\(signed.stdout)")
        let wrongKey = try CommandRunner.run(db, environment: ["COUNTERSIGN_CHECKPOINT_KEY": other])
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("TAMPERED: latest checkpoint"), "\(wrongKey.stderr)")
        // --verifier wins over the environment.
        let flag = try CommandRunner.run(
            db + ["--verifier", verifier], environment: ["COUNTERSIGN_CHECKPOINT_KEY": other])
        #expect(flag.status == 0, "\(flag.stderr)")
    }

    @Test func appendCheckpointAuditExportAndVerifyAPack() throws {
        let tmp = try TemporaryLedger()
        let key = tmp.directory.appendingPathComponent("log.key").path
        let keys = try CommandRunner.run(["keys", "generate", "--name", "audit.example/log", "--out", key])
        #expect(keys.status == 0, "\(keys.stderr)")
        let verifier = keys.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lines = LedgerFixtures.deployStory().map { d in
            JSONValue.object([
                ("type", .string(d.type.rawValue)), ("actor", .string(d.actor)),
                ("at", .string(RFC3339.string(d.at, fraction: .milliseconds))), ("payload", d.payload),
            ]).canonicalString
        }
        let input = tmp.directory.appendingPathComponent("story.jsonl")
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let db = ["--database", tmp.path]
        #expect(try CommandRunner.run(["ledger", "append"] + db + [input.path]).status == 0)
        let checkpoint = try CommandRunner.run(["ledger", "checkpoint"] + db + ["--key", key])
        #expect(checkpoint.stdout.hasPrefix("audit.example/log\n\(lines.count)\n"), "\(checkpoint.stderr)")

        let deploys = try CommandRunner.run(
            ["audit", "deploys"] + db + [
                "--environment", "production", "--from", "2026-11-03T00:00:00Z", "--to", "2026-11-04T00:00:00Z",
            ])
        #expect(deploys.status == 0, "\(deploys.stderr)")
        let records = try deploys.stdout.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        #expect(records.map { $0["deploy_id"]?.stringValue } == ["dep-1", "dep-2"])

        let query = try CommandRunner.run(
            ["audit", "query"] + db + ["SELECT deploy_id, status FROM deploys ORDER BY deploy_id", "--output", "json"])
        #expect(
            query.stdout == #"[{"deploy_id":"dep-1","status":"succeeded"},{"deploy_id":"dep-2","status":"failed"}]"#
                + "\n")
        let write = try CommandRunner.run(["audit", "query"] + db + ["DELETE FROM deploys"])
        #expect(write.status == 1 && write.stderr.contains("does not permit"), "\(write.stderr)")

        let replay = try CommandRunner.run(["ledger", "replay"] + db)
        #expect(
            replay.stdout == "replayed \(lines.count) entries into \(Projection.tables.count) tables\n",
            "\(replay.stderr)")

        let prove = try CommandRunner.run(["ledger", "prove"] + db + ["--seq", "10"])
        #expect(try InclusionProof(json: JSONValue(parsing: prove.stdout)).verifies)
        let consistency = try CommandRunner.run(["ledger", "consistency"] + db + ["--from", "5"])
        #expect(consistency.stdout.contains(#""second_size":\#(lines.count)"#), "\(consistency.stderr)")

        let pack = tmp.directory.appendingPathComponent("pack").path
        let export = try CommandRunner.run(
            ["ledger", "export"] + db + [
                "--from", "2026-11-03T09:05:00Z", "--to", "2026-11-03T09:13:00Z", "--out", pack,
            ])
        let period = "2026-11-03T09:05:00.000Z ..< 2026-11-03T09:13:00.000Z"
        #expect(
            export.stdout
                == "wrote 6 entries (6–11) of \(period) and the 2 entries around them with proofs to \(pack)\n",
            "\(export.stderr)")
        let ok = try CommandRunner.run(["ledger", "verify-pack", pack, "--verifier", verifier])
        #expect(ok.status == 0 && ok.stdout.hasPrefix("ok: 6 entries (6–11) of \(period)"), "\(ok.stderr)")
        let asked = try CommandRunner.run([
            "ledger", "verify-pack", pack, "--verifier", verifier, "--from", "2026-11-03T09:05:00Z", "--to",
            "2026-11-03T09:14:00Z",
        ])
        #expect(asked.status == 1 && asked.stderr.contains("not the period asked for"), "\(asked.stderr)")
        let entries = URL(fileURLWithPath: pack).appendingPathComponent("entries.jsonl")
        let text = try String(contentsOf: entries, encoding: .utf8)
        try text.replacingOccurrences(of: "\"dana\"", with: "\"mallory\"").write(
            to: entries, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["ledger", "verify-pack", pack, "--verifier", verifier])
        #expect(bad.status == 1 && bad.stderr.contains("INVALID: entry line"), "\(bad.stderr)")

        let verify = try CommandRunner.run(["ledger", "verify"] + db + ["--verifier", verifier])
        #expect(verify.stdout.contains("signed checkpoint at size \(lines.count) verified"), "\(verify.stderr)")
    }
}
