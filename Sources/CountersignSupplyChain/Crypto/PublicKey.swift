internal import Crypto
public import Foundation

/// A public key that signatures and attestations are verified with: ECDSA P-256 (cosign's default; SHA-256,
/// DER or raw r‖s signatures) or Ed25519, read from a PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo) block.
///
/// Keys are compared by ``id`` — the SHA-256 of the SPKI DER — so the same key loaded from two files counts once
/// toward a threshold.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    public enum Algorithm: String, Sendable { case ecdsaP256 = "ecdsa-p256-sha256", ed25519 }

    /// swift-crypto's key types are immutable values whose storage is never written after construction, but
    /// they are not marked `Sendable` in the 3.x series; sharing them read-only across tasks is safe.
    enum Material: @unchecked Sendable {
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    /// A label for messages and evidence: usually the key file's name, as the policy names it.
    public let name: String
    /// `sha256:<hex>` of the SubjectPublicKeyInfo DER.
    public let id: String
    public let algorithm: Algorithm
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
        if der.count == 44, Array(der.prefix(12)) == PublicKey.ed25519Prefix {
            do {
                material = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)))
            } catch {
                throw SupplyChainError(.invalidKey, "key \(name): not a valid Ed25519 public key")
            }
            algorithm = .ed25519
            return
        }
        do {
            material = .p256(try P256.Signing.PublicKey(derRepresentation: der))
            algorithm = .ecdsaP256
        } catch {
            throw SupplyChainError(
                .invalidKey,
                "key \(name): not an ECDSA P-256 or Ed25519 SubjectPublicKeyInfo (RSA and other curves "
                    + "are not supported)")
        }
    }

    /// The same key under another label (a keyless signer is named by its certificate identity).
    public init(renaming key: PublicKey, to name: String) {
        self.name = name
        self.id = key.id
        self.algorithm = key.algorithm
        self.material = key.material
    }

    /// Whether `signature` is this key's signature over `message` (ECDSA: SHA-256 of the message).
    public func verifies(_ signature: [UInt8], over message: some DataProtocol) -> Bool {
        switch material {
        case .p256(let key):
            let parsed: P256.Signing.ECDSASignature?
            if let der = try? P256.Signing.ECDSASignature(derRepresentation: signature) {
                parsed = der
            } else if signature.count == 64 {
                parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            } else {
                parsed = nil
            }
            guard let parsed else { return false }
            return key.isValidSignature(parsed, for: message)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: Data(message))
        }
    }

    public var description: String { "\(name) (\(algorithm.rawValue), \(id.prefix(19))…)" }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    static func pemBody(_ pem: String, name: String) throws(SupplyChainError) -> [UInt8] {
        let begin = "-----BEGIN PUBLIC KEY-----"
        let end = "-----END PUBLIC KEY-----"
        guard pem.utf8.count <= 64 << 10 else { throw SupplyChainError(.invalidKey, "key \(name): PEM is too large") }
        guard let start = pem.range(of: begin), let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex)
        else {
            if pem.contains("PRIVATE KEY") {
                throw SupplyChainError(.invalidKey, "key \(name): is a private key; give the public key")
            }
            throw SupplyChainError(.invalidKey, "key \(name): no PEM 'PUBLIC KEY' block")
        }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard !body.isEmpty, let data = Data(base64Encoded: String(body)) else {
            throw SupplyChainError(.invalidKey, "key \(name): the PEM body is not valid base64")
        }
        return Array(data)
    }
}
