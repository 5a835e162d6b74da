internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// A witness's key: C2SP tlog-cosignature/v1 (Ed25519, signature type 0x04). A cosignature says "as of this time,
/// this is the largest checkpoint of the log I have seen, and it is consistent with every earlier one I saw"; it
/// signs `cosignature/v1\ntime <seconds>\n` followed by the checkpoint's whole note text, and its line carries the
/// key ID, the time (8 bytes, big-endian) and the signature. The key is a different type from the log's (0x01), so a
/// log key can never pass for a witness.
public struct Cosigner: Sendable {
    public let name: String
    private let seed: [UInt8]
    var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }

    /// A new random key; the name should identify the witness (`witness.example.com/w1`).
    public init(name: String) throws(NoteError) {
        try NoteSigner.validate(name)
        self.name = name
        seed = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// Reads `PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 ‖ seed)>`.
    public init(privateKey text: String) throws(NoteError) {
        let parsed = try NoteSigner.privateKey(text, type: 0x04)
        name = parsed.name
        seed = Array(parsed.key.rawRepresentation)
        guard parsed.id == Hex.encode(verifier.keyID) else { throw NoteError("witness key id does not match the key") }
    }

    public var verifier: CosignatureVerifier {
        CosignatureVerifier(name: name, publicKey: Array(key.publicKey.rawRepresentation))
    }

    public var privateKeyText: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifier.keyID))+"
            + Data([0x04] + key.rawRepresentation).base64EncodedString()
    }

    /// The note with this witness's cosignature line added, made at `time` (seconds since the epoch). The note's
    /// own signatures are not part of what is cosigned.
    public func cosign(_ note: String, at time: UInt64) throws(NoteError) -> String {
        let parsed = try SignedNote(note)
        let message = CosignatureVerifier.message(parsed.text, time: time)
        guard let signature = try? key.signature(for: Data(message.utf8)) else { throw NoteError("signing failed") }
        var stamp = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { stamp[i] = UInt8(truncatingIfNeeded: time >> (56 - 8 * i)) }
        let line = "— \(name) " + Data(verifier.keyID + stamp + Array(signature)).base64EncodedString() + "\n"
        return (note.hasSuffix("\n") ? note : note + "\n") + line
    }
}

/// A witness's public key, `<name>+<hex key id>+<base64(0x04 ‖ public key)>`, which checks its cosignatures.
public struct CosignatureVerifier: Sendable, Hashable {
    public let name: String
    private let publicKeyBytes: [UInt8]

    init(name: String, publicKey: [UInt8]) {
        self.name = name
        publicKeyBytes = publicKey
    }

    public init(_ text: String) throws(NoteError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: raw.dropFirst())) != nil
        else { throw NoteError("malformed witness key: expected <name>+<hex id>+<base64 Ed25519 key>") }
        guard raw.first == 0x04 else {
            throw NoteError("not a witness key (signature type 0x04, tlog-cosignature/v1)")
        }
        try NoteSigner.validate(String(parts[0]))
        self.init(name: String(parts[0]), publicKey: Array(raw.dropFirst()))
        guard parts[1] == Substring(Hex.encode(keyID)) else { throw NoteError("witness key id does not match the key") }
    }

    /// SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4].
    public var keyID: [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x04] + publicKeyBytes).prefix(4))
    }

    public var text: String {
        "\(name)+\(Hex.encode(keyID))+" + Data([0x04] + publicKeyBytes).base64EncodedString()
    }

    static func message(_ text: String, time: UInt64) -> String { "cosignature/v1\ntime \(time)\n" + text }

    /// Checks this witness's cosignature on `note` and returns the time it was made. Lines of other keys are
    /// ignored; one of this key must be present, and every one of this key must verify.
    public func verify(_ note: String) throws(NoteError) -> UInt64 {
        let parsed = try SignedNote(note)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) else {
            throw NoteError("malformed witness key")
        }
        var time: UInt64?
        for signature in parsed.signatures where signature.name == name && Array(signature.blob.prefix(4)) == keyID {
            guard signature.blob.count == 4 + 8 + 64 else { throw NoteError("malformed cosignature by \(name)") }
            let stamp = signature.blob[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard stamp <= UInt64(Int64.max),
                key.isValidSignature(
                    signature.blob[12...], for: Data(Self.message(parsed.text, time: stamp).utf8))
            else { throw NoteError("cosignature by \(name) does not verify") }
            time = max(time ?? 0, stamp)
        }
        guard let time else { throw NoteError("no cosignature by \(name)") }
        return time
    }
}
