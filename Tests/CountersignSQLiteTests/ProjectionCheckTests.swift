import CountersignLedger
import CountersignTesting
import Foundation
import GRDB
import Testing

@testable import CountersignSQLite

/// The projection tables the gate reads are not covered by any hash: `ledger verify --projections` replays the
/// entries and compares every table, so a row edited by someone with the database file is named.
@Suite struct ProjectionCheckTests {
    @Test(arguments: [
        ("UPDATE approvals SET state = 'granted' WHERE approver = 'frank'", "approvals"),
        ("UPDATE checks SET status = 'failed' WHERE check_id = 'chk-3'", "checks"),
        ("DELETE FROM decisions WHERE request_id = 'req-2'", "decisions"),
        (
            "INSERT INTO api_tokens (token_id, token_hash, identity, role, created_seq, created_at, created_by) "
                + "VALUES ('tok_x', '\(String(repeating: "77", count: 32))', 'mallory', 'admin', 1, 'x', 'x')",
            "api_tokens"
        ),
        ("UPDATE deploy_requests SET verdict = 'pending' WHERE request_id = 'req-2'", "deploy_requests"),
    ])
    func anEditedProjectionRowIsNamed(_ edit: String, _ table: String) async throws {
        let tmp = try TemporaryLedger()
        try await tmp.open().append(LedgerFixtures.deployStory())
        let clean = try CommandRunner.run(["ledger", "verify", "--database", tmp.path, "--projections"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("every projection table matches a replay of the entries"))

        try await tmp.raw().write { try $0.execute(sql: edit) }
        // The log itself still verifies: no hash covers a projection row. (Each edit changes a row the story has.)
        let plain = try CommandRunner.run(["ledger", "verify", "--database", tmp.path])
        #expect(plain.status == 0, "\(plain.stderr)")
        let checked = try CommandRunner.run(["ledger", "verify", "--database", tmp.path, "--projections"])
        #expect(checked.status == 1)
        #expect(checked.stderr.hasPrefix("TAMPERED: \(table) "), "\(checked.stderr)")
    }

    @Test func aReplayOfTheStoryMatchesItsTables() async throws {
        let tmp = try TemporaryLedger()
        let ledger = try tmp.open()
        try await ledger.append(LedgerFixtures.deployStory() + (0..<30).map(LedgerFixtures.filler))
        #expect(try await ProjectionCheck.firstDifference(in: ledger, batch: 7) == nil)
    }
}
