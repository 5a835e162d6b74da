public import Crypto

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
    public static func leafHash(_ data: [UInt8]) -> Hash {
        var h = SHA256()
        h.update(data: [0])
        h.update(data: data)
        return Array(h.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var h = SHA256()
        h.update(data: [1])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

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
        return n == 0 ? MerkleTree.emptyRoot : subtree(0, n)
    }

    /// MTH(D[lo:hi]) from stored complete subtrees.
    func subtree(_ lo: Int, _ hi: Int) -> Hash {
        let n = hi - lo
        if n & (n - 1) == 0, lo % n == 0 {
            let level = n.trailingZeroBitCount
            return levels[level][lo >> level]
        }
        let k = MerkleTree.largestPowerOfTwo(below: n)
        return MerkleTree.nodeHash(subtree(lo, lo + k), subtree(lo + k, hi))
    }

    /// The largest power of two strictly less than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int { 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount - 1) }

    /// The audit path for leaf `index` in the tree of the first `size` leaves (RFC 6962 §2.1.1), leaf to root.
    public func inclusionProof(index: Int, size: Int) throws(ProofError) -> [Hash] {
        guard size <= self.size else { throw ProofError("tree size \(size) is beyond the log's size \(self.size)") }
        guard index >= 0, index < size else { throw ProofError("index \(index) is not in a tree of size \(size)") }
        var proof: [Hash] = []
        path(index, 0, size, &proof)
        return proof
    }

    private func path(_ m: Int, _ lo: Int, _ hi: Int, _ proof: inout [Hash]) {
        let n = hi - lo
        guard n > 1 else { return }
        let k = MerkleTree.largestPowerOfTwo(below: n)
        if m < lo + k {
            path(m, lo, lo + k, &proof)
            proof.append(subtree(lo + k, hi))
        } else {
            path(m, lo + k, hi, &proof)
            proof.append(subtree(lo, lo + k))
        }
    }

    /// The consistency proof between the trees of the first `first` and `second` leaves (RFC 6962 §2.1.2).
    public func consistencyProof(from first: Int, to second: Int) throws(ProofError) -> [Hash] {
        guard second <= size else { throw ProofError("tree size \(second) is beyond the log's size \(size)") }
        guard first >= 0, first <= second else {
            throw ProofError("sizes must satisfy 0 ≤ from ≤ to, got \(first), \(second)")
        }
        guard first > 0, first < second else { return [] }
        var proof: [Hash] = []
        subproof(first, 0, second, true, &proof)
        return proof
    }

    private func subproof(_ m: Int, _ lo: Int, _ hi: Int, _ complete: Bool, _ proof: inout [Hash]) {
        let n = hi - lo
        if m == n {
            if !complete { proof.append(subtree(lo, hi)) }
            return
        }
        let k = MerkleTree.largestPowerOfTwo(below: n)
        if m <= k {
            subproof(m, lo, lo + k, complete, &proof)
            proof.append(subtree(lo + k, hi))
        } else {
            subproof(m - k, lo + k, hi, false, &proof)
            proof.append(subtree(lo, lo + k))
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
