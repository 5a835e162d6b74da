/// An inclusion proof in the JSON shape RFC 6962 tools read: hex hashes, leaf to root.
public struct InclusionProof: Sendable, Hashable {
    public let index: Int
    public let treeSize: Int
    public let leafHash: [UInt8]
    public let rootHash: [UInt8]
    public let proof: [[UInt8]]

    public init(index: Int, treeSize: Int, leafHash: [UInt8], rootHash: [UInt8], proof: [[UInt8]]) {
        self.index = index
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.rootHash = rootHash
        self.proof = proof
    }

    public var json: JSONValue {
        .object([
            ("leaf_index", .number(Double(index))), ("tree_size", .number(Double(treeSize))),
            ("leaf_hash", .string(Hex.encode(leafHash))), ("root_hash", .string(Hex.encode(rootHash))),
            ("proof", .array(proof.map { .string(Hex.encode($0)) })),
        ])
    }

    public var verifies: Bool {
        MerkleTree.verifyInclusion(leafHash: leafHash, index: index, size: treeSize, proof: proof, root: rootHash)
    }
}

/// A consistency proof between two tree sizes, in the same JSON conventions.
public struct ConsistencyProof: Sendable, Hashable {
    public let firstSize: Int
    public let secondSize: Int
    public let firstRoot: [UInt8]
    public let secondRoot: [UInt8]
    public let proof: [[UInt8]]

    public init(firstSize: Int, secondSize: Int, firstRoot: [UInt8], secondRoot: [UInt8], proof: [[UInt8]]) {
        self.firstSize = firstSize
        self.secondSize = secondSize
        self.firstRoot = firstRoot
        self.secondRoot = secondRoot
        self.proof = proof
    }

    public var json: JSONValue {
        .object([
            ("first_size", .number(Double(firstSize))), ("second_size", .number(Double(secondSize))),
            ("first_root_hash", .string(Hex.encode(firstRoot))), ("second_root_hash", .string(Hex.encode(secondRoot))),
            ("proof", .array(proof.map { .string(Hex.encode($0)) })),
        ])
    }

    public var verifies: Bool {
        MerkleTree.verifyConsistency(
            first: firstSize, second: secondSize, firstRoot: firstRoot, secondRoot: secondRoot, proof: proof)
    }
}

/// Lowercase hex.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
