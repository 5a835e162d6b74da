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

    /// Decodes lowercase or uppercase hex; nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
