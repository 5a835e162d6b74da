package import CountersignEncoding

/// Codable values to and from ledger payloads and request bodies, with the one JSON's conventions (RFC 3339
/// times; numbers a double holds exactly), its failures as control errors.
package enum PayloadCoding {
    package static func encode(_ value: some Encodable) throws(ControlError) -> JSONValue {
        do { return try JSONValueEncoder().encode(value) } catch {
            throw ControlError(.internal, "cannot encode a payload: \(error.message)")
        }
    }

    package static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(ControlError) -> T {
        do { return try JSONValueDecoder().decode(T.self, from: value) } catch {
            throw ControlError(.internal, "a stored payload does not decode as \(T.self): \(error.message)")
        }
    }

    /// Decodes a request body with the strict reader, naming the field that is wrong.
    package static func body<T: Decodable>(_ type: T.Type, from data: [UInt8]) throws(ControlError) -> T {
        do { return try JSONValueDecoder().decode(T.self, from: data) } catch {
            throw ControlError(.badRequest, "the request body is not valid: \(error.description)")
        }
    }
}
