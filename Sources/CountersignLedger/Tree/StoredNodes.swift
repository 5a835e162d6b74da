/// Which subtrees a store keeps: every leaf (in the entries table) and every complete subtree of height 4 or more.
/// The 15 interior nodes inside each 16-leaf subtree are not stored — any of them is recomputed from at most 8 leaves
/// with at most 7 hashes — so an append writes one node row per 16 entries instead of one per entry, and a proof
/// still reads O(log n) rows.
///
/// Stored nodes are grouped in *bands* of four levels (4–7, 8–11, …). Within a band, the nodes under one node of
/// the band's top + 1 share a *tile* number; a proof needs at most one tile per band, so a store that clusters
/// rows by tile serves the four siblings of a band with one range read instead of four random lookups.
public enum StoredNodes {
    /// The lowest interior level that is stored.
    public static let lowestInteriorLevel = 4

    public static func isStored(_ n: MerkleNode) -> Bool { n.level == 0 || n.level >= lowestInteriorLevel }

    /// The levels of `level`'s band.
    public static func band(_ level: Int) -> ClosedRange<Int> {
        let low = level / 4 * 4
        return low...(low + 3)
    }

    /// The tile of a stored interior node: the index of its ancestor one level above its band.
    public static func tile(_ n: MerkleNode) -> Int { n.index >> (band(n.level).upperBound + 1 - n.level) }

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
        result.reserveCapacity(nodes.count)
        for n in nodes {
            if isStored(n) {
                result[n] = read[n]
            } else if let hash = subtree(n, read) {
                result[n] = hash
            }
        }
        return result
    }

    /// An unstored subtree's hash from its leaves, or nil when one is missing.
    private static func subtree(_ n: MerkleNode, _ read: [MerkleNode: [UInt8]]) -> [UInt8]? {
        subtree(n) { read[MerkleNode(level: 0, index: $0)] }
    }

    private static func subtree(_ n: MerkleNode, _ leaf: (Int) -> [UInt8]?) -> [UInt8]? {
        if n.level == 0 { return leaf(n.index) }
        guard let left = subtree(MerkleNode(level: n.level - 1, index: n.index * 2), leaf),
            let right = subtree(MerkleNode(level: n.level - 1, index: n.index * 2 + 1), leaf)
        else { return nil }
        return MerkleTree.nodeHash(left, right)
    }

    /// The hashes of `nodes` read through a store's two lookups: stored interior nodes (found ones are added to
    /// the dictionary), and the leaves of a contiguous range. Leaves are read in clusters (requests within 16 of
    /// each other share one range read), the unstored nodes inside a tile are recomputed, and a missing row is
    /// reported as tampering.
    ///
    /// A proof is a few dozen nodes, so the working sets are arrays: hashing each node into sets and dictionaries
    /// at every step cost more than the database reads. Only the answer is a dictionary.
    public static func fetch<E: Error>(
        _ nodes: Set<MerkleNode>, interior: ([MerkleNode], inout [MerkleNode: [UInt8]]) throws(E) -> Void,
        leaves: (ClosedRange<Int>, (Int, [UInt8]) -> Void) throws(E) -> Void
    ) throws(E) -> Result<[MerkleNode: [UInt8]], LedgerError> {
        var storedInterior: [MerkleNode] = []
        var wanted: [Int] = []
        storedInterior.reserveCapacity(nodes.count)
        wanted.reserveCapacity(nodes.count + 16)
        for n in nodes {
            if n.level == 0 {
                wanted.append(n.index)
            } else if isStored(n) {
                storedInterior.append(n)
            } else {
                wanted.append(contentsOf: (n.index << n.level)..<((n.index + 1) << n.level))
            }
        }
        var found: [MerkleNode: [UInt8]] = [:]
        found.reserveCapacity(nodes.count)
        try interior(storedInterior, &found)
        wanted.sort()
        var clusters: [ClosedRange<Int>] = []
        for leaf in wanted {
            if let last = clusters.last, leaf <= last.upperBound + 16 {
                clusters[clusters.count - 1] = last.lowerBound...leaf
            } else {
                clusters.append(leaf...leaf)
            }
        }
        // Leaves by index, kept sorted for a binary search.
        var leafIndices: [Int] = []
        var leafHashes: [[UInt8]] = []
        for c in clusters {
            try leaves(c) {
                leafIndices.append($0)
                leafHashes.append($1)
            }
        }
        var sorted = true
        for i in leafIndices.indices.dropFirst() where leafIndices[i - 1] >= leafIndices[i] { sorted = false }
        if !sorted {
            let order = leafIndices.indices.sorted { leafIndices[$0] < leafIndices[$1] }
            leafIndices = order.map { leafIndices[$0] }
            leafHashes = order.map { leafHashes[$0] }
        }
        func leaf(_ index: Int) -> [UInt8]? {
            var low = 0
            var high = leafIndices.count
            while low < high {
                let mid = (low + high) / 2
                if leafIndices[mid] < index { low = mid + 1 } else { high = mid }
            }
            return low < leafIndices.count && leafIndices[low] == index ? leafHashes[low] : nil
        }
        for n in nodes where n.level == 0 || !isStored(n) {
            if let hash = subtree(n, leaf) { found[n] = hash }
        }
        for n in nodes where found[n]?.count != 32 {
            return .failure(
                LedgerError(.tampered, "the stored tree is missing node \(n); run `countersign ledger verify`"))
        }
        return .success(found)
    }
}
