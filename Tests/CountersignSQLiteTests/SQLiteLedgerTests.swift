import CountersignLedger
import CountersignTesting
import Foundation
import GRDB
import Testing

@testable import CountersignSQLite

/// A fresh ledger file in a temporary directory, removed afterwards.
final class TemporaryLedger {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("countersign.db").path }

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: directory) }

    func open() throws -> SQLiteLedger { try SQLiteLedger(path: path) }
}

func draft(_ i: Int, type: String = "deploy.requested") throws -> EntryDraft {
    try EntryDraft(
        type: EventType(rawValue: type)!, at: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)),
        actor: "deploy-bot",
        payload: .object([("id", .string("req-\(i)")), ("n", .number(Double(i)))]))
}

@Suite struct SQLiteLedgerTests {
    @Test func appendsReadsAndProves() throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        #expect(try ledger.size() == 0)
        let written = try ledger.append((0..<10).map { try draft($0) })
        #expect(written.map(\.seq) == Array(0..<10))
        let more = try ledger.append([try draft(10), try draft(11)])
        #expect(more.map(\.seq) == [10, 11])
        let read = try ledger.entries(from: 3, count: 2)
        #expect(read.map(\.seq) == [3, 4])
        #expect(read[0].payload["id"]?.stringValue == "req-3")
        for seq in 0..<12 { #expect(try ledger.inclusionProof(seq: seq).verifies) }
        #expect(try ledger.inclusionProof(seq: 3, size: 7).verifies)
        #expect(try ledger.consistencyProof(from: 5, to: 12).verifies)
        // A second handle (another process's view) sees the same tree.
        let other = try tmp.open()
        #expect(try other.root() == ledger.root())
        #expect(try other.verify().isValid)
    }

    @Test func theDatabaseRefusesUpdatesAndDeletes() throws {
        let tmp = try TemporaryLedger()
        try tmp.open().append([try draft(0), try draft(1)])
        let queue = try DatabaseQueue(path: tmp.path)
        for sql in [
            "UPDATE entries SET actor = 'mallory' WHERE seq = 1", "DELETE FROM entries WHERE seq = 1",
            "UPDATE nodes SET hash = zeroblob(32)", "DELETE FROM nodes",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try queue.write { try $0.execute(sql: sql) } }
        }
    }

    @Test func verifyNamesTheFirstTamperedEntry() throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        try ledger.append((0..<20).map { try draft($0) })
        #expect(try ledger.verify().isValid)
        // Someone with file access drops the trigger and rewrites entry 7.
        let queue = try DatabaseQueue(path: tmp.path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER entries_append_only_update")
            try db.execute(sql: "UPDATE entries SET canonical = replace(canonical, 'req-7', 'req-x') WHERE seq = 7")
        }
        let report = try tmp.open().verify()
        #expect(report.problem?.seq == 7)
        #expect(report.problem?.message.contains("entry 7") == true)
    }

    @Test func verifyDetectsChangedNodesAndRewrittenHistory() throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        try ledger.append((0..<16).map { try draft($0) })
        let signer = try NoteSigner(name: "test.example/log")
        _ = try ledger.checkpoint(signer: signer, origin: "test.example/log")
        #expect(try ledger.verify(verifier: signer.verifier).checkpointSize == 16)
        let queue = try DatabaseQueue(path: tmp.path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER nodes_append_only_update")
            try db.execute(sql: "UPDATE nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 1")
        }
        let report = try tmp.open().verify(verifier: signer.verifier)
        #expect(report.problem?.message.contains("tree node (2, 1)") == true)
    }

    @Test func concurrentWritersNeverLeaveGapsOrForks() async throws {
        let tmp = try TemporaryLedger()
        _ = try tmp.open()
        let path = tmp.path
        // Four independent handles (separate connection pools, as separate processes would have) append at once.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    let ledger = try SQLiteLedger(path: path)
                    for batch in 0..<10 {
                        try ledger.append((0..<5).map { try draft(writer * 1_000 + batch * 10 + $0) })
                    }
                }
            }
            try await group.waitForAll()
        }
        let ledger = try tmp.open()
        #expect(try ledger.size() == 200)
        let report = try ledger.verify()
        #expect(report.isValid, "\(String(describing: report.problem))")
        #expect(report.entries == 200)
        // Batches are atomic: each batch's five entries are consecutive.
        let entries = try ledger.entries(from: 0, count: 200)
        for start in stride(from: 0, to: 200, by: 5) {
            let ids = entries[start..<(start + 5)].compactMap { $0.payload["n"]?.numberValue }.map { Int($0) / 10 }
            #expect(Set(ids).count == 1, "batch at \(start) interleaved: \(ids)")
        }
    }

    @Test func severalProcessesAppendToOneFile() throws {
        let tmp = try TemporaryLedger()
        _ = try tmp.open()
        let lines = (0..<25).map { #"{"type":"check.reported","actor":"ci-builder","payload":{"n":\#($0)}}"# }.joined(
            separator: "\n")
        let input = tmp.directory.appendingPathComponent("entries.jsonl")
        try lines.write(to: input, atomically: true, encoding: .utf8)
        let binary = try CommandRunner.binary()
        let processes = try (0..<4).map { _ -> Process in
            let p = Process()
            p.executableURL = binary
            p.arguments = ["ledger", "append", "--database", tmp.path, input.path]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        let ledger = try tmp.open()
        #expect(try ledger.size() == 100)
        #expect(try ledger.verify().isValid)
    }

    @Test func rejectsForeignAndTruncatedFiles() throws {
        let tmp = try TemporaryLedger()
        try Data("this is not a database, just text that is long enough".utf8).write(to: URL(fileURLWithPath: tmp.path))
        #expect(throws: LedgerError.self) { try tmp.open() }
        let real = try TemporaryLedger()
        try real.open().append((0..<50).map { try draft($0) })
        let data = try Data(contentsOf: URL(fileURLWithPath: real.path))
        try data.prefix(100).write(to: URL(fileURLWithPath: real.path))
        #expect(throws: LedgerError.self) {
            let l = try real.open()
            _ = try l.size()
        }
    }

    @Test func malformedEntriesAreRejectedAndNothingIsWritten() throws {
        #expect(throws: EntryError.self) {
            try EntryDraft(json: #"{"type":"deploy.requested","actor":"a","payload":[]}"#, defaultTime: Date())
        }
        #expect(throws: EntryError.self) {
            try EntryDraft(json: #"{"type":"x","actor":"a","payload":{}}"#, defaultTime: Date())
        }
        #expect(throws: EntryError.self) {
            try EntryDraft(json: #"{"type":"deploy.requested","payload":{}}"#, defaultTime: Date())
        }
        #expect(throws: EntryError.self) { try EntryDraft(json: "{", defaultTime: Date()) }
        let tmp = try TemporaryLedger()
        let empty = tmp.directory.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let r = try CommandRunner.run(["ledger", "append", "--database", tmp.path, empty.path])
        #expect(r.status == 0, "\(r.stderr)")
        let bad = tmp.directory.appendingPathComponent("bad.jsonl")
        try "{\"type\":\"deploy.requested\",\"actor\":\"a\",\"payload\":{}}\n{\"type\":\"nope\"}\n".write(
            to: bad, atomically: true, encoding: .utf8)
        let rejected = try CommandRunner.run(["ledger", "append", "--database", tmp.path, bad.path])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("line 2"))
        #expect(try tmp.open().size() == 0)
    }
}
