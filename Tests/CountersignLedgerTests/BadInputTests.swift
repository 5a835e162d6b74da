import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignLedger

/// Inputs the `json` and `ledger` fuzz targets (Fuzz/run.sh) found: each is refused with an error, never a trap, a
/// leak or an entry that cannot be read back. The inputs themselves are in Fuzz/corpus/<target>/crash-*.
@Suite struct BadInputTests {
    static let hash = String(repeating: "ab", count: 32)

    /// `json` (crash-json-entry-seq): a stored entry whose `seq` is a JSON number no Int64 holds trapped.
    @Test(arguments: ["1e300", "9223372036854775808", "-1", "1.5"])
    func anEntrysSequenceNumberIsAWholeNonNegativeInt64(seq: String) {
        #expect(throws: EntryError.self) {
            try LedgerEntry(
                canonical:
                    #"{"actor":"a","at":"2026-11-03T10:00:00Z","payload":{},"seq":\#(seq),"type":"incident.opened"}"#)
        }
    }

    /// `ledger` (crash-ledger-proof-index): an evidence pack's proof whose position no Int holds trapped.
    @Test(arguments: [("1e300", "1e300"), ("0", "1e19"), ("2", "2.5")])
    func aProofsPositionsAreWholeInts(index: String, size: String) {
        #expect(throws: ProofError.self) {
            try InclusionProof(
                json: JSONValue(
                    parsing:
                        #"{"leaf_hash":"\#(Self.hash)","leaf_index":\#(index),"proof":[],"root_hash":"\#(Self.hash)","tree_size":\#(size)}"#
                ))
        }
    }

    /// `ledger` (leak-ledger-empty-file): swift-foundation's whole-file reads leak 4 KiB for each empty file, so
    /// reading a pack of three empty files 2,000 times leaked 24 MB.
    @Test func readingAPackOfEmptyFilesLeaksNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("empty-pack-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["entries.jsonl", "proofs.jsonl", "checkpoint"] {
            FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data())
        }
        let pack = try EvidencePack(reading: directory)
        #expect(pack.entries.isEmpty && pack.proofs.isEmpty && pack.checkpoint.isEmpty)
        let growth = try memoryGrowth {
            for _ in 0..<2_000 { _ = try EvidencePack(reading: directory) }
        }
        #expect(growth.map { $0 < 8 << 20 } ?? true, "the process grew by \(growth ?? 0) bytes")
    }

    /// `canary`: a judgement's score or summary that overflowed to infinity reached `canary.judged` as `inf`, text
    /// no JSON reader accepts, hashed into the tree for good. Drafts refuse numbers JSON cannot spell.
    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func draftsRefuseNumbersJSONCannotSpell(number: Double) {
        #expect(throws: EntryError.self) {
            try EntryDraft(
                type: EventType(rawValue: "canary.judged")!, at: Date(timeIntervalSince1970: 0), actor: "a",
                payload: .object([("metrics", .array([.object([("q1", .number(number))])]))]))
        }
    }

    /// `json` (crash-json-entry-at): a time in the last half millisecond of 9999-12-31 was written as `invalid`,
    /// so the entry could not be read back. It is written inside the year 9999 now, and drafts refuse times no
    /// entry can hold.
    @Test func timesAtTheEndOfTheRangeAreWrittenAsTimesThatParse() throws {
        let entry = try LedgerEntry(
            canonical: #"{"actor":"a","at":"9999-12-31T23:59:59.9999Z","payload":{},"seq":1,"type":"incident.opened"}"#)
        let written = entry.json.canonicalString
        #expect(written.contains(#""at":"9999-12-31T23:59:59.999Z""#), "\(written)")
        #expect(try LedgerEntry(canonical: written).json.canonicalString == written)
        #expect(throws: EntryError.self) {
            try EntryDraft(
                type: EventType(rawValue: "incident.opened")!, at: Date(timeIntervalSince1970: 1e12), actor: "a",
                payload: .object([]))
        }
    }
}
