internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// A transparency log's checkpoint as a C2SP signed note — `origin`, tree size, root hash, optional extension lines,
/// a blank line, then `— name base64(keyhint ‖ signature)` lines — verified against one log of the trusted root.
///
/// Which line is the log's: one whose 4-byte key hint is the log key's (ECDSA: the first bytes of SHA-256 of its
/// SPKI; Ed25519: of `name ‖ 0x0A ‖ 0x01 ‖ key`), and for a Rekor v2 log also whose name is the log's host, which
/// must be the origin too. Other lines — witness cosignatures, other keys — are ignored, wherever they sit; a line
/// that is the log's and does not verify is an error, never skipped. (A Rekor v1 origin carries a shard's tree id
/// that differs between entries, so it names nothing to compare.)
struct SignedCheckpoint: Sendable {
    let origin: String
    let size: Int64
    let rootHash: [UInt8]

    static let maxBytes = 64 << 10

    /// Parses and verifies `note` for `log`; `strictOrigin` is Rekor v2's rule.
    init(verifying note: String, log: TrustedRoot.Log, strictOrigin: Bool) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the checkpoint \(why)")
        }
        guard note.utf8.count <= Self.maxBytes else { throw fail("is larger than 64 KiB") }
        guard let split = note.range(of: "\n\n") else { throw fail("has no blank line before its signatures") }
        let text = String(note[..<split.lowerBound]) + "\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 3 else { throw fail("has no origin, size and root hash lines") }
        let header = Array(lines)
        guard !header[0].isEmpty else { throw fail("has an empty origin") }
        guard let size = Int64(header[1]), size >= 0, String(size) == header[1] else {
            throw fail("size '\(header[1].prefix(40))' is not a number")
        }
        guard let root = Data(base64Encoded: String(header[2])), root.count == 32 else {
            throw fail("root hash '\(header[2].prefix(60))' is not 32 bytes of base64")
        }
        origin = String(header[0])
        self.size = size
        rootHash = [UInt8](root)
        if strictOrigin, origin != log.host {
            throw fail("origin '\(origin.prefix(80))' is not the log \(log.host)")
        }
        let signatures = note[split.upperBound...]
        guard signatures.hasSuffix("\n"), !signatures.isEmpty else { throw fail("has no signature lines") }
        let hint = Self.keyHint(log.key, name: log.host)
        var verified = false
        for line in signatures.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "\u{2014}", !parts[1].isEmpty,
                let blob = Data(base64Encoded: String(parts[2])), blob.count > 4
            else { throw fail("has a malformed signature line") }
            guard Array(blob.prefix(4)) == hint, !strictOrigin || parts[1] == log.host else { continue }
            guard log.key.verifies(Array(blob.dropFirst(4)), over: Array(text.utf8)) else {
                throw fail("signature by \(parts[1].prefix(80)) does not verify with the log's key")
            }
            verified = true
        }
        guard verified else { throw fail("carries no signature by the log \(log.host) (no line has its key hint)") }
    }

    /// The 4-byte key hint signed notes name a key by.
    static func keyHint(_ key: PublicKey, name: String) -> [UInt8] {
        switch key.algorithm {
        case .ed25519:
            // The C2SP signed-note key id: name, newline, the Ed25519 algorithm byte, the raw 32-byte key.
            let material = Array(name.utf8) + [0x0A, 0x01] + key.der.suffix(32)
            return Array(SHA256.hash(data: material).prefix(4))
        default:
            return Array(SHA256.hash(data: key.der).prefix(4))
        }
    }
}
