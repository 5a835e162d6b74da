import CountersignEncoding
import CountersignLedger
import CountersignPostgres
import CountersignSQLite
import CountersignTesting
import Foundation

/// A ledger history written event by event, at minutes after `LedgerFixtures.start`, for metrics tests.
struct History {
    var drafts: [EntryDraft] = []

    mutating func request(
        _ id: String, service: String = "payments", environment: String = "production", at minutes: Double,
        committed: Double? = nil, commit: String? = nil
    ) {
        let committedAt =
            committed.map { #","committedAt":"\#(RFC3339.string(LedgerFixtures.at($0), fraction: .milliseconds))""# }
            ?? ""
        drafts.append(
            LedgerFixtures.draft(
                "deploy.requested", "deploy-bot", minutes,
                #"""
                {"id":"\#(id)","service":"\#(service)","environment":"\#(environment)",
                 "artifact":"registry.example.com/\#(service)@\#(LedgerFixtures.digest)","requester":"deploy-bot",
                 "deployer":"deploy-bot","change":{"commit":"\#(commit ?? "c-\(id)")","ref":"refs/heads/main","kind":"code",
                 "reversible":true\#(committedAt)}}
                """#))
    }

    mutating func decide(
        _ request: String, _ verdict: String, at minutes: Double, tier: String = "stateless",
        _ controls: [(String, String)]
    ) {
        decide(request, verdict, at: minutes, tier: tier, rules: controls.map { ($0.0, nil, $0.1) })
    }

    /// A decision whose controls name their rules (`nil`: one recorded before rules were named).
    mutating func decide(
        _ request: String, _ verdict: String, at minutes: Double, tier: String = "stateless",
        rules controls: [(String, String?, String)]
    ) {
        let list = controls.map {
            #"{"control":"\#($0.0)",\#($0.1.map { #""rule":"\#($0)","# } ?? "")"status":"\#($0.2)","message":""}"#
        }
        drafts.append(
            LedgerFixtures.draft(
                "gate.decided", "countersign", minutes,
                #"{"request":"\#(request)","verdict":"\#(verdict)","tier":"\#(tier)","reasons":[],"controls":[\#(list.joined(separator: ","))]}"#
            ))
    }

    /// A `push` delivery of `commit`, received at `minutes`, saying it was made at `made`.
    mutating func push(_ commit: String, made: Double, at minutes: Double) {
        drafts.append(
            LedgerFixtures.draft(
                "commits.pushed", "github", minutes,
                #"""
                {"repository":"acme/payments","ref":"refs/heads/main",
                 "commits":[{"id":"\#(commit)","at":"\#(RFC3339.string(LedgerFixtures.at(made), fraction: .milliseconds))"}]}
                """#))
    }

    /// GitHub's record of `commit`'s change (read from its API), saying it was made at `made`.
    mutating func record(_ commit: String, made: Double, at minutes: Double) {
        drafts.append(
            LedgerFixtures.draft(
                "change.recorded", "github", minutes,
                #"""
                {"repository":"acme/payments","source":"github-api","change":{"commit":"\#(commit)",
                 "ref":"refs/heads/main","kind":"code","reversible":true,
                 "committedAt":"\#(RFC3339.string(LedgerFixtures.at(made), fraction: .milliseconds))"}}
                """#))
    }

    mutating func approve(
        _ request: String, by approver: String = "alice", at minutes: Double, state: String = "granted",
        comment: String? = nil
    ) {
        let said = comment.map { #","comment":"\#($0)""# } ?? ""
        drafts.append(
            LedgerFixtures.draft(
                "approval.\(state)", approver, minutes,
                #"{"request":"\#(request)","approver":"\#(approver)","digest":"\#(LedgerFixtures.digest)","environment":"production"\#(said)}"#
            ))
    }

    mutating func deploy(
        _ id: String, request: String, service: String = "payments", environment: String = "production",
        started: Double, finished: Double, outcome: String = "succeeded"
    ) {
        drafts.append(
            LedgerFixtures.draft(
                "deploy.started", "deploy-bot", started,
                #"{"id":"\#(id)","request":"\#(request)","environment":"\#(environment)","service":"\#(service)","digest":"\#(LedgerFixtures.digest)"}"#
            ))
        drafts.append(LedgerFixtures.draft("deploy.\(outcome)", "deploy-bot", finished, #"{"id":"\#(id)"}"#))
    }

    mutating func incident(_ id: String, deploys: [String], opened: Double, resolved: Double) {
        let names = deploys.map { "\"\($0)\"" }.joined(separator: ",")
        drafts.append(
            LedgerFixtures.draft("incident.opened", "pagerduty", opened, #"{"id":"\#(id)","deploys":[\#(names)]}"#))
        drafts.append(LedgerFixtures.draft("incident.resolved", "carol", resolved, #"{"id":"\#(id)"}"#))
    }

    /// A fresh SQLite ledger holding the history, in time order.
    func store() async throws -> SQLiteLedger { try await file().store }

    /// The same, with the path of its file (for the command line).
    func file() async throws -> (store: SQLiteLedger, path: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).db")
        let store = try SQLiteLedger(path: path.path)
        try await store.append(drafts.sorted { $0.at < $1.at })
        return (store, path.path)
    }

    /// The same history in a fresh schema of the scratch PostgreSQL (scripts/test.sh starts it).
    func withPostgres(_ body: @escaping @Sendable (any LedgerStore) async throws -> Void) async throws {
        let drafts = drafts
        try await PostgresLedger.withLedger(url: try TestPostgres.freshLedgerURL()) { ledger in
            // In batches: one commit of hundreds of projected entries can outlast the store's deadline on a busy
            // machine running the suite in parallel.
            let sorted = drafts.sorted { $0.at < $1.at }
            for start in stride(from: 0, to: sorted.count, by: 50) {
                try await ledger.append(Array(sorted[start..<min(start + 50, sorted.count)]))
            }
            try await body(ledger)
        }
    }
}

/// Equal to a millisecond: ledger times keep milliseconds, and Date arithmetic rounds in the last bits.
func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-3 } ?? false }
