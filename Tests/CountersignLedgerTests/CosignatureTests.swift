import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignLedger

/// C2SP tlog-cosignature/v1 as the spec writes it, checked both ways against an independent implementation (Python
/// with `cryptography`, written from the spec's text: key ID, timestamped signature, signed message), and the
/// witness's rules attacked: a rollback, a fork at the same size, a fork behind a proof, another log, a forged or
/// re-timed cosignature, a log key passed off as a witness's.
@Suite struct CosignatureTests {
    static let log = try! NoteSigner(name: "log.test/ledger")

    /// A log of `count` leaves and its signed checkpoint.
    static func checkpoint(_ leaves: [String], signer: NoteSigner = log) throws -> (note: String, tree: MerkleTree) {
        var tree = MerkleTree()
        for leaf in leaves { _ = tree.append(entry: Array(leaf.utf8)) }
        let body = Checkpoint(origin: "log.test/ledger", size: leaves.count, rootHash: tree.root()).body
        return (try signer.sign(body), tree)
    }

    static let independentCheck = #"""
        import base64, hashlib, struct, sys
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey, Ed25519PrivateKey
        from cryptography.hazmat.primitives import serialization
        mode, key, note = sys.argv[1], sys.argv[2], sys.stdin.read()
        text, sigs = note.rsplit("\n\n", 1)
        text += "\n"
        if mode == "verify":
            name, keyid, blob = key.split("+", 2)
            raw = base64.b64decode(blob)
            assert raw[0] == 0x04, "not a cosigner key"
            expected = hashlib.sha256(name.encode() + b"\n" + b"\x04" + raw[1:]).digest()[:4]
            assert expected.hex() == keyid, "key id"
            for line in sigs.strip().split("\n"):
                _, who, b64 = line.split(" ")
                sig = base64.b64decode(b64)
                if who != name or sig[:4] != expected:
                    continue
                (t,) = struct.unpack(">Q", sig[4:12])
                message = b"cosignature/v1\ntime %d\n" % t + text.encode()
                Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[12:], message)
                print(t)
                sys.exit(0)
            sys.exit("no cosignature")
        else:  # cosign with a fresh key; print the vkey and the cosigned note
            private = Ed25519PrivateKey.generate()
            public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            name = key
            keyid = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public).digest()[:4]
            t = 1700000000
            sig = private.sign(b"cosignature/v1\ntime %d\n" % t + text.encode())
            line = "\u2014 %s %s\n" % (name, base64.b64encode(keyid + struct.pack(">Q", t) + sig).decode())
            print("%s+%s+%s" % (name, keyid.hex(), base64.b64encode(b"\x04" + public).decode()))
            sys.stdout.write(note + line)
        """#

    static func python(_ arguments: [String], stdin: String) throws -> String {
        let python = ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PYTHON"] ?? "python3"
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("cosig-\(UUID()).py").path
        let input = script + ".in"
        try independentCheck.write(toFile: script, atomically: true, encoding: .utf8)
        try stdin.write(toFile: input, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: script)
            try? FileManager.default.removeItem(atPath: input)
        }
        return try Spawn.run("/bin/sh", ["-c", "\"$0\" \"$@\" < '\(input)'", python, script] + arguments)
    }

    @Test func anIndependentImplementationVerifiesOursAndWeVerifyIts() throws {
        let (note, _) = try Self.checkpoint(["a", "b", "c"])
        let witness = try Cosigner(name: "witness.test/w1")
        let cosigned = try witness.cosign(note, at: 1_733_500_000)
        // The log's signature is still there and still verifies; the cosignature is one more line.
        #expect(try Self.log.verifier.verify(cosigned) == Checkpoint.body(ofNote: note))
        #expect(try witness.verifier.verify(cosigned) == 1_733_500_000)
        let theirs = try Self.python(["verify", witness.verifier.text], stdin: cosigned)
        #expect(theirs.trimmingCharacters(in: .whitespacesAndNewlines) == "1733500000")

        let made = try Self.python(["cosign", "witness.test/py"], stdin: note)
        let lines = made.split(separator: "\n", maxSplits: 1)
        let key = try CosignatureVerifier(String(lines[0]))
        #expect(try key.verify(String(lines[1])) == 1_700_000_000)
        // The private key round-trips through its text form.
        #expect(try Cosigner(privateKey: witness.privateKeyText).verifier == witness.verifier)
    }

    @Test func forgedOrRetimedCosignaturesAndCrossedKeysAreRefused() throws {
        let (note, _) = try Self.checkpoint(["a", "b"])
        let witness = try Cosigner(name: "witness.test/w1")
        let cosigned = try witness.cosign(note, at: 1_000)
        // The time is signed: change one byte of it and the cosignature fails.
        let line = String(cosigned.split(separator: "\n").last!)
        var blob = Array(Data(base64Encoded: String(line.split(separator: " ")[2]))!)
        blob[11] ^= 1
        let retimed = note + "— witness.test/w1 " + Data(blob).base64EncodedString() + "\n"
        #expect(throws: NoteError("cosignature by witness.test/w1 does not verify")) {
            try witness.verifier.verify(retimed)
        }
        // A cosignature moved onto another checkpoint does not verify there.
        let (other, _) = try Self.checkpoint(["a", "x"])
        #expect(throws: NoteError.self) { try witness.verifier.verify(other + line + "\n") }
        // Another witness of the same name but another key: its line is not ours (the key ID differs).
        let impostor = try Cosigner(name: "witness.test/w1")
        #expect(throws: NoteError("no cosignature by witness.test/w1")) {
            try witness.verifier.verify(try impostor.cosign(note, at: 1_000))
        }
        // A log's note key is not a witness key, in either direction, though both are Ed25519.
        #expect(throws: NoteError.self) { try CosignatureVerifier(Self.log.verifier.text) }
        #expect(throws: NoteError.self) { try Cosigner(privateKey: Self.log.privateKeyText) }
        #expect(throws: NoteError.self) { try NoteVerifier(witness.verifier.text) }
        // And a log signature line never counts as a cosignature, nor a cosignature as the log's signature.
        #expect(throws: NoteError.self) { try witness.verifier.verify(note) }
        let onlyCosignature = Checkpoint.body(ofNote: note) + "\n" + line + "\n"
        #expect(throws: NoteError("no signature by log.test/ledger")) { try Self.log.verifier.verify(onlyCosignature) }
    }

    @Test func theWitnessCosignsOnlyAnAppendOnlyStep() throws {
        let leaves = (0..<20).map { "entry \($0)" }
        let (first, _) = try Self.checkpoint(Array(leaves.prefix(7)))
        let previous = try Witness.check(first, log: Self.log.verifier, previous: nil, proof: [])
        #expect(previous.size == 7)

        // Growth with the right proof: cosigned.
        var full = MerkleTree()
        for leaf in leaves { _ = full.append(entry: Array(leaf.utf8)) }
        let (grown, _) = try Self.checkpoint(leaves)
        let proof = try full.consistencyProof(from: 7, to: 20)
        #expect(try Witness.check(grown, log: Self.log.verifier, previous: previous, proof: proof).size == 20)
        // The same checkpoint again (no growth): cosigned with an empty proof.
        #expect(try Witness.check(first, log: Self.log.verifier, previous: previous, proof: []).size == 7)

        // A rollback: smaller than what was cosigned.
        let (smaller, _) = try Self.checkpoint(Array(leaves.prefix(5)))
        #expect(throws: NoteError.self) {
            try Witness.check(smaller, log: Self.log.verifier, previous: previous, proof: [])
        }
        // A fork at the same size: another seventh entry.
        let (forkSame, _) = try Self.checkpoint(Array(leaves.prefix(6)) + ["rewritten"])
        #expect(throws: NoteError.self) {
            try Witness.check(forkSame, log: Self.log.verifier, previous: previous, proof: [])
        }
        // A fork that grew: its own (valid) proof from its own 7 does not lead from the witnessed 7.
        var forked = MerkleTree()
        for leaf in Array(leaves.prefix(6)) + ["rewritten"] + Array(leaves.dropFirst(7)) {
            _ = forked.append(entry: Array(leaf.utf8))
        }
        let forkedNote = try Self.log.sign(
            Checkpoint(origin: "log.test/ledger", size: 20, rootHash: forked.root()).body)
        let forkedProof = try forked.consistencyProof(from: 7, to: 20)
        let error = #expect(throws: NoteError.self) {
            try Witness.check(forkedNote, log: Self.log.verifier, previous: previous, proof: forkedProof)
        }
        #expect(error?.message.hasPrefix("FORK") == true)
        // An honest tree with a proof off by one position (a truncated proof) is refused too.
        #expect(throws: NoteError.self) {
            try Witness.check(grown, log: Self.log.verifier, previous: previous, proof: Array(proof.dropLast()))
        }
        // Signed by another key, or another log's origin.
        let stranger = try NoteSigner(name: "log.test/ledger")
        let (unsigned, _) = try Self.checkpoint(leaves, signer: stranger)
        #expect(throws: NoteError.self) {
            try Witness.check(unsigned, log: Self.log.verifier, previous: previous, proof: proof)
        }
        // The log rotates its key: a witness configured with both keys follows it; with the old one alone it does not.
        let rotated = try NoteSigner(name: "log.test/ledger")
        let (underNewKey, _) = try Self.checkpoint(leaves, signer: rotated)
        #expect(
            try Witness.check(
                underNewKey, log: [rotated.verifier, Self.log.verifier], previous: previous, proof: proof
            )
            .size == 20)
        #expect(throws: NoteError.self) {
            try Witness.check(underNewKey, log: [Self.log.verifier], previous: previous, proof: proof)
        }
        let otherOrigin = try Self.log.sign(Checkpoint(origin: "log.test/other", size: 20, rootHash: full.root()).body)
        #expect(throws: NoteError("the checkpoint is of log log.test/other, not log.test/ledger")) {
            try Witness.check(otherOrigin, log: Self.log.verifier, previous: previous, proof: proof)
        }
    }
}
