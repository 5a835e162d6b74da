internal import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
internal import Foundation

/// The store conformance suite: every `LedgerStore` must pass each of these, given a factory for a fresh, empty
/// store. The SQLite and PostgreSQL test targets run all of them (`all`); a failure names the check.
public enum LedgerStoreConformance {
    public typealias Factory = @Sendable () async throws -> any LedgerStore

    /// A failed conformance check.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static func require<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw Failure(description: "expected \(what)") }
        return value
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(description: message()) }
    }

    /// Every check, by name, for `@Test(arguments:)`.
    public static let all: [(name: String, run: @Sendable (any LedgerStore) async throws -> Void)] = [
        ("appends, reads and proves", appendsReadsAndProves),
        ("proofs match an in-memory tree at every size", proofsMatchTheTree),
        ("a malformed batch writes nothing", malformedBatchWritesNothing),
        ("concurrent appends are group-committed without gaps", concurrentAppends),
        ("checkpoints are signed, stored and verified", checkpoints),
        ("projections follow the entries and replay reproduces them", projectionsAndReplay),
        ("audit queries cannot write, reach what the store reads or run unbounded", auditIsIsolated),
        ("deploy records carry their authorization", deployRecords),
        ("evidence packs verify offline and reveal tampering", evidencePacks),
        ("a probe write commits and leaves the log as it was", probeWrite),
        ("the read model answers from the projections", readModel),
        ("the builds of a commit come from registrations and verified provenance", buildsOfACommit),
    ]

    /// What a deployment that names only its commit is given (`ReadModel.builds(commit:)`): a builder's
    /// registration and a verified provenance each bind a digest to the commit with the reference they name; a
    /// rejected verification binds nothing, and a verified reference naming another digest is refused.
    public static func buildsOfACommit(_ store: any LedgerStore) async throws {
        let commit = "47efb7196c2a1a2fd3f52f2c59f0e2dd3d0e4d54"
        let other = "sha256:" + String(repeating: "cd", count: 32)
        try await store.append([
            LedgerFixtures.draft(
                "artifact.registered", "ci-builder", 1,
                #"{"reference":"ghcr.io/acme/app@\#(LedgerFixtures.digest)","commit":"\#(commit.uppercased())","repository":"acme/app"}"#
            ),
            LedgerFixtures.draft(
                "artifact.verified", "countersign", 2,
                #"{"digest":"\#(other)","policy":"slsa","verified":true,"details":"d","sourceCommit":"\#(commit)","sourceRepository":"https://github.com/acme/app","reference":"ghcr.io/acme/worker@\#(other)"}"#
            ),
            LedgerFixtures.draft(
                "artifact.verified", "countersign", 3,
                #"{"digest":"\#(other)","policy":"slsa","verified":false,"details":"d","sourceCommit":"\#(commit)","reference":"evil.example/x@\#(other)"}"#
            ),
        ])
        let builds = try await ReadModel(store).builds(commit: commit.uppercased())
        try check(builds.count == 2, "one registration, one verified provenance: \(builds)")
        try check(
            builds.map(\.reference) == ["ghcr.io/acme/app@\(LedgerFixtures.digest)", "ghcr.io/acme/worker@\(other)"],
            "each with its reference, oldest first: \(builds.map(\.reference))")
        try check(builds.map(\.via) == [.builder, .provenance], "how each was bound")
        try check(
            builds[0].repository == "acme/app" && builds[0].by == "ci-builder",
            "the registration's repository and builder")
        try check(
            builds[1].by == "slsa" && builds[1].commit == commit, "the policy that verified it, the commit lowercased")
        try check(
            try await ReadModel(store).builds(commit: String(repeating: "0", count: 40)).isEmpty,
            "no build of another commit")
        do {
            try await store.append([
                LedgerFixtures.draft(
                    "artifact.verified", "countersign", 4,
                    #"{"digest":"\#(other)","policy":"slsa","verified":true,"details":"d","sourceCommit":"\#(commit)","reference":"ghcr.io/acme/app@\#(LedgerFixtures.digest)"}"#
                )
            ])
            try check(false, "a verified reference naming another digest must be refused")
        } catch let e as LedgerError { try check(e.message.contains("names another digest"), e.message) }
    }

    /// The typed queries over the deploy story, as the control plane asks them.
    public static func readModel(_ store: any LedgerStore) async throws {
        let story = LedgerFixtures.deployStory()
        let entries = try await store.append(story)
        let read = ReadModel(store)
        let seq = { (type: String, at: Int) in entries.filter { $0.type.rawValue == type }[at].seq }
        try check(try await read.requestEntry(id: "req-1") == seq("deploy.requested", 0), "req-1's entry")
        try check(try await read.requestEntry(id: "nope") == nil, "no such request")
        try check(try await read.latestDecisionEntry(request: "req-2") == seq("gate.decided", 1), "req-2's decision")
        let requested = try entries[Int(seq("deploy.requested", 0))].event(DeployRequested.self).request
        let evidence = try await read.evidence(for: requested, digest: LedgerFixtures.digest)
        try check(evidence.checks.map(\.id) == ["chk-1", "chk-2"], "checks of the digest: \(evidence.checks)")
        try check(
            evidence.approvals.map(\.approver) == ["alice", "dana", "erin"]
                && evidence.approvals.allSatisfy { $0.state == .granted }, "approvals: \(evidence.approvals)")
        try check(evidence.artifactVerifications.map(\.verified) == [true], "verification")
        try check(evidence.canaryVerdicts.map(\.outcome) == [.pass], "canary verdicts")
        try check(evidence.breakGlassGrants.isEmpty, "the grant was reviewed")
        try check(try await read.review(request: "req-2", approver: "frank") == .withdrawn, "frank withdrew")
        try check(try await read.openRequests(digest: LedgerFixtures.digest).isEmpty, "req-1 is allowed")
        let listed = try await read.requests(limit: 10)
        try check(listed.map(\.id) == ["req-2", "req-1"] && listed[0].verdict == .allowed, "newest first: \(listed)")
        try check(try await read.requests(environment: "staging").isEmpty, "none in staging")
        let token = try await read.token(hash: String(repeating: "5e", count: 32))
        try check(
            token?.id == "tok_1" && token?.role == "approver" && token?.revoked == false,
            "token: \(String(describing: token))")
        let session = try await read.session(hash: String(repeating: "5f", count: 32))
        try check(session?.ended == true && session?.token == "tok_1", "session: \(String(describing: session))")
        try check(try await read.pendingNotifications().isEmpty, "nt-1 was delivered")
        let key = try await read.idempotencyKey(scope: String(repeating: "1a", count: 32))
        try check(key?.status == 201 && key?.body == #"{"seq":5}"#, "idempotency key: \(String(describing: key))")
        try check(try await read.deployExists(id: "dep-1"), "dep-1")
        try check(try await read.incidentResolved(id: "INC-500") == true, "INC-500 is resolved")
        try check(try await read.grant(id: "bg-1")?.reviewed == true, "bg-1 was reviewed")
        try check(try await read.publishedPolicyHash() == "sha256:" + String(repeating: "cd", count: 32), "policy")
        try check(try await read.retiredIdentities() == ["mallory"], "a retired identity name")
        try check(try await read.liveTokens().map(\.id) == ["tok_1"], "tok_1 is live")
        let verdict = try await read.canaryVerdicts(digest: LedgerFixtures.digest, template: "slo-gate", limit: 1).first
        try check(verdict?.id == "cj-1" && verdict?.score == 100, "canary verdict")
        try check(
            try await read.allowedRequest(digest: LedgerFixtures.digest, environment: "production") == "req-1",
            "admission finds req-1")
        try check(
            try await read.allowedRequest(digest: LedgerFixtures.digest, environment: "staging") == nil,
            "nothing allowed in staging")
        try check(
            try await read.allowedRequest(commit: "beef", environment: "production")?.id == "req-2", "req-2 by commit")
        try check(try await read.pendingRequestCount() == 0, "nothing pending")
        let (d1, d2) = (try await read.deliveryRecorded(id: "d-1"), try await read.deliveryRecorded(id: "d-2"))
        try check(d1 && !d2, "d-1 is recorded, d-2 is not")
        try check(try await read.delivery(bodySHA256: String(repeating: "0", count: 64)) == nil, "no such body")
        try check(try await read.recordedChange(commit: "c0ffee1")?.contains(#""commit":"c0ffee1""#) == true, "change")
        let pr51 = try await read.recordedChange(repository: "acme/payments", pullRequest: 51)
        let pr52 = try await read.recordedChange(repository: "acme/payments", pullRequest: 52)
        try check(pr51 != nil && pr52 == nil, "change by pull request")
        let reviews = try await read.reviews(request: "req-2")
        try check(reviews.map(\.approver) == ["bob", "frank"] && reviews[1].state == .withdrawn, "reviews: \(reviews)")
        let decisions = try await read.decisions(request: "req-1")
        try check(decisions.count == 1 && decisions[0].verdict == .allowed && decisions[0].reasons.isEmpty, "decisions")
        let deploys = try await read.deploys(request: "req-2")
        try check(deploys.map(\.status) == ["failed"] && deploys[0].finishedAt != nil, "deploys: \(deploys)")
        try check(try await read.repository(commit: "c0ffee1") == "acme/payments", "repository")
        try check(try await read.pendingRequests().isEmpty, "no request pending")
        try check(try await read.canaryVerdicts().map(\.id) == ["cj-1"], "canary verdicts")
        try check(try await read.canaryVerdicts(template: "other").isEmpty, "none under another template")
        let grants = try await read.grants()
        try check(grants.map(\.id) == ["bg-1"] && grants[0].reviewOutcome == "justified", "grants: \(grants)")
        let incidents = try await read.incidents()
        try check(incidents.map(\.id) == ["INC-500"] && incidents[0].deploys == #"["dep-1"]"#, "incidents")
        try check(try await read.services() == ["checkout", "payments"], "services")
        try check(try await read.checkpoints().isEmpty, "no checkpoint signed")
    }

    public static func probeWrite(_ store: any LedgerStore) async throws {
        try await store.append((0..<3).map(LedgerFixtures.filler))
        let root = try await store.root()
        try await store.probeWrite()
        try await store.probeWrite()
        try check(try await store.size() == 3, "a probe adds no entry")
        try check(try await store.root() == root, "a probe leaves the tree as it was")
        let probed = try await store.lookup("SELECT COUNT(*) AS n FROM store_probe", [])
        try check(probed.rows == [[.integer(1)]], "the probe overwrites one row: \(probed.rows)")
        try check(try await store.replayProjections() == 3, "replay leaves the probe table alone")
        try await store.probeWrite()
    }

    public static func appendsReadsAndProves(_ store: any LedgerStore) async throws {
        try check(try await store.size() == 0, "a new store is empty")
        try check(try await store.root() == MerkleTree.emptyRoot, "the empty root is SHA-256 of nothing")
        let written = try await store.append((0..<10).map(LedgerFixtures.filler))
        try check(written.map(\.seq) == Array(0..<10), "sequence numbers start at 0: \(written.map(\.seq))")
        let more = try await store.append([LedgerFixtures.filler(10), LedgerFixtures.filler(11)])
        try check(more.map(\.seq) == [10, 11], "sequence numbers continue: \(more.map(\.seq))")
        let read = try await store.entries(from: 3, count: 2)
        try check(read.map(\.seq) == [3, 4], "entries(from:count:) reads a range")
        try check(read[0].payload["n"]?.numberValue == 3, "entries read back with their payload")
        try check(try await store.entries(from: 11, count: 5).count == 1, "reads stop at the end of the log")
        for seq in 0..<12 {
            try check(try await store.inclusionProof(seq: seq).verifies, "inclusion proof for \(seq) verifies")
        }
        try check(try await store.inclusionProof(seq: 3, size: 7).verifies, "a proof at an earlier size verifies")
        try check(try await store.consistencyProof(from: 5, to: 12).verifies, "a consistency proof verifies")
        let between = try await store.entries(
            between: LedgerFixtures.at(3.0 / 60), and: LedgerFixtures.at(6.0 / 60))
        try check(between.map(\.seq) == [3, 4, 5], "entries(between:and:) is half-open: \(between.map(\.seq))")
        for bad in [(12, nil as Int?), (0, 13), (-1, nil)] {
            do {
                _ = try await store.inclusionProof(seq: bad.0, size: bad.1)
                try check(false, "a proof for \(bad) must be refused")
            } catch let e as LedgerError { try check(e.code == .invalidInput, "\(e)") }
        }
        let report = try await store.verify(verifier: nil) { _, _ in }
        try check(report.isValid && report.entries == 12, "verify passes: \(String(describing: report.problem))")
    }

    public static func proofsMatchTheTree(_ store: any LedgerStore) async throws {
        var tree = MerkleTree()
        var n = 0
        for batch in [1, 1, 2, 3, 5, 8, 13, 21, 17] {
            let entries = try await store.append((n..<(n + batch)).map(LedgerFixtures.filler))
            for e in entries { tree.append(entry: e.json.canonicalBytes) }
            n += batch
            try check(try await store.root() == tree.root(), "root at size \(n)")
        }
        for size in [1, 2, 3, 7, 8, 9, 31, 32, 33, 50, n] {
            try check(try await store.root(size: size) == tree.root(size: size), "root at size \(size)")
            for index in Set([0, size / 2, size - 1]) {
                let p = try await store.inclusionProof(seq: index, size: size)
                try check(p.proof == (try tree.inclusionProof(index: index, size: size)), "path \(index)@\(size)")
            }
            let c = try await store.consistencyProof(from: size / 3, to: size)
            try check(c.proof == (try tree.consistencyProof(from: size / 3, to: size)), "consistency to \(size)")
            try check(c.verifies, "consistency \(size / 3)→\(size) verifies")
        }
    }

    public static func malformedBatchWritesNothing(_ store: any LedgerStore) async throws {
        try await store.append([LedgerFixtures.filler(0)])
        let bad = LedgerFixtures.draft(
            "deploy.requested", "deploy-bot", 1,
            #"""
            {"id":"r","service":"s","environment":"e","artifact":"registry.example.com/a:latest","requester":"x",
             "deployer":"y","change":{"commit":"c","ref":"refs/heads/main","kind":"code","reversible":true}}
            """#)
        do {
            try await store.append([LedgerFixtures.filler(1), bad])
            try check(false, "a tag-only artifact must be rejected")
        } catch let e as LedgerError {
            try check(e.code == .invalidInput, "rejected as invalid input: \(e)")
            try check(e.message.contains("payload.artifact"), "the message names the field: \(e.message)")
        }
        // A duplicate id is caught by the database, inside the transaction: that batch alone rolls back.
        let story = LedgerFixtures.deployStory()
        try await store.append([story[0]])
        do {
            try await store.append([LedgerFixtures.filler(2), story[0]])
            try check(false, "a second request with the same id must be refused")
        } catch let e as LedgerError { try check(e.message.contains("nothing was written"), "\(e.message)") }
        try check(try await store.size() == 2, "only the good appends were written")
        let next = try await store.append([LedgerFixtures.filler(3)])
        try check(next.map(\.seq) == [2], "the log continues without a gap: \(next.map(\.seq))")
        try check(try await store.verify(verifier: nil) { _, _ in }.isValid, "verify passes after rejections")
    }

    public static func concurrentAppends(_ store: any LedgerStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for batch in 0..<10 {
                        try await store.append((0..<5).map { LedgerFixtures.filler(writer * 1_000 + batch * 10 + $0) })
                    }
                }
            }
            try await group.waitForAll()
        }
        try check(try await store.size() == 400, "every acknowledged entry is there")
        let report = try await store.verify(verifier: nil) { _, _ in }
        try check(report.isValid && report.entries == 400, "no gap or fork: \(String(describing: report.problem))")
        let entries = try await store.entries(from: 0, count: 400)
        for start in stride(from: 0, to: 400, by: 5) {
            let ids = entries[start..<(start + 5)].compactMap { $0.payload["n"]?.numberValue }.map { Int($0) / 10 }
            try check(Set(ids).count == 1, "the batch at \(start) is contiguous: \(ids)")
        }
    }

    public static func checkpoints(_ store: any LedgerStore) async throws {
        let signer = try NoteSigner(name: "test.example/log")
        try await store.append((0..<16).map(LedgerFixtures.filler))
        let note = try await store.checkpoint(signer: signer, origin: "test.example/log")
        let body = try signer.verifier.verify(note)
        let checkpoint = try Checkpoint(body: body)
        let root = try await store.root()
        try check(checkpoint.size == 16 && checkpoint.rootHash == root, "checkpoint of the tree")
        try check(
            try await store.checkpoint(signer: signer, origin: "test.example/log") == note, "same size, same note")
        try await store.append([LedgerFixtures.filler(16)])
        let second = try Checkpoint(
            body: signer.verifier.verify(try await store.checkpoint(signer: signer, origin: "test.example/log")))
        try check(second.size == 17, "a later checkpoint")
        let latest = try await store.latestCheckpoint()
        try check(try latest.map { try signer.verifier.verify($0) } == second.body, "latest")
        do {
            try await store.storeCheckpoint(size: 16, rootHash: [UInt8](repeating: 7, count: 32), note: "forged")
            try check(false, "a second root for size 16 must be refused")
        } catch let e as LedgerError { try check(e.code == .tampered, "\(e)") }
        let report = try await store.verify(verifier: signer.verifier) { _, _ in }
        try check(report.checkpointSize == 17, "verify checks the latest checkpoint")
        let stranger = try NoteSigner(name: "test.example/log")
        let foreign = try await store.verify(verifier: stranger.verifier) { _, _ in }
        try check(foreign.problem?.message.contains("latest checkpoint") == true, "another key's checkpoint fails")
    }

    /// Every projection table's rows, sorted, as text.
    public static func dump(_ store: any LedgerStore) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for table in Projection.tables {
            let r = try await store.lookup("SELECT * FROM \(table)", [])
            out[table] = r.rows.map { $0.map(\.description).joined(separator: "|") }.sorted()
        }
        return out
    }

    public static func projectionsAndReplay(_ store: any LedgerStore) async throws {
        try await store.append(LedgerFixtures.deployStory())
        let q = { (sql: String) async throws -> [[SQLValue]] in try await store.lookup(sql, []).rows }
        try check(
            try await q("SELECT verdict, tier, digest, author FROM deploy_requests WHERE request_id = 'req-1'")
                == [[.text("allowed"), .text("schema-migration"), .text(LedgerFixtures.digest), .text("bob")]],
            "the request row carries its latest decision")
        try check(
            try await q("SELECT approver, state FROM approvals WHERE request_id = 'req-2' ORDER BY approver")
                == [[.text("bob"), .text("granted")], [.text("frank"), .text("withdrawn")]],
            "a withdrawal updates the approval")
        try check(
            try await q("SELECT status, finished_at FROM deploys ORDER BY deploy_id")
                == [
                    [.text("succeeded"), .text(RFC3339.string(LedgerFixtures.at(12), fraction: .milliseconds))],
                    [.text("failed"), .text(RFC3339.string(LedgerFixtures.at(710), fraction: .milliseconds))],
                ], "deploys end with their outcome")
        try check(
            try await q("SELECT review_outcome, reviewed_by, expires_at FROM breakglass_grants")
                == [[.text("justified"), .text("eng-manager"), .text("2026-11-03T13:31:00.000Z")]],
            "break-glass grants record their review")
        try check(
            try await q("SELECT resolved_at IS NOT NULL, deploy_ids FROM incidents")[0][1] == .text(#"["dep-1"]"#),
            "incidents link their deploys")
        try check(try await q("SELECT COUNT(*) FROM checks")[0] == [.integer(3)], "every check is recorded")
        try check(
            try await q("SELECT verified, verification_policy FROM artifacts")
                == [[.integer(1), .text("signed-from-main")]], "artifacts carry their verification")
        let before = try await dump(store)
        let replayed = try await store.replayProjections()
        try check(replayed == LedgerFixtures.deployStory().count, "replay reads every entry")
        let after = try await dump(store)
        try check(before == after, "replay reproduces the projections exactly:\n\(before)\n\(after)")
        try check(before.values.allSatisfy { !$0.isEmpty }, "the story fills every projection table")
    }

    /// The audit console as an attacker uses it: writes, DDL, a temporary view that would shadow `entries` for
    /// the store's own reads, the token hashes, several statements at once, unbounded results and recursion.
    /// Each is refused or bounded, and the store's own reads still see the real log. The store must be opened with
    /// the default `AuditLimits` (5 s, 10,000 rows).
    public static func auditIsIsolated(_ store: any LedgerStore) async throws {
        try await store.append(LedgerFixtures.deployStory())
        let size = try await store.size()
        func refused(_ sql: String, _ codes: Set<String>) async throws {
            do {
                let r = try await store.audit(sql)
                try check(false, "\(sql) must be refused, got \(r.rows.count) rows")
            } catch let e as LedgerError {
                try check(codes.contains(e.code.description), "\(sql): \(e.code): \(e.message)")
            }
        }
        let refusals: Set<String> = ["read-only", "not permitted", "invalid input"]
        for sql in [
            "DELETE FROM deploys", "UPDATE approvals SET state = 'granted'", "INSERT INTO checks (seq) VALUES (99)",
            "DROP TABLE incidents", "DELETE FROM entries",
            "CREATE TEMP VIEW entries AS SELECT * FROM entries WHERE seq < 0",
            "CREATE TEMP TABLE deploy_requests (request_id TEXT)",
            "SELECT 1; DELETE FROM deploys", "SELECT token_hash FROM api_tokens",
        ] {
            try await refused(sql, refusals)
        }
        // The store's own reads are untouched by anything an audit tried.
        try check(try await store.size() == size, "the log did not change")
        try check(try await store.entries(from: 0, count: 1).count == 1, "entries still read the log")
        let count = try await store.lookup("SELECT COUNT(*) FROM deploys", []).rows
        try check(count == [[.integer(2)]], "nothing changed: \(count)")
        let audited = try await store.audit("SELECT COUNT(*) AS n FROM entries")
        try check(audited.rows == [[.integer(Int64(size))]], "an audit reads the log: \(audited.rows)")
        try check(audited.columns == ["n"] && audited.truncation == nil, "columns are named, nothing cut")
        let identities = try await store.audit("SELECT COUNT(token_id) FROM api_tokens")
        try check(identities.rows.count == 1, "api_tokens is readable without its hashes")
        do {
            _ = try await store.audit("SELECT * FROM no_such_table")
            try check(false, "an unknown table is an error")
        } catch let e as LedgerError { try check(e.message.contains("no_such_table"), e.message) }
        // Bounded: rows past the cap are cut and the result says so; recursion without end stops at the limit.
        let many = try await store.audit(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n")
        try check(many.rows.count == AuditLimits.standard.maxRows, "rows are capped: \(many.rows.count)")
        try check(
            many.truncation?.contains("10000 rows") == true, "the cut is marked: \(String(describing: many.truncation))"
        )
        let started = ContinuousClock.now
        do {
            _ = try await store.audit(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
            try check(false, "an endless recursive CTE must be stopped")
        } catch let e as LedgerError {
            try check(e.code == .limitExceeded, "\(e.code): \(e.message)")
            try check(e.message.contains("time limit"), e.message)
        }
        let took = ContinuousClock.now - started
        try check(took < AuditLimits.standard.timeLimit * 3, "stopped near its time limit, took \(took)")
    }

    public static func deployRecords(_ store: any LedgerStore) async throws {
        try await store.append(LedgerFixtures.deployStory())
        let records = try await DeployRecord.report(
            store, environment: "production", from: LedgerFixtures.at(0), to: LedgerFixtures.at(1_000))
        try check(records.count == 2, "two production deploys: \(records.count)")
        let first = records[0]
        try check(first["deploy_id"]?.stringValue == "dep-1", "oldest first")
        try check(first["linked_issue"]?.stringValue == "PAY-99", "the ticket is the linked issue")
        let approvers: [String]
        if case .array(let items)? = first["approvals"] {
            approvers = items.compactMap { $0["actor"]?.stringValue }
        } else {
            approvers = []
        }
        try check(approvers == ["alice", "dana"], "approvals for another digest are not counted: \(approvers)")
        try check(first["separation_of_duties"]?["ok"] == .bool(true), "dep-1 keeps separation of duties")
        // The request named alice as a reviewer; the delivery GitHub sent for the commit names none, and the
        // record is what the deploy record shows.
        try check(
            first["separation_of_duties"]?["reviewers"] == .array([]),
            "the pull request's reviewers: \(String(describing: first["separation_of_duties"]))")
        try check(
            first["checks_passed"] == .array([.string("migration-dry-run"), .string("unit")]),
            "only checks for this digest: \(String(describing: first["checks_passed"]))")
        try check(first["decision"]?["verdict"]?.stringValue == "allowed", "the decision before the deploy")
        try check(first["provenance"]?["verified"] == .bool(true), "the artifact verification")
        let proof = try InclusionProof(json: first["ledger"]?["inclusion_proof"] ?? .null)
        try check(proof.verifies && proof.index == 10, "the deploy's entry is proven in the log")
        let second = records[1]
        // Recorded as a GitHub noreply address and an alias; compared through the aliases of the decision's policy.
        try check(second["separation_of_duties"]?["ok"] == .bool(false), "bob approved his own change")
        try check(
            second["separation_of_duties"]?["violations"] == .array([.string("bob is a committer")]),
            "the violation is named: \(String(describing: second["separation_of_duties"]))")
        let none = try await DeployRecord.report(
            store, environment: "staging", from: LedgerFixtures.at(0), to: LedgerFixtures.at(1_000))
        try check(none.isEmpty, "no staging deploys")
        try check(first["change_facts"]?.stringValue == "github-webhook", "a delivery's record")

        // GitHub's record of the commit: its reviewers, merger and page are the record's, and a committer it names
        // whom the request left out is excluded all the same — dana approved a change she committed to.
        try await store.append([
            LedgerFixtures.draft(
                "change.recorded", "github", 30,
                #"""
                {"repository":"acme/payments","source":"github-api","change":{"commit":"c0ffee1","ref":"refs/heads/main",
                 "kind":"schema-migration","reversible":false,"pullRequest":{"number":51,"author":"bob",
                 "committers":["dana"],"reviewers":["erin"],"mergedBy":"erin",
                 "url":"https://github.com/acme/payments/pull/51"}}}
                """#)
        ])
        let recorded = try await DeployRecord.report(
            store, environment: "production", from: LedgerFixtures.at(0), to: LedgerFixtures.at(1_000))
        let again = recorded[0]
        try check(again["change_facts"]?.stringValue == "github-api", "facts from GitHub's API")
        try check(
            again["pull_request_url"]?.stringValue == "https://github.com/acme/payments/pull/51", "the PR's page")
        try check(again["merged_by"]?.stringValue == "erin", "who merged it")
        try check(
            again["separation_of_duties"]?["reviewers"] == .array([.string("erin")]),
            "the reviewers GitHub records: \(String(describing: again["separation_of_duties"]))")
        try check(again["separation_of_duties"]?["ok"] == .bool(false), "dana committed to the change she approved")
        try check(
            again["separation_of_duties"]?["violations"] == .array([.string("dana is a committer")]),
            "the violation is named: \(String(describing: again["separation_of_duties"]))")

        // The emergency path: a break-glass grant stood in for the approvals. Nobody but its invoker looked before
        // the deploy, and the record says so rather than calling separation of duties kept.
        let relaxation =
            "break-glass: grant bg-9 by carol stood in for the approvals of tier emergency; review by team "
            + "eng-managers due by 2026-11-29T14:30:00Z"
        try await store.append([
            LedgerFixtures.draft(
                "deploy.requested", "deploy-bot", 40,
                #"""
                {"id":"req-9","service":"payments","environment":"production",
                 "artifact":"registry.example.com/payments/api@\#(LedgerFixtures.digest)",
                 "requester":"deploy-bot","deployer":"deploy-bot",
                 "change":{"commit":"beef001","ref":"refs/heads/main","kind":"code","reversible":true,
                   "ticket":"INC-311","pullRequest":{"number":77,"author":"carol"}}}
                """#),
            LedgerFixtures.draft(
                "gate.decided", "countersign", 41,
                #"{"request":"req-9","verdict":"allowed","tier":"emergency","relaxations":["\#(relaxation)"]}"#),
            LedgerFixtures.draft(
                "deploy.started", "deploy-bot", 42,
                #"{"id":"dep-9","request":"req-9","environment":"production","service":"payments","digest":"\#(LedgerFixtures.digest)"}"#
            ),
        ])
        let emergency = try require(
            try await DeployRecord.report(
                store, environment: "production", from: LedgerFixtures.at(0), to: LedgerFixtures.at(1_000)
            ).first { $0["deploy_id"]?.stringValue == "dep-9" }, "the emergency deploy's record")
        try check(emergency["separation_of_duties"]?["ok"] == .bool(false), "no approval before the deploy")
        try check(
            emergency["separation_of_duties"]?["violations"]
                == .array([.string("no approval: " + relaxation.dropFirst("break-glass: ".count))]),
            "the grant that stood in is named: \(String(describing: emergency["separation_of_duties"]))")
        try check(
            emergency["decision"]?["relaxations"] == .array([.string(relaxation)]),
            "the decision's relaxations: \(String(describing: emergency["decision"]))")
    }

    public static func evidencePacks(_ store: any LedgerStore) async throws {
        let signer = try NoteSigner(name: "audit.example/log")
        try await store.append(LedgerFixtures.deployStory())
        _ = try await store.checkpoint(signer: signer, origin: "audit.example/log")
        let pack = try await EvidencePack.export(store, from: LedgerFixtures.at(5), to: LedgerFixtures.at(13))
        try check(pack.coverage?.count == 6, "entries in the period: \(String(describing: pack.coverage))")
        try check(pack.entries.count == 8, "and one neighbour each side: \(pack.entries.count)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pack-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try pack.write(to: dir)
        let read = try EvidencePack(reading: dir)
        guard case .success(let checkpoint) = read.verify(verifier: signer.verifier) else {
            throw Failure(description: "an exported pack verifies: \(read.verify(verifier: signer.verifier))")
        }
        try check(checkpoint.size == LedgerFixtures.deployStory().count, "against the checkpoint")
        var tampered = read.entries
        let dana = try require(tampered.firstIndex { $0.contains("\"dana\"") }, "an entry by dana")
        tampered[dana] = tampered[dana].replacingOccurrences(of: "dana", with: "mallory")
        try refused(
            EvidencePack(entries: tampered, proofs: read.proofs, checkpoint: read.checkpoint, coverage: read.coverage),
            signer, "entry line \(dana + 1)")
        let other = try NoteSigner(name: "audit.example/log")
        if case .success = read.verify(verifier: other.verifier) { try check(false, "another key must fail") }

        // Dropping entries with their proofs, and rewriting the coverage to match, is refused wherever they were.
        func dropping(_ lines: [Int], first: Int64?, last: Int64?) -> EvidencePack {
            let keep = read.entries.indices.filter { !lines.contains($0) }
            return EvidencePack(
                entries: keep.map { read.entries[$0] }, proofs: keep.map { read.proofs[$0] },
                checkpoint: read.checkpoint,
                coverage: .init(from: LedgerFixtures.at(5), to: LedgerFixtures.at(13), first: first, last: last))
        }
        let (first, last) = (read.coverage!.first!, read.coverage!.last!)
        try refused(dropping([3], first: first, last: last), signer, "entry \(first + 2) is missing")
        try refused(dropping([7], first: first, last: last - 1), signer, "dropped from the pack's end")
        try refused(dropping([6, 7], first: first, last: last - 1), signer, "entry \(last) is missing")
        try refused(dropping([7], first: first, last: last), signer, "entry \(last + 1) is missing")
        try refused(dropping([0], first: first + 1, last: last), signer, "dropped from the pack's start")
        try refused(dropping([0, 1], first: first + 1, last: last), signer, "entry \(first) is missing")
        try refused(dropping(Array(read.entries.indices), first: nil, last: nil), signer, "empty period")
        try refused(dropping(Array(2..<8), first: nil, last: nil), signer, "entry \(first) is not after the period")
        try refused(
            EvidencePack(entries: read.entries, proofs: read.proofs, checkpoint: read.checkpoint, coverage: nil),
            signer,
            "records no coverage")
        // The last entry dropped and the period narrowed to end at its time: complete for the narrower period it now
        // claims (which is why the claimed period is printed), and refused for the period the auditor asked for.
        let narrowed = EvidencePack(
            entries: Array(read.entries[0..<7]), proofs: Array(read.proofs[0..<7]), checkpoint: read.checkpoint,
            coverage: .init(from: LedgerFixtures.at(5), to: LedgerFixtures.at(12), first: first, last: last - 1))
        guard case .success = narrowed.verify(verifier: signer.verifier) else {
            throw Failure(description: "a narrowed pack is complete for the period it claims")
        }
        guard
            case .failure(let e) = narrowed.verify(
                verifier: signer.verifier, period: (LedgerFixtures.at(5), LedgerFixtures.at(13)))
        else { throw Failure(description: "a narrowed pack must fail for the period asked for") }
        try check(e.message.contains("not the period asked for"), e.message)
        guard
            case .success = read.verify(
                verifier: signer.verifier, period: (LedgerFixtures.at(5), LedgerFixtures.at(13)))
        else { throw Failure(description: "the exported pack verifies for its own period") }

        // A period without entries is shown empty by the entries around it.
        let quiet = try await EvidencePack.export(
            store, from: LedgerFixtures.at(5).addingTimeInterval(1), to: LedgerFixtures.at(6))
        try check(quiet.coverage?.first == nil && quiet.entries.count == 2, "an empty period: \(quiet.entries.count)")
        guard case .success = quiet.verify(verifier: signer.verifier) else {
            throw Failure(description: "an empty period's pack verifies: \(quiet.verify(verifier: signer.verifier))")
        }
        let before = try await EvidencePack.export(store, from: LedgerFixtures.at(-100), to: LedgerFixtures.at(-50))
        guard case .success = before.verify(verifier: signer.verifier), before.entries.count == 1 else {
            throw Failure(description: "a period before the log is shown empty by its first entry")
        }

        try await store.append([LedgerFixtures.filler(99)])
        do {
            _ = try await EvidencePack.export(store, from: LedgerFixtures.at(0), to: LedgerFixtures.at(10_000))
            try check(false, "entries beyond the checkpoint need a new checkpoint")
        } catch let e as LedgerError { try check(e.message.contains("newer than the latest checkpoint"), e.message) }
    }

    static func refused(_ pack: EvidencePack, _ signer: NoteSigner, _ reason: String) throws {
        guard case .failure(let e) = pack.verify(verifier: signer.verifier) else {
            throw Failure(description: "a pack that should fail (\(reason)) verifies")
        }
        try check(e.message.contains(reason), "\(reason): \(e.message)")
    }
}
