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

    /// The hashes of `nodes` read through a store's two lookups: one stored interior node by key, and the leaves
    /// of a contiguous range. Leaves are read in clusters (requests within 16 of each other share one range read),
    /// the unstored nodes inside a tile are recomputed, and a missing row is reported as tampering.
    public static func fetch<E: Error>(
        _ nodes: Set<MerkleNode>, node: (MerkleNode) throws(E) -> [UInt8]?,
        leaves: (ClosedRange<Int>, (Int, [UInt8]) -> Void) throws(E) -> Void
    ) throws(E) -> Result<[MerkleNode: [UInt8]], LedgerError> {
        var read: [MerkleNode: [UInt8]] = [:]
        let (stored, leafRanges) = reads(for: nodes)
        for n in stored where n.level > 0 { read[n] = try node(n) }
        let wanted = (stored.filter { $0.level == 0 }.map(\.index) + leafRanges.flatMap { Array($0) }).sorted()
        var clusters: [ClosedRange<Int>] = []
        for leaf in wanted {
            if let last = clusters.last, leaf <= last.upperBound + 16 {
                clusters[clusters.count - 1] = last.lowerBound...leaf
            } else {
                clusters.append(leaf...leaf)
            }
        }
        for c in clusters { try leaves(c) { read[MerkleNode(level: 0, index: $0)] = $1 } }
        let found = resolve(nodes, from: read)
        for n in nodes where found[n]?.count != 32 {
            return .failure(
                LedgerError(.tampered, "the stored tree is missing node \(n); run `countersign ledger verify`"))
        }
        return .success(found)
    }
}
