internal import Crypto
internal import Dispatch

/// Entries a verify has read but not yet hashed: their bytes back to back, where each one starts, and their
/// stored leaf hashes. Copying a row is cheap next to hashing it, and a block can be hashed on several cores.
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

    /// The block's hashes: `levels[0]` its leaves; with several pieces, also each piece's complete subtree
    /// (`levels[l]` holds the pieces' level-`l` nodes in order), up to each piece's root.
    struct Hashed {
        var levels: [[UInt8]]
        /// The first entry, within the block, whose leaf hash differs from the stored one.
        var firstMismatch: Int?
    }

    /// Hashes the block as `pieces` equal parts in parallel; with more than one piece, each part's size must be a
    /// power of two.
    func hash(pieces: Int) -> Hashed {
        let per = count / pieces
        precondition(pieces == 1 || (per.nonzeroBitCount == 1 && per * pieces == count), "uneven pieces")
        let depth = pieces == 1 ? 0 : per.trailingZeroBitCount
        var parts = [Hashed](repeating: Hashed(levels: [], firstMismatch: nil), count: pieces)
        parts.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: pieces) { p in
                out[p] = hashPiece(p * per..<(p + 1) * per, depth: depth)
            }
        }
        var levels = [[UInt8]](repeating: [], count: depth + 1)
        for part in parts {
            for (l, level) in part.levels.enumerated() { levels[l] += level }
        }
        return Hashed(levels: levels, firstMismatch: parts.compactMap(\.firstMismatch).min())
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
                    guard leaf.elementsEqual(stored[(i * 32)..<(i * 32 + 32)]) else { return i }
                    leaf.withUnsafeBytes { leaves.append(contentsOf: $0) }
                }
                return nil
            }
        }
        if let mismatch { return Hashed(levels: [], firstMismatch: mismatch) }
        var levels = [leaves]
        for l in 0..<depth {
            var up = [UInt8]()
            up.reserveCapacity(levels[l].count / 2)
            levels[l].withUnsafeBytes { below in
                for pair in stride(from: 0, to: below.count, by: 64) {
                    let parent = MerkleTree.nodeHash(pair: UnsafeRawBufferPointer(rebasing: below[pair..<(pair + 64)]))
                    parent.withUnsafeBytes { up.append(contentsOf: $0) }
                }
            }
            levels.append(up)
        }
        return Hashed(levels: levels, firstMismatch: nil)
    }
}
