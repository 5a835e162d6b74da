// Measures the ledger (issue 4) against plain SQLite in the same run:
//
//   swift run -c release --package-path Benchmarks LedgerBenchmark
//
// - durable appends in batches of 100 (WAL, synchronous=FULL), and the median latency of a single append;
// - the Merkle overhead: the same bytes inserted by plain SQLite in the same batches, without hashing;
// - an inclusion proof at 1,000,000 entries;
// - full verify, against raw SHA-256 over the same bytes.
import CountersignLedger
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

func draft(_ i: Int) throws -> EntryDraft {
    try EntryDraft(
        type: EventType(rawValue: "gate.decided")!, at: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)),
        actor: "countersign",
        payload: .object([
            ("request", .string("req-\(i)")), ("verdict", .string("allowed")), ("tier", .string("stateless")),
            ("digest", .string("sha256:" + String(repeating: "ab", count: 32))),
            ("policy", .string("sha256:" + String(repeating: "cd", count: 32))),
        ]))
}

let batches = 100
let batchSize = 100
let ledger = try SQLiteLedger(path: dir.appendingPathComponent("ledger.db").path)
var prepared: [[EntryDraft]] = []
for b in 0..<batches { prepared.append(try (0..<batchSize).map { try draft(b * batchSize + $0) }) }
var start = clock.now
for batch in prepared { try ledger.append(batch) }
let appendSeconds = seconds(clock.now - start)
let appendRate = Double(batches * batchSize) / appendSeconds

var singles: [Double] = []
for i in 0..<200 {
    let d = try draft(1_000_000 + i)
    let t = clock.now
    try ledger.append([d])
    singles.append(seconds(clock.now - t))
}

// Peer: the same canonical bytes inserted by plain SQLite (same pragmas, same batches), no hashing, no tree.
var config = Configuration()
config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
let plain = try DatabasePool(path: dir.appendingPathComponent("plain.db").path, configuration: config)
try plain.write { db in try db.execute(sql: "CREATE TABLE entries (seq INTEGER PRIMARY KEY, canonical TEXT NOT NULL)") }
let texts = prepared.enumerated().map { b, batch in
    batch.enumerated().map { i, d in LedgerEntry(seq: Int64(b * batchSize + i), draft: d).json.canonicalString }
}
start = clock.now
for (b, batch) in texts.enumerated() {
    try plain.write { db in
        for (i, t) in batch.enumerated() {
            try db.execute(
                sql: "INSERT INTO entries (seq, canonical) VALUES (?, ?)", arguments: [b * batchSize + i, t])
        }
    }
}
let plainSeconds = seconds(clock.now - start)

// Inclusion proofs at 1,000,000 entries (the tree the store mirrors in memory).
var tree = MerkleTree()
for i in 0..<1_000_000 { tree.append(leafHash: MerkleTree.leafHash(Array("entry \(i)".utf8))) }
var proofTimes: [Double] = []
var sink = 0
for i in 0..<2_000 {
    let index = (i * 7919) % 1_000_000
    let t = clock.now
    let proof = try tree.inclusionProof(index: index, size: 1_000_000)
    proofTimes.append(seconds(clock.now - t))
    sink &+= proof.count
}

// Full verify vs raw SHA-256 over the same stored bytes.
start = clock.now
let report = try ledger.verify()
let verifySeconds = seconds(clock.now - start)
guard report.isValid else { fatalError("verify failed: \(String(describing: report.problem))") }
let allBytes = texts.flatMap { $0 }.map { Array($0.utf8) }
start = clock.now
for b in allBytes { sink &+= Int(Array(SHA256.hash(data: b))[0]) }
let shaSeconds = seconds(clock.now - start)
let verifiedBytes = allBytes.reduce(0) { $0 + $1.count }

print("Ledger benchmark — SQLite (WAL, synchronous=FULL), \(batches) batches of \(batchSize) entries")
print(String(format: "durable appends      %10.0f entries/s   (target ≥ 20,000)", appendRate))
print(String(format: "single append        %10.2f ms median (one durable transaction)", median(singles) * 1e3))
print(
    String(
        format: "plain SQLite insert  %10.0f entries/s   → Merkle overhead %.2f× (target ≤ 1.25×)",
        Double(batches * batchSize) / plainSeconds, appendSeconds / plainSeconds))
print(
    String(
        format: "inclusion proof      %10.2f µs median at 1,000,000 entries (target ≤ 100 µs)", median(proofTimes) * 1e6
    ))
print(
    String(
        format: "full verify          %10.1f MB/s; raw SHA-256 %.1f MB/s → %.2f of raw (target ≥ 0.5)",
        Double(verifiedBytes) / verifySeconds / 1e6, Double(verifiedBytes) / shaSeconds / 1e6,
        shaSeconds / verifySeconds))
if sink == 42 { print("") }
