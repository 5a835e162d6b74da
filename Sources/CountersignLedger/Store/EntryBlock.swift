internal import Crypto

/// Entries a verify has read but not yet hashed: their bytes back to back, where each one starts, and their
/// stored leaf hashes. Copying a row is cheap next to hashing it, and a block can be hashed on another core.
struct EntryBlock: Sendable {
    private var bytes: [UInt8] = []
    /// Entry `i` is `bytes[ends[i - 1] ..< ends[i]]` (from 0 for the first).
    private var ends: [Int] = []
    private var stored: [UInt8] = []

    var count: Int { ends.count }

    mutating func add(_ canonical: UnsafeRawBufferPointer, _ storedLeafHash: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: canonical)
        ends.append(bytes.count)
        stored.append(contentsOf: storedLeafHash)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        stored.removeAll(keepingCapacity: true)
    }

    /// The block's hashes: `levels[0]` its leaves, then `depth` levels of the subtree above them.
    struct Hashed: Sendable {
        var levels: [[UInt8]]
        /// The first entry, within the block, whose leaf hash differs from the stored one.
        var firstMismatch: Int?
    }

    /// Hashes the block's leaves, checks them against the stored ones, and builds `depth` levels above them (the
    /// block must then hold `2^depth` entries).
    func hash(depth: Int) -> Hashed {
        precondition(depth == 0 || count == 1 << depth, "a subtree needs 2^depth entries")
        return hashPiece(0..<count, depth: depth)
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
    private func hashPiece(_ range: Range<Int>, depth: Int) -> Hashed {
        var leaves = [UInt8]()
        leaves.reserveCapacity(range.count * 32)
        let mismatch: Int? = bytes.withUnsafeBytes { all in
            stored.withUnsafeBytes { stored in
                for i in range {
                    let entry = UnsafeRawBufferPointer(rebasing: all[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
                    let leaf = MerkleTree.leafHash(entry)
                    // In place: iterating a digest allocates an array per call.
                    let same = leaf.withUnsafeBytes {
                        MerkleTree.equalHashes($0, UnsafeRawBufferPointer(rebasing: stored[(i * 32)..<(i * 32 + 32)]))
                    }
                    guard same else { return i }
                    leaf.withUnsafeBytes { leaves.append(contentsOf: $0) }
                }
                return nil
            }
        }
        if let mismatch { return Hashed(levels: [], firstMismatch: mismatch) }
        var levels = [leaves]
        for l in 0..<depth { levels.append(EntryBlock.parents(levels[l])) }
        return Hashed(levels: levels, firstMismatch: nil)
    }
}
