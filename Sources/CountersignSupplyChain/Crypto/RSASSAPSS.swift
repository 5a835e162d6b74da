internal import BigInt
internal import Crypto
internal import Foundation

/// RSASSA-PSS verification (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2) with SHA-256 and MGF1-SHA-256, accepting any
/// salt length the encoding admits. swift-crypto's PSS verifier fixes the salt at the hash's length; Go's
/// `rsa.SignPSS` (sigstore, cosign) and Python's `PSS.MAX_LENGTH` default to the longest salt the key allows, so
/// a verifier that insists on one length refuses the signatures teams have. The salt length carries no security
/// (the hash comparison does): RFC 8017 lets the verifier recover it, as OpenSSL's `RSA_PSS_SALTLEN_AUTO` does.
///
/// Only the public operation is computed here (`s^e mod n` on public values, so timing reveals nothing secret).
enum RSASSAPSS {
    static let hashLength = 32

    /// Whether `signature` is a PSS signature over `message` under the key (`modulus`, `exponent`).
    static func verify(_ signature: [UInt8], over message: some DataProtocol, modulus: Data, exponent: Data) -> Bool {
        let n = BigUInt(modulus)
        let e = BigUInt(exponent)
        let modBits = bitLength(n)
        let k = (modBits + 7) / 8
        // §8.1.2 step 1: the signature is exactly k octets and, as an integer, less than the modulus.
        guard signature.count == k, n > 0 else { return false }
        let s = BigUInt(Data(signature))
        guard s < n else { return false }
        let m = s.power(e, modulus: n)
        let emBits = modBits - 1
        let emLength = (emBits + 7) / 8
        // I2OSP(m, emLen): m must fit; when emBits is a multiple of 8 the leading octet of the k-octet form is 0.
        let raw = [UInt8](m.serialize())
        guard raw.count <= emLength else { return false }
        let em = [UInt8](repeating: 0, count: emLength - raw.count) + raw
        return decode(em, emBits: emBits, messageHash: [UInt8](SHA256.hash(data: Data(message))))
    }

    /// The number of significant bits (BigUInt's `bitWidth` is the minimal width, not its storage's).
    static func bitLength(_ n: BigUInt) -> Int { n.bitWidth }

    /// EMSA-PSS-VERIFY with the salt length recovered from the encoding.
    static func decode(_ em: [UInt8], emBits: Int, messageHash: [UInt8]) -> Bool {
        let h = hashLength
        guard em.count >= h + 2, em.last == 0xBC else { return false }
        let dbLength = em.count - h - 1
        let maskedDB = em[0..<dbLength]
        let digest = Array(em[dbLength..<(dbLength + h)])
        let unusedBits = 8 * em.count - emBits
        let topMask: UInt8 = unusedBits == 0 ? 0xFF : UInt8(0xFF >> unusedBits)
        guard maskedDB.first.map({ $0 & ~topMask == 0 }) ?? false else { return false }
        var db = zip(maskedDB, mgf1(seed: digest, length: dbLength)).map { $0 ^ $1 }
        db[0] &= topMask
        // DB = PS (zero octets) ‖ 0x01 ‖ salt.
        guard let one = db.firstIndex(where: { $0 != 0 }), db[one] == 0x01 else { return false }
        let salt = db[(one + 1)...]
        let mPrime = [UInt8](repeating: 0, count: 8) + messageHash + salt
        let expected = [UInt8](SHA256.hash(data: mPrime))
        // Constant-time comparison is not needed (everything is public), but costs nothing.
        return expected.count == digest.count && zip(expected, digest).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
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
