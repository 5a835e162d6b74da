import CountersignEncoding
import CountersignLedger
import CountersignMetrics
import CountersignTesting
import Foundation
import Testing

/// Lead time on every path (issue 21, item 4): a commit time is GitHub's word where GitHub has said it — a `push`
/// delivery, else its record of the change — whichever arrives first or last, and the requester's only where GitHub
/// said nothing; a push dated after its delivery counts as the delivery's time, a requester's claim dated after its
/// own request counts for nothing.
@Suite struct CommitTimeTests {
    static func sha(_ n: Int) -> String { String(repeating: String(n), count: 40) }

    /// Minutes: every request at 100, its deploy 110–120.
    static func history() -> History {
        var h = History()
        // d1: the bot says 90; GitHub's push (received at 60) says 30. The push wins though it came first.
        h.push(sha(1), made: 30, at: 60)
        h.request("r1", at: 100, committed: 90, commit: sha(1))
        h.deploy("d1", request: "r1", started: 110, finished: 120)
        // d2: the bot says 90; the push arrives after the deploy (at 200) and still sets the lead time: 20.
        h.request("r2", at: 100, committed: 90, commit: sha(2))
        h.deploy("d2", request: "r2", started: 110, finished: 120)
        h.push(sha(2), made: 100, at: 200)
        // d3: GitHub's record (read from its API) says 40; a later bot claim does not move it.
        h.record(sha(3), made: 40, at: 50)
        h.request("r3", at: 100, committed: 99, commit: sha(3))
        h.deploy("d3", request: "r3", started: 110, finished: 120)
        // d4: only the bot's word, dated after its own request: no commit time at all, not one made up.
        h.request("r4", at: 100, committed: 500, commit: sha(4))
        h.deploy("d4", request: "r4", started: 110, finished: 120)
        // d8: the commit spelt in capitals, the bot's word 99; the push (in GitHub's lowercase) still finds it: 45.
        h.request("r8", at: 100, committed: 99, commit: sha(8).uppercased().replacingOccurrences(of: "8", with: "A"))
        h.deploy("d8", request: "r8", started: 110, finished: 120)
        h.push(sha(8).replacingOccurrences(of: "8", with: "a"), made: 45, at: 250)
        // d7: only the bot's word, and a possible one: counted, as the requester's (lead time 25).
        h.request("r7", at: 100, committed: 95, commit: sha(7))
        h.deploy("d7", request: "r7", started: 110, finished: 120)
        // d5: a push whose commit claims to be made after GitHub delivered it (a clock set forward): the delivery's
        // time, 70, not 95.
        h.push(sha(5), made: 95, at: 70)
        h.request("r5", at: 100, committed: 99, commit: sha(5))
        h.deploy("d5", request: "r5", started: 110, finished: 120)
        // d6: a record first (40), then a push (20): the push outranks the record.
        h.record(sha(6), made: 40, at: 50)
        h.push(sha(6), made: 20, at: 300)
        h.request("r6", at: 100, commit: sha(6))
        h.deploy("d6", request: "r6", started: 110, finished: 120)
        return h
    }

    @Test func sqlite() async throws { try await Self.check(try await Self.history().store()) }

    @Test func postgresAgrees() async throws { try await Self.history().withPostgres { try await Self.check($0) } }

    static func check(_ store: any LedgerStore) async throws {
        let rows = try await store.lookup(
            """
            SELECT r.request_id, r.committed_at, r.commit_time_source, d.committed_at FROM deploy_requests r
            JOIN deploys d ON d.request_id = r.request_id ORDER BY r.request_id
            """, [])
        func minutes(_ v: SQLValue) -> Double? {
            v.textValue.flatMap(RFC3339.date).map { ($0.timeIntervalSince(LedgerFixtures.start) / 60).rounded() }
        }
        let seen = rows.rows.map { "\($0[0].textValue ?? "") \(minutes($0[1]) ?? -1) \($0[2].textValue ?? "-")" }
        #expect(
            seen == [
                "r1 30.0 push", "r2 100.0 push", "r3 40.0 github", "r4 -1.0 -", "r5 70.0 push", "r6 20.0 push",
                "r7 95.0 request", "r8 45.0 push",
            ])
        // Stored in its canonical form, so every lookup by commit finds it.
        let capitals = try await store.lookup("SELECT commit_sha FROM deploy_requests WHERE request_id = 'r8'", [])
        #expect(capitals.rows == [[.text(String(repeating: "a", count: 40))]])
        // Each deploy carries its request's commit time, however late it was learned.
        #expect(rows.rows.allSatisfy { $0[1] == $0[3] }, "\(rows.rows)")

        let m = try await DeliveryMetrics.compute(
            store, try MetricsPeriod(from: LedgerFixtures.start, to: LedgerFixtures.at(1_000)))
        // Lead times to the finish at 120: 90, 20, 80, 50, 100, 25, 75 minutes; d4 has none.
        #expect(m.overall.leadTime.count == 7)
        #expect(close(m.overall.leadTime.median, 75 * 60))
        #expect(m.overall.withoutCommitTime == 1)
        #expect(m.overall.withoutCommitTimeDeploys == ["d4"])
        #expect(m.overall.commitTimeFromRequester == 1)
    }
}
