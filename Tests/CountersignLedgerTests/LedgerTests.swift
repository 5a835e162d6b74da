import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignLedger

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
func unhex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        out.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return out
}

/// A brute-force RFC 6962 implementation straight from the definitions, to check the incremental tree against.
enum Reference {
    static func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return MerkleTree.emptyRoot }
        if leaves.count == 1 { return MerkleTree.leafHash(leaves.first!) }
        let k = MerkleTree.largestPowerOfTwo(below: leaves.count)
        let lo = leaves.startIndex
        return MerkleTree.nodeHash(mth(leaves[lo..<(lo + k)]), mth(leaves[(lo + k)...]))
    }

    static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        if leaves.count <= 1 { return [] }
        let k = MerkleTree.largestPowerOfTwo(below: leaves.count)
        let lo = leaves.startIndex
        if m < k { return path(m, leaves[lo..<(lo + k)]) + [mth(leaves[(lo + k)...])] }
        return path(m - k, leaves[(lo + k)...]) + [mth(leaves[lo..<(lo + k)])]
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        if m == leaves.count { return b ? [] : [mth(leaves)] }
        let k = MerkleTree.largestPowerOfTwo(below: leaves.count)
        let lo = leaves.startIndex
        if m <= k { return subproof(m, leaves[lo..<(lo + k)], b) + [mth(leaves[(lo + k)...])] }
        return subproof(m - k, leaves[(lo + k)...], false) + [mth(leaves[lo..<(lo + k)])]
    }
}

@Suite struct MerkleTreeTests {
    // transparency-dev/merkle testonly vectors, as restated in ../shared/reference/supply-chain.md §5.1.
    static let leaves = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ]
    .map(unhex)

    @Test func matchesThePublishedVectors() throws {
        var tree = MerkleTree()
        #expect(hex(tree.root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for leaf in Self.leaves { tree.append(entry: leaf) }
        #expect(hex(tree.leafHash(at: 0)) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(hex(tree.root(size: 1)).hasPrefix("6e340b9c") && hex(tree.root(size: 2)).hasPrefix("fac54203"))
        #expect(hex(tree.root(size: 3)).hasPrefix("aeb6bcfe") && hex(tree.root(size: 4)).hasPrefix("d37ee418"))
        #expect(hex(tree.root(size: 5)).hasPrefix("4e3bbb1f") && hex(tree.root(size: 6)).hasPrefix("76e67dad"))
        #expect(hex(tree.root(size: 7)) == "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c")
        #expect(hex(tree.root(size: 8)) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        #expect(try tree.inclusionProof(index: 6, size: 7).count == 2)
        #expect(try tree.consistencyProof(from: 3, to: 7).count == 4)
    }

    @Test func agreesWithTheDefinitionsForEverySizeUpTo300() throws {
        var tree = MerkleTree()
        var leaves: [[UInt8]] = []
        for n in 1...300 {
            let leaf = Array("entry \(n)".utf8)
            leaves.append(leaf)
            tree.append(entry: leaf)
            let root = tree.root()
            #expect(root == Reference.mth(leaves[...]), "root at size \(n)")
            for m in Set([0, n / 2, n - 1, n / 3]) {
                let proof = try tree.inclusionProof(index: m, size: n)
                #expect(proof == Reference.path(m, leaves[...]), "inclusion \(m) of \(n)")
                #expect(
                    MerkleTree.verifyInclusion(
                        leafHash: MerkleTree.leafHash(leaves[m]), index: m, size: n, proof: proof, root: root))
            }
            for m in Set([1, n / 2, n - 1, max(1, n / 3)]) where m > 0 && m < n {
                let proof = try tree.consistencyProof(from: m, to: n)
                #expect(proof == Reference.subproof(m, leaves[...], true), "consistency \(m)→\(n)")
                #expect(
                    MerkleTree.verifyConsistency(
                        first: m, second: n, firstRoot: tree.root(size: m), secondRoot: root, proof: proof))
            }
        }
    }

    @Test func everyProofVerifiesForSmallTrees() throws {
        var tree = MerkleTree()
        for n in 1...40 {
            tree.append(entry: [UInt8(n)])
            for m in 0..<n {
                let proof = try tree.inclusionProof(index: m, size: n)
                #expect(
                    MerkleTree.verifyInclusion(
                        leafHash: tree.leafHash(at: m), index: m, size: n, proof: proof, root: tree.root()))
            }
            for m in 1..<n {
                let proof = try tree.consistencyProof(from: m, to: n)
                #expect(
                    MerkleTree.verifyConsistency(
                        first: m, second: n, firstRoot: tree.root(size: m), secondRoot: tree.root(), proof: proof))
            }
        }
    }

    @Test func randomLargerTreesAgreeWithTheDefinitions() throws {
        var rng = SeededRandom(seed: 6962)
        for _ in 0..<5 {
            let n = 300 + Int(rng.next() % 1_700)
            var tree = MerkleTree()
            var leaves: [[UInt8]] = []
            for i in 0..<n {
                let leaf = Array("\(i)-\(rng.next())".utf8)
                leaves.append(leaf)
                tree.append(entry: leaf)
            }
            #expect(tree.root() == Reference.mth(leaves[...]))
            let m = Int(rng.next() % UInt64(n))
            #expect(try tree.inclusionProof(index: m, size: n) == Reference.path(m, leaves[...]))
            let first = 1 + Int(rng.next() % UInt64(n - 1))
            #expect(try tree.consistencyProof(from: first, to: n) == Reference.subproof(first, leaves[...], true))
        }
    }

    @Test func rejectsForgedAndMalformedProofs() throws {
        var tree = MerkleTree()
        for i in 0..<21 { tree.append(entry: [UInt8(i)]) }
        let root = tree.root()
        var proof = try tree.inclusionProof(index: 5, size: 21)
        let leaf = tree.leafHash(at: 5)
        #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: 5, size: 21, proof: proof, root: root))
        #expect(
            !MerkleTree.verifyInclusion(
                leafHash: MerkleTree.leafHash([99]), index: 5, size: 21, proof: proof, root: root))
        #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: 6, size: 21, proof: proof, root: root))
        #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: 5, size: 21, proof: proof + [root], root: root))
        #expect(
            !MerkleTree.verifyInclusion(leafHash: leaf, index: 5, size: 21, proof: Array(proof.dropLast()), root: root))
        proof[0][0] ^= 1
        #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: 5, size: 21, proof: proof, root: root))
        var consistency = try tree.consistencyProof(from: 7, to: 21)
        consistency[1][31] ^= 0x80
        #expect(
            !MerkleTree.verifyConsistency(
                first: 7, second: 21, firstRoot: tree.root(size: 7), secondRoot: root, proof: consistency))
        #expect(throws: ProofError.self) { try tree.inclusionProof(index: 21, size: 21) }
        #expect(throws: ProofError.self) { try tree.consistencyProof(from: 5, to: 22) }
    }
}

@Suite struct CheckpointTests {
    @Test func verifiesTheC2SPExampleNote() throws {
        let verifier = try NoteVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        let note =
            "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
        #expect(try verifier.verify(note) == "This is an example message.\n")
        let tampered = note.replacingOccurrences(of: "example message", with: "exemplary message")
        #expect(throws: NoteError.self) { try verifier.verify(tampered) }
    }

    @Test func signsAndVerifiesCheckpoints() throws {
        let signer = try NoteSigner(name: "countersign.example/ledger")
        var tree = MerkleTree()
        for i in 0..<10 { tree.append(entry: [UInt8(i)]) }
        let checkpoint = Checkpoint(origin: "countersign.example/ledger", size: tree.size, rootHash: tree.root())
        let note = try signer.sign(checkpoint.body)
        let verifier = try NoteVerifier(signer.verifier.text)
        let text = try verifier.verify(note)
        #expect(try Checkpoint(body: text) == checkpoint)
        // Key text forms round-trip.
        let again = try NoteSigner(privateKey: signer.privateKeyText)
        #expect(again.verifier == signer.verifier)
        // Another key's signature is ignored, so the note then has no signature we trust.
        let other = try NoteSigner(name: "countersign.example/ledger")
        #expect(throws: NoteError.self) { try other.verifier.verify(note) }
        // Flipping any byte of the signed text breaks it.
        for i in [0, 5, text.utf8.count - 2] {
            var bytes = Array(note.utf8)
            bytes[i] ^= 0x01
            #expect(throws: NoteError.self) { try verifier.verify(String(decoding: bytes, as: UTF8.self)) }
        }
    }

    @Test func keyTextFormsRoundTripWhateverTheirBase64() throws {
        // Base64 of a random key often contains '+', which is also the field separator.
        for _ in 0..<64 {
            let signer = try NoteSigner(name: "k.example/log")
            #expect(try NoteVerifier(signer.verifier.text) == signer.verifier)
            #expect(try NoteSigner(privateKey: signer.privateKeyText).verifier == signer.verifier)
        }
    }

    @Test func rejectsMalformedKeysAndCheckpoints() {
        #expect(throws: NoteError.self) { try NoteVerifier("nope") }
        #expect(throws: NoteError.self) { try NoteSigner(name: "has space") }
        #expect(throws: NoteError.self) { try Checkpoint(body: "origin\n012\nAAAA\n") }
        #expect(throws: NoteError.self) { try NoteSigner(privateKey: "PRIVATE+KEY+x+00000000+AAAA") }
    }
}
