public import Foundation

/// Decodes `Decodable` values straight from a ``JSONValue``, or from bytes through the one strict reader.
///
/// The conventions mirror ``JSONValueEncoder``: coding keys as they are, dates in RFC 3339 (any offset, up to nine
/// fraction digits), `Data` from base64, URLs from their text. An integer field takes only a number that is that
/// integer exactly (`2.5` or `1e300` in an `Int` field is an error, not a truncation). Members the type does not
/// know are ignored, as every JSON API does; a failure names the field: `'change.approvals[1].at': …`.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONError) -> T {
        if let json = value as? T { return json }
        do {
            return try T(from: DecoderState(value: value, codingPath: []))
        } catch let error as JSONError {
            throw error
        } catch let error as DecodingError {
            throw JSONError(.invalidValue, JSONValueDecoder.describe(error))
        } catch {
            throw JSONError(.invalidValue, "\(error)")
        }
    }

    /// Reads `bytes` with ``JSONValue/init(parsing:limits:)-([UInt8],_)`` and decodes the value.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], limits: JSONLimits = .default)
        throws(JSONError) -> T
    {
        try decode(type, from: try JSONValue(parsing: bytes, limits: limits))
    }

    /// A decoding failure as one readable line: where in the document and what was wrong.
    public static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(DecodingPath.text(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let found = context.debugDescription.isEmpty ? "" : " (\(context.debugDescription))"
            return "'\(DecodingPath.text(context.codingPath))': expected \(type)\(found)"
        case .dataCorrupted(let context):
            return "'\(DecodingPath.text(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

private struct DecoderState: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self) }
        var byKey: [String: JSONValue] = [:]
        byKey.reserveCapacity(members.count)
        for (key, member) in members { byKey[key] = member }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: byKey, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self) }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(state: self) }

    func mismatch(_ type: Any.Type) -> DecodingError {
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "found null"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found \(value.typeName)"))
    }

    func corrupted(_ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: message))
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self) }
        return b
    }

    func string() throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self) }
        return s
    }

    func double() throws -> Double {
        guard case .number(let d) = value else { throw mismatch(Double.self) }
        return d
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let d) = value else { throw mismatch(type) }
        guard d == d.rounded(.towardZero), d.magnitude <= JSONValue.maxExactInteger, let i = T(exactly: d) else {
            throw corrupted("\(JSONValue.ecmaScriptNumber(d)) is not a whole number a \(type) holds")
        }
        return i
    }

    /// Values with a fixed JSON form, then everything else through its own `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == Date.self {
            let text = try string()
            guard let date = RFC3339.date(text) else { throw corrupted("invalid RFC 3339 time '\(text.prefix(60))'") }
            return date as! T
        }
        if T.self == Data.self {
            guard let data = Data(base64Encoded: try string()) else { throw corrupted("invalid base64") }
            return data as! T
        }
        if T.self == URL.self {
            let text = try string()
            guard let url = URL(string: text) else { throw corrupted("invalid URL '\(text.prefix(60))'") }
            return url as! T
        }
        return try T(from: self)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func child(_ key: Key) throws -> DecoderState {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: ""))
        }
        return DecoderState(value: value, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).value.isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).double() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try child(key).double()) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).integer(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).integer(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        DecoderState(value: members["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    mutating func next() throws -> DecoderState {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self,
                .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array has ended"))
        }
        defer { currentIndex += 1 }
        return DecoderState(value: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().bool() }
    mutating func decode(_ type: String.Type) throws -> String { try next().string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().double() }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try next().double()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().integer(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let state: DecoderState
    var codingPath: [any CodingKey] { state.codingPath }

    func decodeNil() -> Bool { state.value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try state.bool() }
    func decode(_ type: String.Type) throws -> String { try state.string() }
    func decode(_ type: Double.Type) throws -> Double { try state.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try state.double()) }
    func decode(_ type: Int.Type) throws -> Int { try state.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try state.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try state.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try state.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try state.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try state.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try state.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try state.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try state.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try state.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try state.decodeValue(type) }
}
