public import CountersignEncoding

extension JSONValue {
    /// Reads a signed or fetched document with the one strict reader (duplicate keys refused: two parsers reading
    /// different values from one signed payload is a known attack), its failure as this layer's error naming the
    /// document: "the DSSE envelope is not valid JSON: duplicate key 'payload' at byte 40".
    static func document(_ bytes: [UInt8], what: String, maxDepth: Int = 64) throws(SupplyChainError) -> JSONValue {
        do {
            return try JSONValue(parsing: bytes, limits: JSONLimits(maxBytes: .max, maxDepth: maxDepth))
        } catch {
            let at = error.offset.map { " at byte \($0)" } ?? ""
            throw SupplyChainError(.malformedDocument, "\(what) is not valid JSON: \(error.message)\(at)")
        }
    }
}
