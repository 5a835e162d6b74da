internal import CountersignEncoding
internal import Crypto
public import Foundation

/// A content digest, `algorithm:hex`, in canonical form: a known algorithm and lowercase hex of its exact length.
///
/// Everything Countersign approves or verifies is bound to one of these (DESIGN §1.3). Only `sha256` and `sha512`
/// are accepted: an unknown algorithm could not be checked, so it is an error rather than something passed on.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case sha256, sha512

        /// The number of hex characters of a digest of this algorithm.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    public let algorithm: Algorithm
    /// Lowercase hex.
    public let hex: String

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; uppercase hex is not canonical and is refused.
    public init(parsing text: String) throws(SupplyChainError) {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            throw SupplyChainError(.invalidDigest, "'\(text.prefix(80))' is not a digest (expected sha256:<64 hex>)")
        }
        let name = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        guard let algorithm = Algorithm(rawValue: name) else {
            throw SupplyChainError(
                .invalidDigest, "digest '\(text.prefix(80))' uses unsupported algorithm '\(name.prefix(20))'")
        }
        guard hex.utf8.count == algorithm.hexLength, Hex.isLowercase(hex) else {
            throw SupplyChainError(
                .invalidDigest,
                "digest '\(text.prefix(140))' is not \(algorithm.rawValue): followed by \(algorithm.hexLength) lowercase hex"
            )
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    init(algorithm: Algorithm, bytes: some Sequence<UInt8>) {
        self.algorithm = algorithm
        self.hex = Hex.encode(bytes)
    }

    /// The digest of `bytes` under `algorithm`.
    public static func of(_ bytes: some DataProtocol, algorithm: Algorithm = .sha256) -> Digest {
        switch algorithm {
        case .sha256: Digest(algorithm: .sha256, bytes: SHA256.hash(data: bytes))
        case .sha512: Digest(algorithm: .sha512, bytes: SHA512.hash(data: bytes))
        }
    }

    /// The SHA-256 of everything `handle` reads, 1 MiB at a time: a release artifact is never held whole.
    public static func sha256(reading handle: FileHandle) throws -> Digest {
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return Digest(algorithm: .sha256, bytes: hasher.finalize())
    }

    /// The digest's bytes.
    public var bytes: [UInt8] { Hex.decode(hex) ?? [] }

    /// Whether `bytes` hash to this digest — the check every fetched byte goes through.
    public func matches(_ bytes: some DataProtocol) -> Bool {
        Digest.of(bytes, algorithm: algorithm) == self
    }

    /// `sha256:<hex>`.
    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// `sha256-<hex>`: the tag form cosign and the referrers fallback use.
    public var tagForm: String { "\(algorithm.rawValue)-\(hex)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }
}
