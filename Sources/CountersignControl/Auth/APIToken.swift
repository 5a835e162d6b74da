internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// API tokens (DESIGN §5): random 256-bit secrets, shown once, stored only as SHA-256 hashes, each bound to one
/// identity and one role. A secret reads `cst_<43 base64url characters>`, so a leaked one is easy to spot in logs
/// and scanners.
public enum APIToken {
    public static let prefix = "cst_"

    /// A new token: its public id, the secret to hand over once, and the hash to store.
    public static func generate() -> (id: String, secret: String, hash: String) {
        var rng = SystemRandomNumberGenerator()
        let secret = prefix + base64URL((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
        let id = "tok_" + Hex.encode((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
        return (id, secret, hash(secret))
    }

    /// The stored form of a secret: lowercase hex SHA-256.
    public static func hash(_ secret: String) -> String {
        Hex.sha256(Array(secret.utf8))
    }

    /// Whether `secret` looks like a token at all, before any lookup.
    public static func isWellFormed(_ secret: String) -> Bool {
        secret.hasPrefix(prefix) && secret.utf8.count == prefix.utf8.count + 43
            && secret.utf8.dropFirst(prefix.utf8.count).allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D
                    || c == 0x5F
            }
    }

    /// Compares without an early exit, so the time taken says nothing about where two secrets differ.
    public static func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    package static func base64URL(_ bytes: [UInt8]) -> String { Base64URL.encode(bytes) }
}
