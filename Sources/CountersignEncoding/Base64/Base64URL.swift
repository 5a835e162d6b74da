public import Foundation

/// Base64url without padding (RFC 4648 §5), as JOSE writes it (RFC 7515 §2): the three parts of a JWT, PKCE's
/// challenge, token secrets. Decoding is strict — the URL-safe alphabet only, no padding, no whitespace, no leftover
/// bits — so one token has one spelling and a tampered one is refused rather than read another way.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The bytes `text` encodes, or `nil` when it is not strict base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var bits: UInt32 = 0
        var count = 0
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        for c in text.utf8 {
            let value: UInt32
            switch c {
            case 0x41...0x5A: value = UInt32(c - 0x41)
            case 0x61...0x7A: value = UInt32(c - 0x61 + 26)
            case 0x30...0x39: value = UInt32(c - 0x30 + 52)
            case 0x2D: value = 62
            case 0x5F: value = 63
            default: return nil
            }
            bits = bits << 6 | value
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        // One character left over encodes no byte; leftover bits must be zero (a canonical encoding).
        guard count < 6, bits & ((1 << UInt32(count)) - 1) == 0 else { return nil }
        return out
    }
}
