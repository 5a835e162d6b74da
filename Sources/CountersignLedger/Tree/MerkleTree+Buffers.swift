internal import Crypto

/// RFC 6962 hashes over bytes in place, for verify: a million entries must not cost a million array allocations.
extension MerkleTree {
    /// `SHA-256(0x00 ‖ entry)`.
    static func leafHash(_ entry: UnsafeRawBufferPointer) -> SHA256.Digest {
        var h = SHA256()
        withUnsafeBytes(of: UInt8(0)) { h.update(bufferPointer: $0) }
        h.update(bufferPointer: entry)
        return h.finalize()
    }

    /// `SHA-256(0x01 ‖ left ‖ right)` for 64 bytes holding the two children.
    static func nodeHash(pair: UnsafeRawBufferPointer) -> SHA256.Digest {
        var h = SHA256()
        withUnsafeBytes(of: UInt8(1)) { h.update(bufferPointer: $0) }
        h.update(bufferPointer: pair)
        return h.finalize()
    }

    /// Whether two 32-byte hashes in memory are equal, compared a word at a time.
    static func equalHashes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == 32, b.count == 32 else { return false }
        var difference: UInt64 = 0
        for offset in stride(from: 0, to: 32, by: 8) {
            difference |=
                a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        return difference == 0
    }
}
