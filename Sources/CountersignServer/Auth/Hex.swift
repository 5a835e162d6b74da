internal import Crypto
internal import Foundation

/// Lowercase hex, written through a table: `String(format: "%02x")` per byte costs a formatter call each, and a
/// token hash is computed on every authenticated request.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The SHA-256 of `bytes`, in hex.
    static func sha256(_ bytes: some DataProtocol) -> String { encode(SHA256.hash(data: bytes)) }
}
