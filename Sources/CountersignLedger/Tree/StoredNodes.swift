/// Which subtrees a store keeps: every leaf (in the entries table) and every complete subtree of height 4 or more.
/// The 15 interior nodes inside each 16-leaf tile are not stored — any of them is recomputed from at most 8 leaves
/// with at most 7 hashes — so an append writes one node row per 16 entries instead of one per entry, and a proof
/// still reads O(log n) rows.
public enum StoredNodes {
    /// The lowest interior level that is stored.
    public static let lowestInteriorLevel = 4

    public static func isStored(_ n: MerkleNode) -> Bool { n.level == 0 || n.level >= lowestInteriorLevel }

    /// What to read for `nodes`: the stored ones, and the leaf ranges under the ones that are not.
    public static func reads(for nodes: Set<MerkleNode>) -> (stored: Set<MerkleNode>, leafRanges: [Range<Int>]) {
        var stored: Set<MerkleNode> = []
        var ranges: [Range<Int>] = []
        for n in nodes {
            if isStored(n) {
                stored.insert(n)
            } else {
                ranges.append((n.index << n.level)..<((n.index + 1) << n.level))
            }
        }
        return (stored, ranges)
    }

    /// The hashes of `nodes` from what was read (leaves keyed as level-0 nodes); a node whose rows are missing is
    /// absent from the result.
    public static func resolve(_ nodes: Set<MerkleNode>, from read: [MerkleNode: [UInt8]]) -> [MerkleNode: [UInt8]] {
        var result: [MerkleNode: [UInt8]] = [:]
        for n in nodes {
            if isStored(n) {
                result[n] = read[n]
                continue
            }
            var hashes: [[UInt8]] = []
            for leaf in (n.index << n.level)..<((n.index + 1) << n.level) {
                guard let h = read[MerkleNode(level: 0, index: leaf)] else { break }
                hashes.append(h)
            }
            guard hashes.count == 1 << n.level else { continue }
            while hashes.count > 1 {
                hashes = stride(from: 0, to: hashes.count, by: 2).map {
                    MerkleTree.nodeHash(hashes[$0], hashes[$0 + 1])
                }
            }
            result[n] = hashes[0]
        }
        return result
    }
}
