import BenchSQLite
// Measures the ledger (issue 4) against its peers in the same run:
//
//   scripts/bench-ledger.sh          (starts a scratch PostgreSQL, then runs this in release mode)
//
// - durable appends in batches of 100 on SQLite (WAL, synchronous=FULL), and the median single-append latency;
// - the Merkle overhead: a plain SQLite log of the same entries (same encoder, same batches), without hashing;
// - an inclusion proof from the store at 1,000,000 entries;
// - full verify, against raw SHA-256 over the same bytes (each entry hashed as a leaf: 0x00 ‖ bytes);
// - PostgreSQL appends from 4 concurrent writers (needs COUNTERSIGN_BENCH_POSTGRES).
import CountersignEncoding
import CountersignLedger
import CountersignPostgres
import CountersignSQLite
import Crypto
import Foundation
import GRDB

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

/// A realistic payload under an event type with no projection (`team.changed`; `canary.judged` is projected now
/// that the gate reads canary verdicts), so the comparison isolates the Merkle work.
func draft(_ i: Int, type: String = "team.changed") throws -> EntryDraft {
    try EntryDraft(
        type: EventType(rawValue: type)!, at: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)),
        actor: "countersign",
        payload: .object([
            ("request", .string("req-\(i)")), ("verdict", .string("allowed")), ("tier", .string("stateless")),
            ("digest", .string("sha256:" + String(repeating: "ab", count: 32))),
            ("policy", .string("sha256:" + String(repeating: "cd", count: 32))),
        ]))
}

let batches = 100
let batchSize = 100
var prepared: [[EntryDraft]] = []
for b in 0..<batches { prepared.append(try (0..<batchSize).map { try draft(b * batchSize + $0) }) }

// The same with projections: gate decisions also write a decisions row and update their request.
let projected = try SQLiteLedger(path: dir.appendingPathComponent("projected.db").path)
let decisions = try (0..<batches).map { b in
    try (0..<batchSize).map { try draft(b * batchSize + $0, type: "gate.decided") }
}
let projectedRate = try await Task.detached {
    let start = clock.now
    for batch in decisions { try await projected.append(batch) }
    return Double(batches * batchSize) / seconds(clock.now - start)
}.value

// As the server appends them: a deploy request, then the gate's decision on it, whose eight control results each name
// their rule (the per-request and per-rule summary rows the gate metrics read are written with it).
func requestAndDecision(_ i: Int) throws -> [EntryDraft] {
    let at = Date(timeIntervalSince1970: 1_790_000_000 + Double(i))
    let digest = "sha256:" + String(format: "%064x", i + 1)
    let request = try EntryDraft(
        type: .deployRequested, at: at, actor: "deploy-bot",
        payload: JSONValue(
            parsing: """
                {"id":"dr_\(i)","service":"payments","environment":"production",
                 "artifact":"registry.example.com/payments@\(digest)","requester":"deploy-bot","deployer":"deploy-bot",
                 "change":{"commit":"\(String(format: "%040x", i + 1))","ref":"refs/heads/main","kind":"code",
                 "reversible":true}}
                """))
    let controls: [(String, String, String?)] = [
        ("artifact-reference", "satisfied", nil), ("deployer", "satisfied", nil), ("source-ref", "satisfied", nil),
        ("tier", "satisfied", nil), ("checks", "satisfied", "unit"), ("checks", "pending", "integration"),
        ("artifact", "satisfied", "signed-from-main"), ("approvals", "pending", "payments-owners@stateless"),
    ]
    let decision = try EntryDraft(
        type: .gateDecided, at: at, actor: "countersign",
        payload: .object([
            ("request", .string("dr_\(i)")), ("verdict", .string("pending")), ("tier", .string("stateless")),
            ("policy", .string("sha256:" + String(repeating: "cd", count: 32))), ("reasons", .array([])),
            (
                "controls",
                .array(
                    controls.map { c in
                        .object(
                            [("control", .string(c.0)), ("status", .string(c.1)), ("message", .string("…"))]
                                + (c.2.map { [("rule", JSONValue.string($0))] } ?? []))
                    })
            ),
        ]))
    return [request, decision]
}
let served = try SQLiteLedger(path: dir.appendingPathComponent("served.db").path)
let servedBatches = try (0..<batches).map { b in
    try (0..<batchSize / 2).flatMap { try requestAndDecision(b * batchSize / 2 + $0) }
}
let servedRate = try await Task.detached {
    let start = clock.now
    for batch in servedBatches { try await served.append(batch) }
    return Double(batches * batchSize) / seconds(clock.now - start)
}.value
var start = clock.now

// Peers: plain SQLite (same pragmas, same batches, rows bound through the C API as the ledger's writer binds them),
// no hashing, no tree. The first serializes each entry with the same canonical encoder, as any log must, so the
// ratio to it is the Merkle overhead; the second inserts bytes serialized beforehand, the bare insert cost.
func plainInserts(_ name: String, serialize: Bool, _ prepared: [[EntryDraft]]) throws -> Double {
    let plain = try DatabasePool(path: dir.appendingPathComponent(name).path, configuration: Configuration())
    // After the pool's WAL set-up, which turns the writer back to NORMAL: the peer syncs its WAL at every commit
    // as the ledger does, or the ratio compares a durable log with one that is not.
    try plain.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    try plain.write { db in
        try db.execute(
            sql:
                "CREATE TABLE entries (seq INTEGER PRIMARY KEY, type TEXT, at TEXT, actor TEXT, canonical TEXT NOT NULL)"
        )
    }
    let serialized = prepared.enumerated().map { b, batch in
        batch.enumerated().map { i, d in LedgerEntry(seq: Int64(b * batchSize + i), draft: d).json.canonicalBytes }
    }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    let start = clock.now
    for (b, batch) in prepared.enumerated() {
        try plain.write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO entries (seq, type, at, actor, canonical) VALUES (?, ?, ?, ?, ?)"
            ).sqliteStatement
            for (i, d) in batch.enumerated() {
                let seq = b * batchSize + i
                let bytes = serialize ? LedgerEntry(seq: Int64(seq), draft: d).json.canonicalBytes : serialized[b][i]
                sqlite3_bind_int64(insert, 1, Int64(seq))
                sqlite3_bind_text(insert, 2, d.type.rawValue, -1, transient)
                sqlite3_bind_text(insert, 3, RFC3339.string(d.at, fraction: .milliseconds), -1, transient)
                sqlite3_bind_text(insert, 4, d.actor, -1, transient)
                bytes.withUnsafeBytes {
                    _ = sqlite3_bind_text(
                        insert, 5, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count), transient)
                }
                guard sqlite3_step(insert) == SQLITE_DONE else { fatalError("plain insert failed") }
                sqlite3_reset(insert)
            }
        }
    }
    return seconds(clock.now - start)
}
// Rounds alternate the ledger and its peers on fresh files, so warm-up and the machine's drift fall on all three,
// and the ledger goes first in one round and last in the next. A rate is the median round; a ratio is the median of
// the rounds' own ratios, each taken between runs a fraction of a second apart — on a shared machine a burst of
// other work lands on one side of one pair, not on a whole side of the comparison. All of it runs off the main
// actor, as a server's request handlers call the store (top-level code would hop threads on every call; the peers'
// synchronous writes would not).
let rounds = 11
let batchesToAppend = prepared
let (ledgerRounds, plainRounds, bareRounds, singles) = try await Task.detached {
    var ledgerRounds: [Double] = []
    var plainRounds: [Double] = []
    var bareRounds: [Double] = []
    var ledger = try SQLiteLedger(path: dir.appendingPathComponent("ledger-0.db").path)
    for r in 0..<rounds {
        ledger = try SQLiteLedger(path: dir.appendingPathComponent("ledger-\(r).db").path)
        func ledgerRound() async throws {
            let t = clock.now
            for batch in batchesToAppend { try await ledger.append(batch) }
            ledgerRounds.append(seconds(clock.now - t))
        }
        if r % 2 == 0 { try await ledgerRound() }
        plainRounds.append(try plainInserts("plain-\(r).db", serialize: true, batchesToAppend))
        bareRounds.append(try plainInserts("bare-\(r).db", serialize: false, batchesToAppend))
        if r % 2 == 1 { try await ledgerRound() }
    }
    var singles: [Double] = []
    for i in 0..<200 {
        let d = try draft(1_000_000 + i)
        let t = clock.now
        try await ledger.append([d])
        singles.append(seconds(clock.now - t))
    }
    return (ledgerRounds, plainRounds, bareRounds, singles)
}.value

// Group commit on SQLite: 4 writers appending batches of 100 at once share transactions (and fsyncs).
let concurrentRate = try await Task.detached {
    let shared = try SQLiteLedger(path: dir.appendingPathComponent("concurrent.db").path)
    let t = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for w in 0..<4 {
            group.addTask {
                for b in stride(from: w, to: batches, by: 4) { try await shared.append(batchesToAppend[b]) }
            }
        }
        try await group.waitForAll()
    }
    return Double(batches * batchSize) / seconds(clock.now - t)
}.value
let appendRate = Double(batches * batchSize) / median(ledgerRounds)
let plainSeconds = median(plainRounds)
let bareSeconds = median(bareRounds)
let overhead = median(zip(ledgerRounds, plainRounds).map { $0 / $1 })
let bareOverhead = median(zip(ledgerRounds, bareRounds).map { $0 / $1 })

// `--appends-only` stops here, for profiling the append path.
if CommandLine.arguments.contains("--appends-only") {
    print(
        String(
            format:
                "durable appends %.0f entries/s, plain %.0f, bare %.0f → overhead %.2f×; single %.2f ms; 4 writers %.0f",
            appendRate, Double(batches * batchSize) / plainSeconds, Double(batches * batchSize) / bareSeconds,
            overhead, median(singles) * 1e3, concurrentRate))
    exit(0)
}

// A 1,000,000-entry ledger: inclusion proofs from the store, then a full verify against raw SHA-256.
// `--big PATH` keeps the 1,000,000-entry file for the next run (built there if it is not yet complete).
let bigPath =
    CommandLine.arguments.firstIndex(of: "--big").map { CommandLine.arguments[CommandLine.arguments.index(after: $0)] }
    ?? dir.appendingPathComponent("big.db").path
let big = try SQLiteLedger(path: bigPath)
let million = 1_000_000
start = clock.now
let existing = try await big.size()
if existing != million {
    guard existing == 0 else { fatalError("\(bigPath) holds \(existing) entries; remove it") }
    for b in 0..<(million / 10_000) { try await big.append(try (0..<10_000).map { try draft(b * 10_000 + $0) }) }
}
let bigAppendRate = existing == million ? .nan : Double(million) / seconds(clock.now - start)
// `--profile-proofs N` repeats the proofs N times, for a profiler.
let proofRounds =
    CommandLine.arguments.firstIndex(of: "--profile-proofs").flatMap {
        Int(CommandLine.arguments[CommandLine.arguments.index(after: $0)])
    } ?? 2_000
// Off the main actor, as a server's request handlers call the store: top-level code would hop threads per call.
let proofTimes = try await Task.detached {
    var times: [Double] = []
    var count = 0
    for i in 0..<proofRounds {
        let index = (i * 7919) % million
        let t = clock.now
        let proof = try await big.inclusionProof(seq: index, size: million)
        times.append(seconds(clock.now - t))
        count &+= proof.proof.count
    }
    guard count > 0 else { fatalError("empty proofs") }
    return times
}.value
var sink = 0
start = clock.now
let report = try await big.verify(verifier: nil) { _, _ in }
let verifySeconds = seconds(clock.now - start)
guard report.isValid else { fatalError("verify failed: \(String(describing: report.problem))") }
let allBytes = try await big.entries(from: 0, count: million).map { $0.json.canonicalBytes }
start = clock.now
let leafPrefix: [UInt8] = [0]
for b in allBytes {
    var h = SHA256()
    h.update(data: leafPrefix)
    h.update(data: b)
    sink &+= Int(h.finalize().withUnsafeBytes { $0[0] })
}
let shaSeconds = seconds(clock.now - start)
let verifiedBytes = allBytes.reduce(0) { $0 + $1.count }

print(
    "Ledger benchmark — SQLite (WAL, synchronous=FULL), \(batches) batches of \(batchSize) entries, \(rounds) rounds (ratios: median of the rounds' ratios)"
)
print(String(format: "durable appends      %10.0f entries/s   (target ≥ 20,000)", appendRate))
print(
    String(
        format: "  with projections   %10.0f entries/s   (gate decisions: + a decisions row and a request update)",
        projectedRate))
print(
    String(
        format:
            "  as served          %10.0f entries/s   (a request, then its decision of 8 controls naming their rules)",
        servedRate))
print(String(format: "single append        %10.2f ms median (one durable transaction)", median(singles) * 1e3))
print(
    String(
        format: "4 concurrent writers %10.0f entries/s   (batches of 100, group commit)", concurrentRate))
print(
    String(
        format: "plain SQLite log     %10.0f entries/s   → Merkle overhead %.2f× (target ≤ 1.25×; serialize + insert)",
        Double(batches * batchSize) / plainSeconds, overhead))
print(
    String(
        format: "bare SQLite insert   %10.0f entries/s   → %.2f× (bytes serialized beforehand)",
        Double(batches * batchSize) / bareSeconds, bareOverhead))
print(String(format: "1M-entry build       %10.0f entries/s   (batches of 10,000)", bigAppendRate))
print(
    String(
        format: "inclusion proof      %10.2f µs median from the store at 1,000,000 entries (target ≤ 100 µs)",
        median(proofTimes) * 1e6))
print(
    String(
        format: "full verify          %10.1f MB/s; raw SHA-256 %.1f MB/s → %.2f of raw (target ≥ 0.5)",
        Double(verifiedBytes) / verifySeconds / 1e6, Double(verifiedBytes) / shaSeconds / 1e6,
        shaSeconds / verifySeconds))

if let url = ProcessInfo.processInfo.environment["COUNTERSIGN_BENCH_POSTGRES"] {
    let schema = "bench_" + UUID().uuidString.prefix(8).lowercased()
    let rate = try await PostgresLedger.withLedger(url: url + "&schema=" + schema) { pg in
        let writers = 4
        let perWriter = 50
        let t = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for b in 0..<perWriter {
                        try await pg.append(try (0..<100).map { try draft(w * 1_000_000 + b * 100 + $0) })
                    }
                }
            }
            try await group.waitForAll()
        }
        let rate = Double(writers * perWriter * 100) / seconds(clock.now - t)
        guard try await pg.verify(verifier: nil, progress: { _, _ in }).isValid else { fatalError("pg verify failed") }
        return rate
    }
    print(
        String(
            format: "PostgreSQL appends   %10.0f entries/s   (4 concurrent writers, batches of 100, group commit)", rate
        ))
} else {
    print("PostgreSQL appends   not measured: set COUNTERSIGN_BENCH_POSTGRES (scripts/bench-ledger.sh does)")
}
print("anchor: Tessera (under Rekor v2) publishes ~2,900 writes/s on local disk")
if sink == 42 { print("") }
