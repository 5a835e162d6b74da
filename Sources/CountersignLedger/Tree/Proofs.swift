public import CountersignEncoding

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

    /// Reads the JSON form `json` writes; hashes must be 32 bytes of lowercase hex.
    public init(json: JSONValue) throws(ProofError) {
        func hash(_ v: JSONValue?) throws(ProofError) -> [UInt8] {
            guard let text = v?.stringValue, let bytes = Hex.decode(text), bytes.count == 32 else {
                throw ProofError("hashes must be 64 hex digits")
            }
            return bytes
        }
        // JSON numbers are doubles: only whole numbers an Int holds are positions (1e300 is not).
        guard let indexNumber = json["leaf_index"]?.numberValue, let index = Int(exactly: indexNumber),
            let sizeNumber = json["tree_size"]?.numberValue, let size = Int(exactly: sizeNumber), index >= 0,
            size >= 0, case .array(let path)? = json["proof"]
        else { throw ProofError("an inclusion proof needs leaf_index, tree_size, leaf_hash, root_hash and proof") }
        var proof: [[UInt8]] = []
        for p in path { proof.append(try hash(p)) }
        self.init(
            index: index, treeSize: size, leafHash: try hash(json["leaf_hash"]),
            rootHash: try hash(json["root_hash"]), proof: proof)
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
