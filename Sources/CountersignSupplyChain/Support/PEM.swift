/// PEM as keys and certificates come (RFC 7468): the first `-----BEGIN label-----` … `-----END label-----` block's
/// base64 body, decoded. One reader for every PEM the supply chain takes — policy keys, certificates in log entries —
/// searched as bytes, since this runs for every keyless bundle.
enum PEM {
    /// The first `label` block of `text`, decoded; nil when there is none. Whitespace inside the body is skipped.
    static func block(_ label: String, in text: String, what: String) throws(SupplyChainError) -> [UInt8]? {
        let bytes = Array(text.utf8)
        let begin = Array("-----BEGIN \(label)-----".utf8)
        let end = Array("-----END \(label)-----".utf8)
        guard let start = find(begin, in: bytes, from: 0), let stop = find(end, in: bytes, from: start + begin.count)
        else { return nil }
        let body = bytes[(start + begin.count)..<stop].filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 && $0 != 0x09 }
        guard !body.isEmpty else { throw SupplyChainError(.malformedDocument, "\(what): the PEM body is empty") }
        return try Base64.decode(String(decoding: body, as: UTF8.self), what: what)
    }

    /// The index where `needle` first occurs in `bytes` at or after `from`.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
        for i in from...(bytes.count - needle.count) where bytes[i] == needle[0] {
            if bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
