internal import BigInt
internal import Crypto
public import Foundation
internal import _CryptoExtras

/// A public key that signatures and attestations are verified with, read from a PEM `PUBLIC KEY` (PKIX
/// SubjectPublicKeyInfo) block: ECDSA P-256 (cosign's default; SHA-256), ECDSA P-384 (SHA-384 as Sigstore signs
/// with it, or SHA-256 as `cosign sign --key` does), Ed25519, or RSA of 2048 to 4096 bits (SHA-256, PKCS#1 v1.5 or
/// PSS with any salt length). ECDSA signatures may be DER or raw r‖s.
///
/// Keys are compared by ``id`` — the SHA-256 of the SPKI DER — so the same key loaded from two files counts once
/// toward a threshold.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    public enum Algorithm: String, Sendable {
        case ecdsaP256 = "ecdsa-p256-sha256", ecdsaP384 = "ecdsa-p384", ed25519, rsa = "rsa-sha256"
    }

    /// The RSA modulus sizes accepted: below 2048 bits is breakable in reach of a motivated attacker; above 4096 is
    /// a verification-cost lever for whoever supplies the key or certificate, and nobody signs with it.
    public static let rsaBits = 2048...4096

    /// swift-crypto's key types are immutable values whose storage is never written after construction, but
    /// they are not marked `Sendable` in the 3.x series; sharing them read-only across tasks is safe.
    enum Material: @unchecked Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey, modulus: Data, exponent: Data)
    }

    /// A label for messages and evidence: usually the key file's name, as the policy names it.
    public let name: String
    /// `sha256:<hex>` of the SubjectPublicKeyInfo DER.
    public let id: String
    public let algorithm: Algorithm
    /// The DER the key was read from (SubjectPublicKeyInfo, or PKCS#1 for a trusted root's older RSA keys): signed
    /// notes name a key by a hash of it.
    let der: [UInt8]
    let material: Material

    /// The fixed SPKI prefix of an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING }.
    static let ed25519Prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// Reads the first `PUBLIC KEY` block of `pem`.
    public init(pem: String, name: String) throws(SupplyChainError) {
        try self.init(der: try PublicKey.pemBody(pem, name: name), name: name)
    }

    /// Reads a DER SubjectPublicKeyInfo.
    public init(der: [UInt8], name: String) throws(SupplyChainError) {
        self.name = name
        self.id = Digest.of(der).description
        self.der = der
        if der.count == 44, Array(der.prefix(12)) == PublicKey.ed25519Prefix {
            do {
                material = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)))
            } catch {
                throw SupplyChainError(.invalidKey, "key \(name): not a valid Ed25519 public key")
            }
            algorithm = .ed25519
            return
        }
        if let key = try? P256.Signing.PublicKey(derRepresentation: der) {
            material = .p256(key)
            algorithm = .ecdsaP256
            return
        }
        if let key = try? P384.Signing.PublicKey(derRepresentation: der) {
            material = .p384(key)
            algorithm = .ecdsaP384
            return
        }
        if let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: der) {
            guard let primitives = try? key.getKeyPrimitives() else {
                throw SupplyChainError(.invalidKey, "key \(name): an unreadable RSA key")
            }
            // The modulus's own bit length: swift-crypto's `keySizeInBits` counts whole octets (2047 bits is "2048").
            let bits = BigUInt(primitives.modulus).bitWidth
            guard PublicKey.rsaBits.contains(bits) else {
                throw SupplyChainError(
                    .invalidKey,
                    "key \(name): an RSA key of \(bits) bits; Countersign accepts \(PublicKey.rsaBits.lowerBound) "
                        + "to \(PublicKey.rsaBits.upperBound) bits")
            }
            let exponent = BigUInt(primitives.publicExponent)
            guard exponent >= 3, exponent & 1 == 1 else {
                throw SupplyChainError(.invalidKey, "key \(name): an RSA key with an invalid public exponent")
            }
            material = .rsa(key, modulus: primitives.modulus, exponent: primitives.publicExponent)
            algorithm = .rsa
            return
        }
        throw SupplyChainError(
            .invalidKey,
            "key \(name): not an ECDSA P-256 or P-384, Ed25519 or RSA SubjectPublicKeyInfo (other curves and "
                + "algorithms are not supported)")
    }

    /// The same key under another label (a keyless signer is named by its certificate identity), and another id
    /// when it is to count as that identity rather than as its key.
    public init(renaming key: PublicKey, to name: String, id: String? = nil) {
        self.name = name
        self.id = id ?? key.id
        self.der = key.der
        self.algorithm = key.algorithm
        self.material = key.material
    }

    /// Whether `signature` is this key's signature over `message` (the hash each algorithm signs with is named in
    /// the type's comment).
    public func verifies(_ signature: [UInt8], over message: some DataProtocol) -> Bool {
        switch material {
        case .p256(let key):
            guard let parsed = Self.p256Signature(signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .p384(let key):
            guard let parsed = Self.p384Signature(signature) else { return false }
            return key.isValidSignature(parsed, for: SHA384.hash(data: Data(message)))
                || key.isValidSignature(parsed, for: SHA256.hash(data: Data(message)))
        case .ed25519(let key):
            return key.isValidSignature(signature, for: Data(message))
        case .rsa(_, let modulus, let exponent):
            return RSAVerification.verify(
                signature, digest: Array(SHA256.hash(data: Data(message))), modulus: modulus, exponent: exponent)
        }
    }

    /// An ECDSA signature as DER, or as raw r‖s of the curve's size.
    static func p256Signature(_ bytes: [UInt8]) -> P256.Signing.ECDSASignature? {
        (try? P256.Signing.ECDSASignature(derRepresentation: bytes))
            ?? (bytes.count == 64 ? try? P256.Signing.ECDSASignature(rawRepresentation: bytes) : nil)
    }

    static func p384Signature(_ bytes: [UInt8]) -> P384.Signing.ECDSASignature? {
        (try? P384.Signing.ECDSASignature(derRepresentation: bytes))
            ?? (bytes.count == 96 ? try? P384.Signing.ECDSASignature(rawRepresentation: bytes) : nil)
    }

    /// Whether `signature` is this key's signature over a message whose SHA-256 is `digest` — what a verifier given
    /// only an artifact's digest checks (a Sigstore `hashedrekord` signs the artifact's bytes). ECDSA and RSA sign a
    /// hash, so this is the same check as ``verifies(_:over:)``; Ed25519 signs the message itself and cannot.
    public func verifies(_ signature: [UInt8], sha256Digest digest: [UInt8]) -> Bool {
        guard digest.count == 32 else { return false }
        let prehashed = PrehashedSHA256(bytes: digest)
        switch material {
        case .p256(let key):
            return Self.p256Signature(signature).map { key.isValidSignature($0, for: prehashed) } ?? false
        case .p384(let key):
            return Self.p384Signature(signature).map { key.isValidSignature($0, for: prehashed) } ?? false
        case .ed25519:
            return false
        case .rsa(_, let modulus, let exponent):
            return RSAVerification.verify(signature, digest: digest, modulus: modulus, exponent: exponent)
        }
    }

    public var description: String { "\(name) (\(algorithm.rawValue), \(id.prefix(19))…)" }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    static func pemBody(_ pem: String, name: String) throws(SupplyChainError) -> [UInt8] {
        guard pem.utf8.count <= 64 << 10 else { throw SupplyChainError(.invalidKey, "key \(name): PEM is too large") }
        let body: [UInt8]?
        do { body = try PEM.block("PUBLIC KEY", in: pem, what: "key \(name)") } catch {
            throw SupplyChainError(.invalidKey, "key \(name): the PEM body is not valid base64")
        }
        guard let body else {
            if pem.contains("PRIVATE KEY") {
                throw SupplyChainError(.invalidKey, "key \(name): is a private key; give the public key")
            }
            throw SupplyChainError(.invalidKey, "key \(name): no PEM 'PUBLIC KEY' block")
        }
        return body
    }
}

/// A SHA-256 digest computed elsewhere (an artifact's, as a caller gives it), in the form swift-crypto's ECDSA
/// verifiers take: they use a digest's bytes whatever its type.
struct PrehashedSHA256: Crypto.Digest {
    static let byteCount = 32
    let bytes: [UInt8]

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }
    func makeIterator() -> Array<UInt8>.Iterator { bytes.makeIterator() }
    var description: String { "SHA256 digest: " + bytes.map { String(format: "%02x", $0) }.joined() }
}
