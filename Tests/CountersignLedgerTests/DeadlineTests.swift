import CountersignLedger
import Foundation
import Testing

/// `withDeadline`: the caller gets the operation's answer, or the timeout at the deadline, whichever is first — and
/// an operation that never suspends is answered without waiting for anything.
@Suite struct DeadlineTests {
    static func timeout() -> LedgerError { LedgerError(.timedOut, "too slow") }

    /// An operation that never suspends has answered before any timer exists; each call gets its own answer.
    @Test func aSynchronousOperationAnswers() async throws {
        for i in 0..<1_000 {
            let value = try await withDeadline(.seconds(5), onTimeout: Self.timeout) { () async throws(LedgerError) in i
            }
            #expect(value == i)
        }
    }

    @Test func anOperationThatNeverAnswersTimesOutAtTheDeadline() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: LedgerError.self) {
            try await withDeadline(.milliseconds(300), onTimeout: Self.timeout) { () async throws(LedgerError) in
                try? await Task.sleep(for: .seconds(600))
                return 1
            }
        }
        #expect(error?.code == .timedOut)
        let waited = clock.now - start
        // Answered at the deadline, not when the operation ends; the upper bound leaves room for a test process whose
        // threads the parallel suite keeps busy for seconds.
        #expect(waited >= .milliseconds(300) && waited < .seconds(120), "\(waited)")
    }

    @Test func anOperationsOwnErrorIsTheAnswer() async throws {
        let error = await #expect(throws: LedgerError.self) {
            try await withDeadline(.seconds(300), onTimeout: Self.timeout) { () async throws(LedgerError) -> Int in
                await Task.yield()
                throw LedgerError(.storage, "disk full")
            }
        }
        #expect(error?.code == .storage)
        #expect(error?.message == "disk full")
    }
}
