internal import CountersignCore
internal import CountersignEncoding
public import Foundation

/// An evidence pack: the entries of a period with a signed checkpoint and an inclusion proof for each, as files an
/// auditor verifies offline with the log's public key — `entries.jsonl` (each line the exact canonical bytes that
/// were hashed), `proofs.jsonl` (one RFC 6962 inclusion proof per line, same order), `checkpoint` (the note) and
/// `coverage.json` (the period and the sequence range the pack holds).
///
/// A pack proves it is complete with its proofs alone, without a signature of its own: it holds every entry from
/// the first to the last sequence number with a time in the period (times need not be ordered, so entries in
/// between that fall outside it come along), and the entry on each side of that range, whose time lies outside the
/// period. Dropping an entry from inside the range leaves a gap; dropping one at an end, even with its proof, makes
/// the neighbour left behind an entry of the period outside the claimed range. Either is refused.
public struct EvidencePack: Sendable {
    /// What a pack claims to cover.
    public struct Coverage: Sendable, Equatable {
        public let from: Date
        public let to: Date
        /// The sequence numbers of the first and last entry with a time in `from ..< to`; nil when there is none.
        public let first: Int64?
        public let last: Int64?

        public init(from: Date, to: Date, first: Int64?, last: Int64?) {
            self.from = from
            self.to = to
            self.first = first
            self.last = last
        }

        /// The entries from `first` through `last`: the period's, and any between them with other times.
        public var count: Int { first.flatMap { f in last.map { Int($0 - f) + 1 } } ?? 0 }

        func contains(_ time: Date) -> Bool { time >= from && time < to }

        var json: JSONValue {
            .object([
                ("first", first.map { .number(Double($0)) } ?? .null),
                ("from", .string(RFC3339.string(from, fraction: .milliseconds))),
                ("last", last.map { .number(Double($0)) } ?? .null),
                ("to", .string(RFC3339.string(to, fraction: .milliseconds))),
            ])
        }

        init(json: JSONValue) throws(LedgerError) {
            func sequence(_ key: String) throws(LedgerError) -> Int64? {
                guard let value = json[key], !value.isNull else { return nil }
                guard let n = value.integerValue, n >= 0 else {
                    throw LedgerError(.invalidInput, "coverage.json: \(key) must be a sequence number or null")
                }
                return Int64(n)
            }
            guard let from = json["from"]?.stringValue.flatMap(RFC3339.date),
                let to = json["to"]?.stringValue.flatMap(RFC3339.date)
            else { throw LedgerError(.invalidInput, "coverage.json: from and to must be RFC 3339 times") }
            let (first, last) = (try sequence("first"), try sequence("last"))
            guard (first == nil) == (last == nil), (first ?? 0) <= (last ?? 0) else {
                throw LedgerError(
                    .invalidInput, "coverage.json: first and last must both be set, first ≤ last, or both null")
            }
            self.init(from: from, to: to, first: first, last: last)
        }
    }

    /// The entries, in sequence: the covered range and the neighbour on each side.
    public let entries: [String]
    public let proofs: [InclusionProof]
    public let checkpoint: String
    /// Nil for a pack written before packs recorded their coverage: it cannot show that nothing was dropped.
    public let coverage: Coverage?

    /// Collects the entries of `from ..< to` (and those between them, and one neighbour each side) with proofs
    /// against the latest checkpoint, which must cover them.
    public static func export(_ store: some LedgerStore, from: Date, to: Date) async throws(LedgerError) -> EvidencePack
    {
        guard let note = try await store.latestCheckpoint() else {
            throw LedgerError(.invalidInput, "the ledger has no checkpoint yet; sign one (ledger checkpoint or --key)")
        }
        guard let checkpoint = try? Checkpoint(body: Checkpoint.body(ofNote: note)) else {
            throw LedgerError(.tampered, "the latest stored checkpoint is malformed")
        }
        let inPeriod = try await store.entries(between: from, and: to)
        guard let first = inPeriod.map(\.seq).min(), let last = inPeriod.map(\.seq).max() else {
            let pair = try await emptyPeriodWitnesses(store, from: from, to: to, size: checkpoint.size)
            var proofs: [InclusionProof] = []
            for e in pair { proofs.append(try await store.inclusionProof(seq: Int(e.seq), size: checkpoint.size)) }
            return EvidencePack(
                entries: pair.map(\.json.canonicalString), proofs: proofs, checkpoint: note,
                coverage: Coverage(from: from, to: to, first: nil, last: nil))
        }
        if last >= checkpoint.size {
            throw LedgerError(
                .invalidInput,
                "entry \(last) is newer than the latest checkpoint (size \(checkpoint.size)); sign a new one (--key)")
        }
        let low = max(0, first - 1)
        let high = min(Int64(checkpoint.size) - 1, last + 1)
        let entries = try await store.entries(from: Int(low), count: Int(high - low) + 1)
        guard entries.map(\.seq) == Array(low...high) else {
            throw LedgerError(.storage, "the store returned entries \(low)–\(high) incompletely")
        }
        var proofs: [InclusionProof] = []
        for e in entries { proofs.append(try await store.inclusionProof(seq: Int(e.seq), size: checkpoint.size)) }
        return EvidencePack(
            entries: entries.map(\.json.canonicalString), proofs: proofs, checkpoint: note,
            coverage: Coverage(from: from, to: to, first: first, last: last))
    }

    /// For a period without entries: the consecutive entries on either side of it (one at the tree's edges), found
    /// by bisecting on time. Times are in sequence order when the ledger is written by one clock; where they are
    /// not, no such pair may exist, and the pack cannot show the period empty.
    static func emptyPeriodWitnesses(_ store: some LedgerStore, from: Date, to: Date, size: Int)
        async throws(LedgerError) -> [LedgerEntry]
    {
        guard size > 0 else { return [] }
        func entry(_ seq: Int) async throws(LedgerError) -> LedgerEntry {
            guard let e = try await store.entries(from: seq, count: 1).first else {
                throw LedgerError(.storage, "the store has no entry \(seq) below its checkpoint")
            }
            return e
        }
        var (low, high) = (0, size)  // the first entry at or after `from` is in low..<high, or there is none
        while low < high {
            let mid = (low + high) / 2
            if try await entry(mid).at < from { low = mid + 1 } else { high = mid }
        }
        var pair: [LedgerEntry] = []
        if low > 0 { pair.append(try await entry(low - 1)) }
        if low < size { pair.append(try await entry(low)) }
        let coverage = Coverage(from: from, to: to, first: nil, last: nil)
        guard EvidencePack.incompleteness(pair, coverage, treeSize: size) == nil else {
            throw LedgerError(
                .invalidInput,
                "the period has no entries, but the ledger's times are not in order around it, so a pack cannot "
                    + "show that; widen the period")
        }
        return pair
    }

    public init(entries: [String], proofs: [InclusionProof], checkpoint: String, coverage: Coverage?) {
        self.entries = entries
        self.proofs = proofs
        self.checkpoint = checkpoint
        self.coverage = coverage
    }

    /// Writes the pack's three files into `directory` (created if needed; existing packs are not overwritten).
    public func write(to directory: URL) throws(LedgerError) {
        let fm = FileManager.default
        let names = ["entries.jsonl", "proofs.jsonl", "checkpoint", "coverage.json"]
        for n in names where fm.fileExists(atPath: directory.appendingPathComponent(n).path) {
            throw LedgerError(.invalidInput, "\(directory.path) already holds a pack; choose an empty directory")
        }
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            let lines = { (xs: [String]) in xs.map { $0 + "\n" }.joined() }
            try Data(lines(entries).utf8).write(to: directory.appendingPathComponent(names[0]))
            try Data(lines(proofs.map(\.json.canonicalString)).utf8).write(
                to: directory.appendingPathComponent(names[1]))
            try Data(checkpoint.utf8).write(to: directory.appendingPathComponent(names[2]))
            if let coverage {
                try Data(coverage.json.canonicalBytes).write(to: directory.appendingPathComponent(names[3]))
            }
        } catch {
            throw LedgerError(.storage, "cannot write the pack to \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Reads a pack written by `write(to:)`.
    public init(reading directory: URL) throws(LedgerError) {
        func text(_ name: String) throws(LedgerError) -> String {
            guard let data = FileContents.read(atPath: directory.appendingPathComponent(name).path) else {
                throw LedgerError(.invalidInput, "\(directory.path) has no \(name): not an evidence pack")
            }
            return String(decoding: data, as: UTF8.self)
        }
        func lines(_ s: String) -> [String] {
            s.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
        let entries = lines(try text("entries.jsonl"))
        var proofs: [InclusionProof] = []
        for (n, line) in lines(try text("proofs.jsonl")).enumerated() {
            do { proofs.append(try InclusionProof(json: JSONValue(parsing: line))) } catch {
                throw LedgerError(.invalidInput, "proofs.jsonl line \(n + 1): \(error)")
            }
        }
        var coverage: Coverage?
        if let data = FileContents.read(atPath: directory.appendingPathComponent("coverage.json").path) {
            do { coverage = try Coverage(json: try JSONValue(parsing: [UInt8](data))) } catch let error as LedgerError {
                throw error
            } catch {
                throw LedgerError(.invalidInput, "coverage.json: \(error)")
            }
        }
        self.init(entries: entries, proofs: proofs, checkpoint: try text("checkpoint"), coverage: coverage)
    }

    /// Checks the pack offline: the checkpoint is signed by `verifier`, every entry is canonical and in sequence,
    /// every entry's inclusion proof leads to the checkpoint's root, and no entry of the covered range or either
    /// neighbour is missing (see the type's documentation). Returns the checkpoint, or the first problem.
    ///
    /// `period`, when given, is the period the auditor asked for: the pack must claim exactly it. Without it the
    /// claimed period is the pack's own word — a pack narrowed to leave an entry out, its coverage rewritten to
    /// match, still proves itself complete for the narrower period.
    public func verify(verifier: NoteVerifier, period: (from: Date, to: Date)? = nil) -> Result<Checkpoint, LedgerError>
    {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try verifier.verify(self.checkpoint)) } catch {
            return .failure(LedgerError(.tampered, "checkpoint: \(error.message)"))
        }
        guard entries.count == proofs.count else {
            return .failure(LedgerError(.tampered, "\(entries.count) entries but \(proofs.count) proofs"))
        }
        if let coverage, let period,
            RFC3339.string(coverage.from, fraction: .milliseconds)
                != RFC3339.string(period.from, fraction: .milliseconds)
                || RFC3339.string(coverage.to, fraction: .milliseconds)
                    != RFC3339.string(period.to, fraction: .milliseconds)
        {
            return .failure(
                LedgerError(
                    .tampered,
                    "the pack covers \(RFC3339.string(coverage.from, fraction: .milliseconds)) ..< "
                        + "\(RFC3339.string(coverage.to, fraction: .milliseconds)), not the period asked for"))
        }
        guard let coverage else {
            return .failure(
                LedgerError(
                    .tampered,
                    "the pack records no coverage (coverage.json): whether entries were dropped from it cannot be "
                        + "checked; export it again"))
        }
        var previous: Int64 = -1
        var read: [LedgerEntry] = []
        for (n, (line, proof)) in zip(entries, proofs).enumerated() {
            let bad = { (why: String) in
                Result<Checkpoint, LedgerError>.failure(LedgerError(.tampered, "entry line \(n + 1): \(why)"))
            }
            guard let entry = try? LedgerEntry(canonical: line) else { return bad("not a ledger entry") }
            guard entry.json.canonicalString == line else { return bad("not in canonical form") }
            guard entry.seq > previous else { return bad("sequence numbers must increase") }
            previous = entry.seq
            guard proof.index == Int(entry.seq), proof.treeSize == checkpoint.size,
                proof.rootHash == checkpoint.rootHash
            else { return bad("its proof is not for entry \(entry.seq) in the checkpoint's tree") }
            guard proof.leafHash == MerkleTree.leafHash(Array(line.utf8)) else {
                return bad("entry \(entry.seq) does not match its proof's leaf hash: its content was changed")
            }
            guard proof.verifies else { return bad("the inclusion proof for entry \(entry.seq) does not verify") }
            read.append(entry)
        }
        if let problem = EvidencePack.incompleteness(read, coverage, treeSize: checkpoint.size) {
            return .failure(LedgerError(.tampered, problem))
        }
        return .success(checkpoint)
    }

    /// Why `entries` (verified, in increasing sequence) are not everything `coverage` claims, or nil.
    static func incompleteness(_ entries: [LedgerEntry], _ coverage: Coverage, treeSize: Int) -> String? {
        guard let first = coverage.first, let last = coverage.last else {
            // An empty period is shown by the two consecutive entries around it (one at either edge of the tree).
            let seqs = entries.map(\.seq)
            let end = Int64(treeSize) - 1
            switch entries.count {
            case 0 where treeSize == 0: return nil
            case 2 where seqs[1] == seqs[0] + 1:
                guard entries[0].at < coverage.from else {
                    return "entry \(seqs[0]) is not before the period, so the pack does not show the period empty"
                }
                guard entries[1].at >= coverage.to else {
                    return "entry \(seqs[1]) is not after the period, so the pack does not show the period empty"
                }
                return nil
            case 1 where seqs[0] == 0 && entries[0].at >= coverage.to: return nil
            case 1 where seqs[0] == end && entries[0].at < coverage.from: return nil
            default:
                return "a pack of an empty period holds the two consecutive entries around it (or the tree's first or "
                    + "last entry alone), and nothing else"
            }
        }
        guard last < treeSize else { return "the coverage reaches entry \(last), beyond the checkpoint's tree" }
        let low = max(0, first - 1)
        let high = min(Int64(treeSize) - 1, last + 1)
        var expected = low
        for entry in entries {
            guard entry.seq == expected else {
                return expected < entry.seq
                    ? "entry \(expected) is missing: the pack covers entries \(first)–\(last) and their neighbours, every one"
                    : "entry \(entry.seq) lies outside the pack's coverage"
            }
            expected += 1
        }
        guard expected == high + 1 else {
            return
                "entry \(expected) is missing: the pack covers entries \(first)–\(last) and their neighbours, every one"
        }
        for entry in entries {
            switch entry.seq {
            case first - 1 where coverage.contains(entry.at):
                return "entry \(entry.seq), before the covered range, has a time in the period: entries were dropped "
                    + "from the pack's start"
            case last + 1 where coverage.contains(entry.at):
                return "entry \(entry.seq), after the covered range, has a time in the period: entries were dropped "
                    + "from the pack's end"
            case first where !coverage.contains(entry.at), last where !coverage.contains(entry.at):
                return "entry \(entry.seq) bounds the covered range but has a time outside the period"
            default: continue
            }
        }
        return nil
    }
}
