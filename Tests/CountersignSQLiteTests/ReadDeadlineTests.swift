import CountersignLedger
import Foundation
import Testing

@testable import CountersignSQLite

/// A read on the request path waits for a lock no longer than its caller will wait for the answer: SQLite's reader
/// takes its busy timeout from the deadline (`StoreBudget.timeLeft`), so a read behind a lock held elsewhere gives
/// up by the deadline rather than after the reader's own 30 s.
@Suite struct ReadDeadlineTests {
    @Test(arguments: [
        (Duration?.none, Int32(30_000)), (.seconds(60), 30_000), (.milliseconds(4_900), 4_900),
        (.milliseconds(1), 1), (.zero, 0), (.milliseconds(-5), 0), (.seconds(-3_600), 0),
    ])
    func theWaitForALockIsTheTimeLeft(_ left: Duration?, _ milliseconds: Int32) {
        #expect(SQLiteReader.busyTimeout(left) == milliseconds)
    }

    /// The deadline reaches the read: inside a budget (even one already spent) a read that needs no lock runs,
    /// and outside any the reader reads as it always did.
    @Test func aReadRunsUnderAnyDeadlineWhenNothingHoldsALock() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deadline-\(UUID()).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let ledger = try SQLiteLedger(path: path)
        let spent = try await StoreBudget.run(within: .milliseconds(1)) {
            try await Task.sleep(for: .milliseconds(20))
            #expect((StoreBudget.timeLeft ?? .zero) < .zero)
            return try await ledger.lookup("SELECT COUNT(*) FROM entries", [])
        }
        #expect(spent.rows.count == 1)
        #expect(StoreBudget.timeLeft == nil)
        #expect(try await ledger.lookup("SELECT COUNT(*) FROM entries", []).rows.count == 1)
    }
}
