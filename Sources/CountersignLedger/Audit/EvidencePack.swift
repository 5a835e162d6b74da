internal import CountersignCore
internal import CountersignEncoding
public import Foundation

/// An evidence pack: the entries of a period with a signed checkpoint and an inclusion proof for each, as files an
/// auditor verifies offline with the log's public key — `entries.jsonl` (each line the exact canonical bytes that
/// were hashed), `proofs.jsonl` (one RFC 6962 inclusion proof per line, same order) and `checkpoint` (the note).
public struct EvidencePack: Sendable {
    public let entries: [String]
    public let proofs: [InclusionProof]
    public let checkpoint: String

    /// Collects the entries in `from ..< to` with proofs against the latest checkpoint, which must cover them.
    public static func export(_ store: some LedgerStore, from: Date, to: Date) async throws(LedgerError) -> EvidencePack
    {
        guard let note = try await store.latestCheckpoint() else {
            throw LedgerError(.invalidInput, "the ledger has no checkpoint yet; sign one (ledger checkpoint or --key)")
        }
        guard let checkpoint = try? Checkpoint(body: Checkpoint.body(ofNote: note)) else {
            throw LedgerError(.tampered, "the latest stored checkpoint is malformed")
        }
        let entries = try await store.entries(between: from, and: to)
        if let last = entries.last, Int(last.seq) >= checkpoint.size {
            throw LedgerError(
                .invalidInput,
                "entry \(last.seq) is newer than the latest checkpoint (size \(checkpoint.size)); sign a new one (--key)"
            )
        }
        var proofs: [InclusionProof] = []
        for e in entries { proofs.append(try await store.inclusionProof(seq: Int(e.seq), size: checkpoint.size)) }
        return EvidencePack(entries: entries.map(\.json.canonicalString), proofs: proofs, checkpoint: note)
    }

    public init(entries: [String], proofs: [InclusionProof], checkpoint: String) {
        self.entries = entries
        self.proofs = proofs
        self.checkpoint = checkpoint
    }

    /// Writes the pack's three files into `directory` (created if needed; existing packs are not overwritten).
    public func write(to directory: URL) throws(LedgerError) {
        let fm = FileManager.default
        let names = ["entries.jsonl", "proofs.jsonl", "checkpoint"]
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
        self.init(entries: entries, proofs: proofs, checkpoint: try text("checkpoint"))
    }

    /// Checks the pack offline: the checkpoint is signed by `verifier`, every entry is canonical and in sequence,
    /// and every entry's inclusion proof leads to the checkpoint's root. Returns the checkpoint, or the first
    /// problem.
    public func verify(verifier: NoteVerifier) -> Result<Checkpoint, LedgerError> {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try verifier.verify(self.checkpoint)) } catch {
            return .failure(LedgerError(.tampered, "checkpoint: \(error.message)"))
        }
        guard entries.count == proofs.count else {
            return .failure(LedgerError(.tampered, "\(entries.count) entries but \(proofs.count) proofs"))
        }
        var previous: Int64 = -1
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
        }
        return .success(checkpoint)
    }
}
