internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// A C2SP tlog-checkpoint: the log's origin, its size and its RFC 6962 root, as the body of a signed note.
public struct Checkpoint: Sendable, Hashable {
    public let origin: String
    public let size: Int
    public let rootHash: [UInt8]

    public init(origin: String, size: Int, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// `origin\nsize\nbase64(root)\n`.
    public var body: String { "\(origin)\n\(size)\n\(Data(rootHash).base64EncodedString())\n" }

    /// The text of a signed note without checking its signatures — for a note this ledger stored itself.
    public static func body(ofNote note: String) -> String {
        guard let split = note.range(of: "\n\n", options: .backwards) else { return note }
        return String(note[..<split.lowerBound]) + "\n"
    }

    /// Parses a checkpoint body (extension lines are ignored).
    public init(body: String) throws(NoteError) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty,
            let size = Int(lines[1]), size >= 0, String(size) == lines[1],
            let root = Data(base64Encoded: String(lines[2])), root.count == 32
        else { throw NoteError("malformed checkpoint: expected origin, size and base64 root hash lines") }
        self.init(origin: String(lines[0]), size: size, rootHash: Array(root))
    }
}

/// A C2SP signed-note key pair (Ed25519, signature type 0x01).
public struct NoteSigner: Sendable {
    public let name: String
    /// The Ed25519 seed; keys are rebuilt from bytes so the signer stays `Sendable`.
    private let seed: [UInt8]
    var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }

    /// A new random key. The name should be the log's origin.
    public init(name: String) throws(NoteError) {
        try NoteSigner.validate(name)
        self.name = name
        seed = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// Reads the private key text form `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ seed)>`.
    public init(privateKey text: String) throws(NoteError) {
        let parsed = try Self.privateKey(text, type: 0x01)
        name = parsed.name
        seed = Array(parsed.key.rawRepresentation)
        guard parsed.id == keyIDHex else { throw NoteError("private key id does not match the key") }
    }

    /// The parts of a private key's text form `PRIVATE+KEY+<name>+<hex key id>+<base64(type ‖ seed)>`, for a log's
    /// key (type 0x01) or a witness's (0x04); the caller checks the id against the key it derives.
    static func privateKey(_ text: String, type: UInt8) throws(NoteError) -> (
        name: String, id: String, key: Curve25519.Signing.PrivateKey
    ) {
        // Base64 may itself contain '+': split only at the four leading separators.
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY",
            let raw = Data(base64Encoded: String(parts[4])), raw.count == 33,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst())
        else { throw NoteError("malformed private key: expected PRIVATE+KEY+<name>+<hex id>+<base64 key>") }
        guard raw.first == type else {
            throw NoteError(
                type == 0x04
                    ? "not a witness key (signature type 0x04): a log's note key cannot cosign"
                    : "not a log's note key (signature type 0x01)")
        }
        try validate(String(parts[2]))
        return (String(parts[2]), String(parts[3]), key)
    }

    static func validate(_ name: String) throws(NoteError) {
        guard !name.isEmpty, !name.contains(" "), !name.contains("+"), !name.contains("\n") else {
            throw NoteError("key name '\(name)' must be non-empty, without spaces or '+'")
        }
    }

    public var verifier: NoteVerifier { NoteVerifier(name: name, publicKey: key.publicKey) }
    var keyIDHex: String { Hex.encode(verifier.keyID) }

    /// The private key text form (keep it secret).
    public var privateKeyText: String {
        "PRIVATE+KEY+\(name)+\(keyIDHex)+" + Data([0x01] + key.rawRepresentation).base64EncodedString()
    }

    /// Signs a note body (which must end with a newline) and returns the whole signed note.
    public func sign(_ text: String) throws(NoteError) -> String {
        guard text.hasSuffix("\n"), !text.contains("\n\n") else {
            throw NoteError("note text must end with one newline and have no blank lines")
        }
        guard let signature = try? key.signature(for: Data(text.utf8)) else { throw NoteError("signing failed") }
        return text + "\n— \(name) " + Data(verifier.keyID + Array(signature)).base64EncodedString() + "\n"
    }
}

/// A C2SP note verifier key: `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
public struct NoteVerifier: Sendable, Hashable {
    public let name: String
    private let publicKeyBytes: [UInt8]
    var publicKey: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) }

    public static func == (a: NoteVerifier, b: NoteVerifier) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    init(name: String, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        publicKeyBytes = Array(publicKey.rawRepresentation)
    }

    public init(_ text: String) throws(NoteError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == 0x01,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw.dropFirst())
        else { throw NoteError("malformed verifier key: expected <name>+<hex id>+<base64 Ed25519 key>") }
        try NoteSigner.validate(String(parts[0]))
        self.init(name: String(parts[0]), publicKey: key)
        guard parts[1] == Substring(Hex.encode(keyID)) else {
            throw NoteError("verifier key id does not match the key")
        }
    }

    /// First 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), as C2SP recommends.
    public var keyID: [UInt8] {
        var h = SHA256()
        h.update(data: Array(name.utf8) + [0x0A, 0x01] + Array(publicKey.rawRepresentation))
        return Array(h.finalize().prefix(4))
    }

    public var text: String {
        "\(name)+\(Hex.encode(keyID))+"
            + Data([0x01] + publicKey.rawRepresentation).base64EncodedString()
    }

    /// Verifies a signed note and returns its text. Signatures by other keys are ignored; one by this key must
    /// be present and valid.
    public func verify(_ note: String) throws(NoteError) -> String {
        let parsed = try SignedNote(note)
        var sawOurs = false
        for signature in parsed.signatures {
            guard signature.name == name, Array(signature.blob.prefix(4)) == keyID else { continue }
            sawOurs = true
            guard publicKey.isValidSignature(signature.blob.dropFirst(4), for: Data(parsed.text.utf8)) else {
                throw NoteError("signature by \(name) does not verify")
            }
        }
        guard sawOurs else { throw NoteError("no signature by \(name)") }
        return parsed.text
    }
}

/// A C2SP signed note taken apart: its text (ending in a newline) and its signature lines, each a key name and the
/// decoded key ID ‖ signature. Every line after the blank one must be a well-formed signature line.
public struct SignedNote: Sendable {
    public let text: String
    public let signatures: [(name: String, blob: [UInt8])]

    public init(_ note: String) throws(NoteError) {
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw NoteError("not a signed note: no blank line")
        }
        text = String(note[..<split.lowerBound]) + "\n"
        var signatures: [(name: String, blob: [UInt8])] = []
        for line in note[split.upperBound...].split(separator: "\n") {
            guard line.hasPrefix("— ") else { throw NoteError("malformed signature line") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let blob = Data(base64Encoded: String(fields[1])), blob.count >= 5 else {
                throw NoteError("malformed signature line")
            }
            signatures.append((String(fields[0]), Array(blob)))
        }
        guard !signatures.isEmpty else { throw NoteError("not a signed note: no signature lines") }
        self.signatures = signatures
    }
}

/// A malformed or unverifiable note, key or checkpoint.
public struct NoteError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
