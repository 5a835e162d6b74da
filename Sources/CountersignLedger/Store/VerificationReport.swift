internal import Crypto

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
/// the stored hashes breaks the nodes above it and the signed checkpoint. The recomputed tree is kept flat (32
/// bytes a node, one buffer a level) so a million entries cost two million hashes, not two million allocations.
public struct LedgerVerifier: Sendable {
    /// `levels[l]` holds the level's node hashes back to back.
    private var levels: [[UInt8]] = [[]]
    public private(set) var count = 0
    public private(set) var problem: (seq: Int64?, message: String)?
    private var checkedCheckpoint: Int?

    public init() {}

    private func nodeCount(level: Int) -> Int { level < levels.count ? levels[level].count / 32 : 0 }

    private func hash(_ level: Int, _ index: Int) -> [UInt8] { Array(levels[level][index * 32..<(index + 1) * 32]) }

    /// Feeds the next stored entry's canonical bytes. Returns false once a problem is found.
    public mutating func entry(seq: Int64, canonical: UnsafeRawBufferPointer, storedLeafHash: UnsafeRawBufferPointer)
        -> Bool
    {
        guard problem == nil else { return false }
        guard seq == Int64(count) else {
            problem = (Int64(count), "entry \(count) is missing (next stored entry is \(seq))")
            return false
        }
        var h = SHA256()
        h.update(data: [0])
        h.update(bufferPointer: canonical)
        let leaf = h.finalize()
        guard leaf.elementsEqual(storedLeafHash) else {
            problem = (seq, "entry \(seq) does not match its stored leaf hash: its content was changed")
            return false
        }
        leaf.withUnsafeBytes { levels[0].append(contentsOf: $0) }
        count += 1
        var level = 0
        var n = count
        while n % 2 == 0 {
            let end = levels[level].count
            var parent = SHA256()
            parent.update(data: [1])
            levels[level].withUnsafeBytes {
                parent.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[(end - 64)..<end]))
            }
            if levels.count == level + 1 { levels.append([]) }
            parent.finalize().withUnsafeBytes { levels[level + 1].append(contentsOf: $0) }
            level += 1
            n /= 2
        }
        return true
    }

    /// Feeds a stored interior node (after all entries).
    public mutating func node<Bytes: Collection<UInt8>>(level: Int, index: Int, hash: Bytes) -> Bool {
        guard problem == nil else { return false }
        guard level >= StoredNodes.lowestInteriorLevel, index >= 0, index < nodeCount(level: level) else {
            problem = (nil, "tree node (\(level), \(index)) has no entries under it")
            return false
        }
        guard levels[level][index * 32..<(index + 1) * 32].elementsEqual(hash) else {
            problem = (
                Int64(index << level), "tree node (\(level), \(index)) over entries \(index << level)... was changed"
            )
            return false
        }
        return true
    }

    /// Checks the stored node count: every complete subtree `StoredNodes` keeps must be stored.
    public mutating func nodeCount(_ stored: Int) {
        guard problem == nil else { return }
        let expected = (1..<levels.count).filter { $0 >= StoredNodes.lowestInteriorLevel }.reduce(0) {
            $0 + nodeCount(level: $1)
        }
        if stored != expected { problem = (nil, "the store holds \(stored) tree nodes; \(expected) were expected") }
    }

    private func root(size: Int) -> [UInt8] { MerkleTree.root(size: size) { hash($0.level, $0.index) } }

    /// Checks the latest signed checkpoint against the recomputed tree.
    public mutating func checkpoint(note: String, verifier: NoteVerifier) {
        guard problem == nil else { return }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try verifier.verify(note)) } catch {
            problem = (nil, "latest checkpoint: \(error)")
            return
        }
        guard checkpoint.size <= count, root(size: checkpoint.size) == checkpoint.rootHash else {
            problem = (nil, "the entries no longer match the signed checkpoint at size \(checkpoint.size)")
            return
        }
        checkedCheckpoint = checkpoint.size
    }

    /// The report for everything fed so far.
    public var report: VerificationReport {
        if let problem { return .bad(seq: problem.seq, problem.message) }
        return VerificationReport(
            entries: count, rootHash: root(size: count), checkpointSize: checkedCheckpoint, problem: nil)
    }
}
