public import Foundation

/// Decodes `Decodable` values straight from a ``JSONValue``, or from bytes through the one strict reader.
///
/// The conventions mirror ``JSONValueEncoder``: coding keys as they are, dates in RFC 3339 (any offset, up to nine
/// fraction digits), `Data` from base64, URLs from their text. An integer field takes only a number that is that
/// integer exactly (`2.5` or `1e300` in an `Int` field is an error, not a truncation). Members the type does not
/// know are ignored, as every JSON API does; a failure names the field: `'change.approvals[1].at': …`.
public struct JSONValueDecoder: Sendable {
    /// What a failure calls the document (`payload`: `payload.change.kind is missing`); empty, the path alone.
    public var root: String

    public init(root: String = "") { self.root = root }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONError) -> T {
        if let json = value as? T { return json }
        do {
            return try T(from: DecoderState(value: value, codingPath: []))
        } catch let error as JSONError {
            throw error
        } catch let error as DecodingError {
            throw JSONError(.invalidValue, JSONValueDecoder.describe(error, root: root))
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

    /// A decoding failure as one readable line: which field and what it must be (`change.kind is missing`,
    /// `verdict must be one of allowed, pending, denied`). `root` names the document (`payload`), so paths read
    /// `payload.change.kind`.
    public static func describe(_ error: DecodingError, root: String = "") -> String {
        func name(_ path: [any CodingKey]) -> String {
            let text = DecodingPath.text(path)
            if root.isEmpty { return text.isEmpty ? "the document" : text }
            if text.isEmpty { return root }
            return text.hasPrefix("[") ? root + text : root + "." + text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(name(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let found = context.debugDescription.isEmpty ? "" : " (\(context.debugDescription))"
            return "\(name(context.codingPath)) must be \(expected(type))\(found)"
        case .dataCorrupted(let context):
            // This decoder's own messages say what the field must be; a type's own init(from:) may say anything.
            let what = context.debugDescription
            return what.hasPrefix("must ")
                ? "\(name(context.codingPath)) \(what)" : "\(name(context.codingPath)): \(what)"
        @unknown default:
            return "\(error)"
        }
    }

    /// What a field of `type` holds, in JSON's words.
    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is any FixedWidthInteger.Type: "an integer"
        case is [JSONValue].Type: "an array"
        case is [String: JSONValue].Type: "an object"
        default: "\(type)"
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

    private static func names<E: CaseIterable & RawRepresentable<String>>(_ type: E.Type) -> String {
        E.allCases.map(\.rawValue).joined(separator: ", ")
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
            throw corrupted("must be a whole number a \(type) holds (found \(JSONValue.ecmaScriptNumber(d)))")
        }
        return i
    }

    /// Values with a fixed JSON form, then everything else through its own `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == Date.self {
            let text = try string()
            guard let date = RFC3339.date(text) else {
                throw corrupted("must be an RFC 3339 time (found '\(text.prefix(60))')")
            }
            return date as! T
        }
        if T.self == Data.self {
            guard let data = Data(base64Encoded: try string()) else { throw corrupted("must be base64") }
            return data as! T
        }
        if T.self == URL.self {
            let text = try string()
            guard let url = URL(string: text) else { throw corrupted("must be a URL (found '\(text.prefix(60))')") }
            return url as! T
        }
        // An enumeration of strings names what it accepts (Swift's own message names only the type).
        if let cases = T.self as? any (CaseIterable & RawRepresentable<String>).Type, case .string(let text) = value {
            do { return try T(from: self) } catch DecodingError.dataCorrupted {
                throw corrupted("must be one of \(Self.names(cases)) (found '\(text.prefix(60))')")
            }
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
