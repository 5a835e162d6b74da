internal import Foundation

/// Base64 as the formats use it: DSSE says verifiers MUST accept both the standard and the URL-safe alphabet,
/// with or without padding; cosign writes standard base64. Anything else (stray characters, bad length) is an
/// error that names the field, never a silently shorter result.
enum Base64 {
    /// Decodes over the UTF-8 bytes in one pass (line breaks skipped, either alphabet, padding optional): every
    /// signature, certificate and log entry goes through here, and building a string to hand Foundation cost a
    /// fifth of a keyless bundle verification.
    static func decode(_ text: String, what: String) throws(SupplyChainError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var characters = 0
        var padding = 0
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: throw SupplyChainError(.malformedDocument, "\(what) is not valid base64")
            }
            // Nothing follows padding.
            guard padding == 0 else { throw SupplyChainError(.malformedDocument, "\(what) is not valid base64") }
            characters += 1
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Unpadded, a length of 4n+1 characters is no encoding at all: text cut short, not a different value.
        if padding == 0, characters % 4 == 1 {
            throw SupplyChainError(.malformedDocument, "\(what) is truncated base64 (\(characters) characters)")
        }
        // Padded, the whole must come to a multiple of four, with at most two padding characters.
        if padding > 0, padding > 2 || (characters + padding) % 4 != 0 {
            throw SupplyChainError(.malformedDocument, "\(what) is not valid base64")
        }
        return out
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String { Data(bytes).base64EncodedString() }
}
