/// The outcome of verifying a whole ledger: either everything matches, or the first problem found.
/// A value, not a thrown error: tampering is a finding, not a fault.
public struct VerificationReport: Sendable {
    /// The entries checked.
    public let entries: Int
    /// The root recomputed from the entries.
    public let rootHash: [UInt8]
    /// The size of the signed checkpoint that was checked, if any.
    public let checkpointSize: Int?
    /// The first problem, naming the first bad entry when there is one.
    public let problem: (seq: Int64?, message: String)?

    static func bad(seq: Int64?, _ message: String) -> VerificationReport {
        VerificationReport(entries: 0, rootHash: [], checkpointSize: nil, problem: (seq, message))
    }

    public var isValid: Bool { problem == nil }
}

/// Recomputes a ledger from its stored rows, in order, and reports the first mismatch. Stores stream their rows
/// into it, so every backend verifies the same way.
///
/// Entries are hashed, not parsed: any change to an entry's bytes changes its leaf hash, and a matching change to
/// the stored hashes breaks the nodes above it and the signed checkpoint.
public struct LedgerVerifier: Sendable {
    private var tree = MerkleTree()
    public private(set) var problem: (seq: Int64?, message: String)?
    private var checkedCheckpoint: Int?

    public init() {}

    /// The number of entries read so far.
    public var count: Int { tree.size }

    /// Feeds the next stored entry. Returns false once a problem is found.
    public mutating func entry(seq: Int64, canonical: [UInt8], storedLeafHash: [UInt8]) -> Bool {
        guard problem == nil else { return false }
        let expected = Int64(tree.size)
        guard seq == expected else {
            problem = (expected, "entry \(expected) is missing (next stored entry is \(seq))")
            return false
        }
        let leaf = MerkleTree.leafHash(canonical)
        guard storedLeafHash == leaf else {
            problem = (seq, "entry \(seq) does not match its stored leaf hash: its content was changed")
            return false
        }
        tree.append(leafHash: leaf)
        return true
    }

    /// Feeds a stored interior node (after all entries).
    public mutating func node(level: Int, index: Int, hash: [UInt8]) -> Bool {
        guard problem == nil else { return false }
        guard level >= 1, level < tree.levels.count, index >= 0, index < tree.levels[level].count else {
            problem = (nil, "tree node (\(level), \(index)) has no entries under it")
            return false
        }
        guard tree.levels[level][index] == hash else {
            problem = (
                Int64(index << level), "tree node (\(level), \(index)) over entries \(index << level)... was changed"
            )
            return false
        }
        return true
    }

    /// Checks the stored node count: every complete subtree must be stored.
    public mutating func nodeCount(_ stored: Int) {
        guard problem == nil else { return }
        let expected = tree.levels.dropFirst().reduce(0) { $0 + $1.count }
        if stored != expected { problem = (nil, "the store holds \(stored) tree nodes; \(expected) were expected") }
    }

    /// Checks the latest signed checkpoint against the recomputed tree.
    public mutating func checkpoint(note: String, verifier: NoteVerifier) {
        guard problem == nil else { return }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try verifier.verify(note)) } catch {
            problem = (nil, "latest checkpoint: \(error)")
            return
        }
        guard checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.rootHash else {
            problem = (nil, "the entries no longer match the signed checkpoint at size \(checkpoint.size)")
            return
        }
        checkedCheckpoint = checkpoint.size
    }

    /// The report for everything fed so far.
    public var report: VerificationReport {
        if let problem { return .bad(seq: problem.seq, problem.message) }
        return VerificationReport(
            entries: tree.size, rootHash: tree.root(), checkpointSize: checkedCheckpoint, problem: nil)
    }
}
