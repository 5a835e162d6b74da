internal import BigInt
internal import Crypto
internal import Foundation

/// RSA signature verification with SHA-256 (RFC 8017): RSASSA-PKCS1-v1_5 (§8.2.2) and RSASSA-PSS with MGF1-SHA-256
/// accepting any salt length (§8.1.2, EMSA-PSS-VERIFY §9.1.2), both over a message's SHA-256 — so a verifier given
/// only an artifact's digest checks the same signatures as one given its bytes.
///
/// Why our own: swift-crypto's PSS verifier fixes the salt at the hash's length, while Go's `rsa.SignPSS` (sigstore,
/// cosign) and Python's `PSS.MAX_LENGTH` default to the longest salt the key allows; and its verifiers take a message
/// or its own digest type, never a digest from elsewhere. The salt length carries no security (the hash comparison
/// does): RFC 8017 lets the verifier recover it, as OpenSSL's `RSA_PSS_SALTLEN_AUTO` does. PKCS#1 v1.5 is checked by
/// encoding the expected block and comparing it whole — never by parsing the signature's block, which is where
/// Bleichenbacher-style forgeries live.
///
/// Only the public operation is computed (`s^e mod n` on public values, so timing reveals nothing secret).
enum RSAVerification {
    static let hashLength = 32
    /// DER of DigestInfo's AlgorithmIdentifier for SHA-256 with its OCTET STRING header (RFC 8017 §9.2 note 1).
    static let sha256DigestInfoPrefix: [UInt8] = [
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
        0x20,
    ]

    /// Whether `signature` is a PKCS#1 v1.5 or PSS signature over the message whose SHA-256 is `digest`.
    static func verify(_ signature: [UInt8], digest: [UInt8], modulus: Data, exponent: Data) -> Bool {
        let n = BigUInt(modulus)
        // BigUInt's `bitWidth` is the number of significant bits, not its storage's.
        let modBits = n.bitWidth
        let k = (modBits + 7) / 8
        // §8.x.2 step 1: the signature is exactly k octets and, as an integer, less than the modulus.
        guard digest.count == hashLength, signature.count == k, n > 0 else { return false }
        let s = BigUInt(Data(signature))
        guard s < n else { return false }
        let m = [UInt8](s.power(BigUInt(exponent), modulus: n).serialize())
        guard m.count <= k else { return false }
        if pkcs1(m, k: k, digest: digest) { return true }
        // EMSA-PSS works on emLen = ⌈(modBits − 1)/8⌉ octets; when modBits − 1 is a multiple of 8 the k-octet form's
        // leading octet is zero.
        let emBits = modBits - 1
        let emLength = (emBits + 7) / 8
        guard m.count <= emLength else { return false }
        return pss([UInt8](repeating: 0, count: emLength - m.count) + m, emBits: emBits, digest: digest)
    }

    /// EMSA-PKCS1-v1_5: 0x00 0x01 0xFF… 0x00 DigestInfo(SHA-256, digest), k octets, compared whole.
    static func pkcs1(_ m: [UInt8], k: Int, digest: [UInt8]) -> Bool {
        let t = sha256DigestInfoPrefix + digest
        guard k >= t.count + 11 else { return false }
        let expected = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: k - t.count - 3) + [0x00] + t
        let em = [UInt8](repeating: 0, count: k - m.count) + m
        return em == expected
    }

    /// EMSA-PSS-VERIFY with the salt length recovered from the encoding.
    static func pss(_ em: [UInt8], emBits: Int, digest messageHash: [UInt8]) -> Bool {
        let h = hashLength
        guard em.count >= h + 2, em.last == 0xBC else { return false }
        let dbLength = em.count - h - 1
        let maskedDB = em[0..<dbLength]
        let hashed = Array(em[dbLength..<(dbLength + h)])
        let unusedBits = 8 * em.count - emBits
        let topMask: UInt8 = unusedBits == 0 ? 0xFF : UInt8(0xFF >> unusedBits)
        guard maskedDB.first.map({ $0 & ~topMask == 0 }) ?? false else { return false }
        var db = zip(maskedDB, mgf1(seed: hashed, length: dbLength)).map { $0 ^ $1 }
        db[0] &= topMask
        // DB = PS (zero octets) ‖ 0x01 ‖ salt.
        guard let one = db.firstIndex(where: { $0 != 0 }), db[one] == 0x01 else { return false }
        let mPrime = [UInt8](repeating: 0, count: 8) + messageHash + db[(one + 1)...]
        return [UInt8](SHA256.hash(data: mPrime)) == hashed
    }

    /// MGF1 with SHA-256 (RFC 8017 §B.2.1).
    static func mgf1(seed: [UInt8], length: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length + hashLength)
        var counter: UInt32 = 0
        while out.count < length {
            let c = [
                UInt8(counter >> 24), UInt8((counter >> 16) & 0xFF), UInt8((counter >> 8) & 0xFF),
                UInt8(counter & 0xFF),
            ]
            out += SHA256.hash(data: seed + c)
            counter += 1
        }
        return Array(out.prefix(length))
    }
}
