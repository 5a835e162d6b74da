import CountersignLedger
import CountersignTesting
import Foundation
import Testing

@testable import CountersignSQLite

/// Issue 19 item 8, the first step: a backup of the embedded ledger taken while it serves is a whole, verified
/// ledger and a prefix of the live log — never a torn copy, never a fork — and never overwrites a file.
@Suite struct BackupTests {
    @Test func aBackupTakenDuringAppendsIsAVerifiedPrefixOfTheLog() async throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        _ = try await ledger.append((0..<50).map(LedgerFixtures.filler))
        // Appends go on while the backup runs.
        let appender = Task {
            for i in 50..<250 { _ = try await ledger.append([LedgerFixtures.filler(i)]) }
        }
        let destination = tmp.directory.appendingPathComponent("backup.db").path
        let (size, root) = try await ledger.backup(to: destination)
        try await appender.value
        #expect(size >= 50 && size <= 250, "\(size)")
        #expect(try await ledger.root(size: size) == root)
        // The copy is a ledger of its own: whole, verified, the same entries.
        let copy = try SQLiteLedger(path: destination)
        #expect(try await copy.size() == size)
        try await copy.verify(verifier: nil, progress: { _, _ in })
        #expect(try await copy.root(size: size) == root)
        // Nothing half-written is left beside it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.directory.path).filter {
            $0.contains(".partial-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
        // And it never overwrites a file.
        let error = await #expect(throws: LedgerError.self) { try await ledger.backup(to: destination) }
        #expect(error?.message.contains("exists: a backup never overwrites a file") == true)
    }

    @Test func theCommandBacksUpTheConfiguredLedgerAndRefusesWhatItCannot() async throws {
        let tmp = try TemporaryLedger()
        _ = try await tmp.open().append((0..<20).map(LedgerFixtures.filler))
        let destination = tmp.directory.appendingPathComponent("copy.db").path
        let run = try CommandRunner.run(
            ["ledger", "backup", "--to", destination], environment: ["COUNTERSIGN_DATABASE": tmp.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("backed up 20 entries (root sha256:"), "\(run.stdout)")
        let verified = try CommandRunner.run(["ledger", "verify", "--database", destination])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        for (arguments, message) in [
            (["--database", tmp.directory.appendingPathComponent("absent.db").path], "no ledger at"),
            (["--database", "postgres://u@127.0.0.1:1/db"], "backed up with pg_dump"),
            (["--database", tmp.path], "exists: a backup never overwrites a file"),
        ] {
            let refused = try CommandRunner.run(["ledger", "backup", "--to", destination] + arguments)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.directory.appendingPathComponent("absent.db").path))
    }
}
