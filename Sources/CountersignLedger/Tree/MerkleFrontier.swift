/// The right edge of a Merkle tree: the roots of its maximal complete subtrees, left to right (one per set bit of
/// the size). It is all an append needs, so a store reads O(log n) nodes per batch instead of keeping the tree in
/// memory, and any number of processes can append to one database.
public struct MerkleFrontier: Sendable {
    public typealias Hash = MerkleTree.Hash

    /// The number of leaves.
    public private(set) var size: Int
    /// The edge nodes, largest subtree first; `nodes.count == size.nonzeroBitCount`.
    private var nodes: [(level: Int, hash: Hash)]

    /// The empty tree.
    public init() {
        size = 0
        nodes = []
    }

    /// The frontier of a tree of `size` leaves from its edge subtrees' hashes, in `coordinates(size:)` order.
    public init(size: Int, hashes: [Hash]) throws(ProofError) {
        let coords = MerkleFrontier.coordinates(size: size)
        guard hashes.count == coords.count, hashes.allSatisfy({ $0.count == 32 }) else {
            throw ProofError("the tree of \(size) entries needs \(coords.count) edge nodes, got \(hashes.count)")
        }
        self.size = size
        nodes = zip(coords, hashes).map { ($0.level, $1) }
    }

    /// The maximal complete subtrees of a tree of `size` leaves, left to right.
    public static func coordinates(size: Int) -> [MerkleNode] {
        var result: [MerkleNode] = []
        var covered = 0
        for level in stride(from: Int.bitWidth - 2, through: 0, by: -1) where size & (1 << level) != 0 {
            result.append(MerkleNode(level: level, index: covered >> level))
            covered += 1 << level
        }
        return result
    }

    /// Appends a leaf and returns the interior nodes (level ≥ 1) it completes, lowest first.
    public mutating func append(leafHash: Hash) -> [(node: MerkleNode, hash: Hash)] {
        var completed: [(node: MerkleNode, hash: Hash)] = []
        append(leafHash: leafHash, completing: &completed, from: 1)
        return completed
    }

    /// Appends a leaf and adds the interior nodes it completes at `lowest` and above to `completed`, lowest
    /// first: an append plan keeps only the stored ones, without an array per leaf to filter.
    mutating func append(leafHash: Hash, completing completed: inout [(node: MerkleNode, hash: Hash)], from lowest: Int)
    {
        size += 1
        nodes.append((0, leafHash))
        while nodes.count >= 2, nodes[nodes.count - 1].level == nodes[nodes.count - 2].level {
            let right = nodes.removeLast()
            let left = nodes.removeLast()
            let level = left.level + 1
            let parent = MerkleTree.nodeHash(left.hash, right.hash)
            nodes.append((level, parent))
            if level >= lowest { completed.append((MerkleNode(level: level, index: (size >> level) - 1), parent)) }
        }
    }

    /// The tree's root.
    public var root: Hash {
        guard var r = nodes.last?.hash else { return MerkleTree.emptyRoot }
        for n in nodes.dropLast().reversed() { r = MerkleTree.nodeHash(n.hash, r) }
        return r
    }
}
