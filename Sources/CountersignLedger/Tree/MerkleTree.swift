internal import Crypto

/// An RFC 6962 / RFC 9162 Merkle tree over the ledger's entries, with inclusion and consistency proofs.
///
/// Every complete subtree's hash is kept (`levels[l][i]` covers leaves `i·2^l ..< (i+1)·2^l`), so an append
/// touches O(log n) nodes (amortized O(1)), and any root or proof at any past size is assembled from O(log² n)
/// stored nodes — nothing is recomputed from the leaves.
public struct MerkleTree: Sendable {
    /// 32-byte SHA-256 hashes.
    public typealias Hash = [UInt8]

    /// `levels[l][i]`: the hash of the complete subtree of leaves `i·2^l ..< (i+1)·2^l`.
    public private(set) var levels: [[Hash]] = [[]]

    public init() {}

    /// A tree restored from stored nodes, without rehashing; the level sizes must be consistent
    /// (each level holds exactly half of the one below, rounded down).
    public init(storedLevels: [[Hash]]) throws(ProofError) {
        var levels = storedLevels.isEmpty ? [[]] : storedLevels
        while levels.count > 1 && levels[levels.count - 1].isEmpty { levels.removeLast() }
        for l in 1..<max(levels.count, 1) where levels[l].count != levels[l - 1].count / 2 {
            throw ProofError(
                "stored tree is inconsistent at level \(l): \(levels[l].count) nodes over \(levels[l - 1].count)")
        }
        if let last = levels.last, last.count >= 2 {
            throw ProofError("stored tree is missing nodes above level \(levels.count - 1)")
        }
        self.levels = levels
    }

    /// The number of leaves.
    public var size: Int { levels[0].count }

    /// `SHA-256(0x00 ‖ data)`.
    public static func leafHash(_ data: [UInt8]) -> Hash { data.withUnsafeBytes { bytes(leafHash($0)) } }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var h = SHA256()
        withUnsafeBytes(of: UInt8(1)) { h.update(bufferPointer: $0) }
        left.withUnsafeBytes { h.update(bufferPointer: $0) }
        right.withUnsafeBytes { h.update(bufferPointer: $0) }
        return bytes(h.finalize())
    }

    /// A digest's bytes in one copy: `Array(digest)` goes through the digest's iterator, which allocates an array
    /// of its own first.
    static func bytes(_ digest: SHA256.Digest) -> Hash { digest.withUnsafeBytes { Array($0) } }

    /// The root of the empty tree, `SHA-256("")`.
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// Appends a leaf by its hash and returns its index.
    @discardableResult
    public mutating func append(leafHash: Hash) -> Int {
        let index = levels[0].count
        levels[0].append(leafHash)
        var level = 0
        while levels[level].count % 2 == 0 {
            let c = levels[level].count
            let parent = MerkleTree.nodeHash(levels[level][c - 2], levels[level][c - 1])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
        }
        return index
    }

    /// Drops every leaf from `size` on (and the nodes above them), undoing appends that were not committed.
    public mutating func truncate(toSize size: Int) {
        guard size < self.size else { return }
        for l in levels.indices { levels[l].removeLast(levels[l].count - (size >> l)) }
        while levels.count > 1 && levels[levels.count - 1].isEmpty { levels.removeLast() }
    }

    /// Appends the entry bytes (hashed as a leaf).
    @discardableResult
    public mutating func append(entry: [UInt8]) -> Int { append(leafHash: MerkleTree.leafHash(entry)) }

    /// The hash of leaf `index`.
    public func leafHash(at index: Int) -> Hash { levels[0][index] }

    /// The root of the first `size` leaves (the current root by default).
    public func root(size: Int? = nil) -> Hash {
        let n = size ?? self.size
        precondition(n <= self.size, "root of a size beyond the tree")
        return MerkleTree.root(size: n, node: lookup)
    }

    /// The audit path for leaf `index` in the tree of the first `size` leaves (RFC 6962 §2.1.1), leaf to root.
    public func inclusionProof(index: Int, size: Int) throws(ProofError) -> [Hash] {
        guard size <= self.size else { throw ProofError("tree size \(size) is beyond the log's size \(self.size)") }
        return try MerkleTree.inclusionProof(index: index, size: size, node: lookup)
    }

    /// The consistency proof between the trees of the first `first` and `second` leaves (RFC 6962 §2.1.2).
    public func consistencyProof(from first: Int, to second: Int) throws(ProofError) -> [Hash] {
        guard second <= size else { throw ProofError("tree size \(second) is beyond the log's size \(size)") }
        return try MerkleTree.consistencyProof(from: first, to: second, node: lookup)
    }

    private func lookup(_ n: MerkleNode) -> Hash { levels[n.level][n.index] }
}

/// A complete subtree of the log: `level` 0 is a leaf, and node (`level`, `index`) covers leaves
/// `index·2^level ..< (index+1)·2^level`. Stores keep exactly these nodes, so any proof is a handful of lookups.
public struct MerkleNode: Hashable, Sendable, CustomStringConvertible {
    public let level: Int
    public let index: Int
    public init(level: Int, index: Int) {
        self.level = level
        self.index = index
    }
    public var description: String { "(\(level), \(index))" }

    /// One word into the hasher instead of two: proofs build several small sets of nodes, and hashing dominates.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(UInt(bitPattern: level) &<< 58 ^ UInt(bitPattern: index))
    }
}

/// Roots and proofs at any size, assembled from complete subtrees that `node` supplies — the tree in memory or
/// rows a store fetched. The `…Nodes` functions name the subtrees a proof will ask for, so a store can fetch
/// them in one query.
extension MerkleTree {
    /// The root of the first `size` leaves.
    public static func root(size: Int, node: (MerkleNode) -> Hash) -> Hash {
        size == 0 ? emptyRoot : subtree(0, size, node)
    }

    /// The subtrees `root(size:)` reads.
    public static func rootNodes(size: Int) -> Set<MerkleNode> {
        var nodes = Set<MerkleNode>(minimumCapacity: size.nonzeroBitCount)
        if size > 0 { subtreeNodes(0, size, &nodes) }
        return nodes
    }

    /// The audit path for leaf `index` in the tree of `size` leaves, leaf to root.
    public static func inclusionProof(index: Int, size: Int, node: (MerkleNode) -> Hash) throws(ProofError) -> [Hash] {
        guard index >= 0, index < size else { throw ProofError("index \(index) is not in a tree of size \(size)") }
        var proof: [Hash] = []
        path(index, 0, size, node, &proof)
        return proof
    }

    /// The subtrees `inclusionProof(index:size:)` reads, with the leaf itself.
    public static func inclusionNodes(index: Int, size: Int) -> Set<MerkleNode> {
        // Sized for the path and the right edge a caller adds (`rootNodes`), so neither insert regrows it.
        var nodes = Set<MerkleNode>(minimumCapacity: 2 * Int.bitWidth)
        nodes.insert(MerkleNode(level: 0, index: index))
        if index >= 0, index < size { pathNodes(index, 0, size, &nodes) }
        return nodes
    }

    /// The consistency proof from the tree of `first` leaves to the tree of `second` leaves.
    public static func consistencyProof(from first: Int, to second: Int, node: (MerkleNode) -> Hash) throws(ProofError)
        -> [Hash]
    {
        guard first >= 0, first <= second else {
            throw ProofError("sizes must satisfy 0 ≤ from ≤ to, got \(first), \(second)")
        }
        guard first > 0, first < second else { return [] }
        var proof: [Hash] = []
        subproof(first, 0, second, true, node, &proof)
        return proof
    }

    /// The subtrees `consistencyProof(from:to:)` reads.
    public static func consistencyNodes(from first: Int, to second: Int) -> Set<MerkleNode> {
        recording { _ = try? consistencyProof(from: first, to: second, node: $0) }
    }

    private static func recording(_ body: ((MerkleNode) -> Hash) -> Void) -> Set<MerkleNode> {
        var seen: Set<MerkleNode> = []
        let placeholder = [UInt8](repeating: 0, count: 32)
        body { n in
            seen.insert(n)
            return placeholder
        }
        return seen
    }

    /// MTH(D[lo:hi]): one stored node when the range is a complete subtree, else split at the largest power of two.
    static func subtree(_ lo: Int, _ hi: Int, _ node: (MerkleNode) -> Hash) -> Hash {
        let n = hi - lo
        if n & (n - 1) == 0, lo % n == 0 {
            let level = n.trailingZeroBitCount
            return node(MerkleNode(level: level, index: lo >> level))
        }
        let k = largestPowerOfTwo(below: n)
        return nodeHash(subtree(lo, lo + k, node), subtree(lo + k, hi, node))
    }

    /// The subtrees `subtree` reads, found without hashing: a proof's node set costs a few set inserts.
    private static func subtreeNodes(_ lo: Int, _ hi: Int, _ nodes: inout Set<MerkleNode>) {
        let n = hi - lo
        if n & (n - 1) == 0, lo % n == 0 {
            nodes.insert(MerkleNode(level: n.trailingZeroBitCount, index: lo >> n.trailingZeroBitCount))
            return
        }
        let k = largestPowerOfTwo(below: n)
        subtreeNodes(lo, lo + k, &nodes)
        subtreeNodes(lo + k, hi, &nodes)
    }

    /// The subtrees `path` reads.
    private static func pathNodes(_ m: Int, _ lo: Int, _ hi: Int, _ nodes: inout Set<MerkleNode>) {
        let n = hi - lo
        guard n > 1 else { return }
        let k = largestPowerOfTwo(below: n)
        if m < lo + k {
            pathNodes(m, lo, lo + k, &nodes)
            subtreeNodes(lo + k, hi, &nodes)
        } else {
            pathNodes(m, lo + k, hi, &nodes)
            subtreeNodes(lo, lo + k, &nodes)
        }
    }

    /// The largest power of two strictly less than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int { 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount - 1) }

    private static func path(_ m: Int, _ lo: Int, _ hi: Int, _ node: (MerkleNode) -> Hash, _ proof: inout [Hash]) {
        let n = hi - lo
        guard n > 1 else { return }
        let k = largestPowerOfTwo(below: n)
        if m < lo + k {
            path(m, lo, lo + k, node, &proof)
            proof.append(subtree(lo + k, hi, node))
        } else {
            path(m, lo + k, hi, node, &proof)
            proof.append(subtree(lo, lo + k, node))
        }
    }

    private static func subproof(
        _ m: Int, _ lo: Int, _ hi: Int, _ complete: Bool, _ node: (MerkleNode) -> Hash, _ proof: inout [Hash]
    ) {
        let n = hi - lo
        if m == n {
            if !complete { proof.append(subtree(lo, hi, node)) }
            return
        }
        let k = largestPowerOfTwo(below: n)
        if m <= k {
            subproof(m, lo, lo + k, complete, node, &proof)
            proof.append(subtree(lo + k, hi, node))
        } else {
            subproof(m - k, lo + k, hi, false, node, &proof)
            proof.append(subtree(lo, lo + k, node))
        }
    }
}

/// A proof that cannot be produced or does not verify.
public struct ProofError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension MerkleTree {
    /// Verifies an inclusion proof (RFC 9162 §2.1.3.2): that `leafHash` is leaf `index` of the tree of `size`
    /// leaves whose root is `root`. Over-long or short proofs are rejected.
    public static func verifyInclusion(
        leafHash: Hash, index: Int, size: Int, proof: [Hash], root: Hash
    ) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Verifies a consistency proof (RFC 9162 §2.1.4.2): that the tree of `second` leaves with root `secondRoot`
    /// extends the tree of `first` leaves with root `firstRoot`.
    public static func verifyConsistency(
        first: Int, second: Int, firstRoot: Hash, secondRoot: Hash, proof: [Hash]
    ) -> Bool {
        guard first >= 0, first <= second else { return false }
        if first == second { return proof.isEmpty && firstRoot == secondRoot }
        if first == 0 { return proof.isEmpty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if first & (first - 1) == 0 { path.insert(firstRoot, at: 0) }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }
}
