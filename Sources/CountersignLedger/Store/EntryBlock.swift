internal import Crypto

/// Entries a verify has read but not yet hashed: their bytes back to back, where each one starts, their stored
/// leaf hashes and the columns the store indexes them by. Copying a row is cheap next to hashing it, and a block
/// can be hashed — and its columns checked — on another core.
struct EntryBlock: Sendable {
    private var bytes: [UInt8] = []
    /// Entry `i` is `bytes[ends[i - 1] ..< ends[i]]` (from 0 for the first).
    private var ends: [Int] = []
    private var stored: [UInt8] = []
    /// Each entry's `type`, `at` and `actor` columns back to back; entry `i`'s three end at `columnEnds[3i ..< 3i+3]`.
    private var columns: [UInt8] = []
    private var columnEnds: [Int] = []

    var count: Int { ends.count }

    mutating func add(
        _ canonical: UnsafeRawBufferPointer, _ storedLeafHash: UnsafeRawBufferPointer,
        columns indexed: (type: UnsafeRawBufferPointer, at: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer)
    ) {
        bytes.append(contentsOf: canonical)
        ends.append(bytes.count)
        stored.append(contentsOf: storedLeafHash)
        columns.append(contentsOf: indexed.type)
        columnEnds.append(columns.count)
        columns.append(contentsOf: indexed.at)
        columnEnds.append(columns.count)
        columns.append(contentsOf: indexed.actor)
        columnEnds.append(columns.count)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        stored.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
        columnEnds.removeAll(keepingCapacity: true)
    }

    /// The block's hashes: `levels[0]` its leaves, then `depth` levels of the subtree above them.
    struct Hashed: Sendable {
        var levels: [[UInt8]]
        /// The first entry, within the block, whose leaf hash differs from the stored one, or whose indexed
        /// column (named) differs from its bytes.
        var firstMismatch: (index: Int, column: String?)?
    }

    /// Hashes the block's leaves, checks them and the indexed columns against the stored ones, and builds `depth`
    /// levels above them (the block must then hold `2^depth` entries). `first` is the first entry's sequence
    /// number.
    func hash(depth: Int, first: Int) -> Hashed {
        precondition(depth == 0 || count == 1 << depth, "a subtree needs 2^depth entries")
        return hashPiece(0..<count, depth: depth, first: first)
    }

    /// The level above `below` (node hashes back to back, an even number of them).
    private static func parents(_ below: [UInt8]) -> [UInt8] {
        var up = [UInt8]()
        up.reserveCapacity(below.count / 2)
        below.withUnsafeBytes { below in
            for pair in stride(from: 0, to: below.count, by: 64) {
                let parent = MerkleTree.nodeHash(pair: UnsafeRawBufferPointer(rebasing: below[pair..<(pair + 64)]))
                parent.withUnsafeBytes { up.append(contentsOf: $0) }
            }
        }
        return up
    }

    /// One piece: its leaves, checked against the stored ones, then `depth` levels above them.
    private func hashPiece(_ range: Range<Int>, depth: Int, first: Int) -> Hashed {
        var leaves = [UInt8]()
        leaves.reserveCapacity(range.count * 32)
        let mismatch: (index: Int, column: String?)? = bytes.withUnsafeBytes { all in
            stored.withUnsafeBytes { stored in
                columns.withUnsafeBytes { columns in
                    func column(_ n: Int) -> UnsafeRawBufferPointer {
                        UnsafeRawBufferPointer(rebasing: columns[(n == 0 ? 0 : columnEnds[n - 1])..<columnEnds[n]])
                    }
                    for i in range {
                        let entry = UnsafeRawBufferPointer(rebasing: all[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
                        let leaf = MerkleTree.leafHash(entry)
                        // In place: iterating a digest allocates an array per call.
                        let same = leaf.withUnsafeBytes {
                            MerkleTree.equalHashes(
                                $0, UnsafeRawBufferPointer(rebasing: stored[(i * 32)..<(i * 32 + 32)]))
                        }
                        guard same else { return (i, nil) }
                        if let bad = LedgerVerifier.mismatchedColumn(
                            Int64(first + i), entry, (column(3 * i), column(3 * i + 1), column(3 * i + 2)))
                        {
                            return (i, bad)
                        }
                        leaf.withUnsafeBytes { leaves.append(contentsOf: $0) }
                    }
                    return nil
                }
            }
        }
        if let mismatch { return Hashed(levels: [], firstMismatch: mismatch) }
        var levels = [leaves]
        for l in 0..<depth { levels.append(EntryBlock.parents(levels[l])) }
        return Hashed(levels: levels, firstMismatch: nil)
    }
}
