public import Foundation

/// Base64 as the formats use it: DSSE says verifiers MUST accept both the standard and the URL-safe alphabet,
/// with or without padding; cosign writes standard base64. Anything else (stray characters, bad length) is an
/// error that names the field, never a silently shorter result.
enum Base64 {
    static func decode(_ text: String, what: String) throws(SupplyChainError) -> [UInt8] {
        var s = ""
        s.reserveCapacity(text.utf8.count + 3)
        for c in text.unicodeScalars {
            switch c {
            case "-": s.unicodeScalars.append("+")
            case "_": s.unicodeScalars.append("/")
            case "\n", "\r": continue
            default: s.unicodeScalars.append(c)
            }
        }
        // Unpadded, a length of 4n+1 characters is no encoding at all: text cut short, not a different value.
        if !s.contains("="), s.utf8.count % 4 == 1 {
            throw SupplyChainError(.malformedDocument, "\(what) is truncated base64 (\(s.utf8.count) characters)")
        }
        while s.utf8.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s) else {
            throw SupplyChainError(.malformedDocument, "\(what) is not valid base64")
        }
        return Array(data)
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String { Data(bytes).base64EncodedString() }
}
