public import Foundation

/// Encodes `Encodable` values straight into a ``JSONValue``, without writing text and reading it back.
///
/// Conventions, the same for every value Countersign writes (docs/policy.md): keys as the type's coding keys
/// (camelCase), dates as RFC 3339 in UTC with the fraction they have, `Data` as base64, URLs as their text. A
/// NaN or infinite number cannot be written in JSON and is an error naming where it was.
public struct JSONValueEncoder: Sendable {
    /// What to write for a NaN or infinite number, which JSON has no spelling for.
    public enum NonFiniteNumbers: Sendable {
        /// Refuse the value with an error naming the field: the default, for anything stored or signed.
        case refuse
        /// Write `null`, as Kayenta does for statistics of empty series.
        case null
        /// Write the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, so a reader can tell which it was.
        case strings
    }

    public var nonFiniteNumbers: NonFiniteNumbers

    public init(nonFiniteNumbers: NonFiniteNumbers = .refuse) { self.nonFiniteNumbers = nonFiniteNumbers }

    public func encode(_ value: some Encodable) throws(JSONError) -> JSONValue {
        if let json = value as? JSONValue { return json }
        let root = EncodingSlot()
        do {
            try EncoderState(slot: root, codingPath: [], nonFinite: nonFiniteNumbers).encodeValue(value)
        } catch let error as JSONError {
            throw error
        } catch {
            throw JSONError(.invalidValue, "cannot encode \(type(of: value)): \(error)")
        }
        return root.value
    }
}

/// A value under construction: containers hold slots so nested containers can fill them in any order.
private final class EncodingSlot {
    enum Content {
        case empty
        case value(JSONValue)
        case object([(String, EncodingSlot)])
        case array([EncodingSlot])
    }
    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: .object([])
        case .value(let v): v
        case .object(let members): .object(members.map { ($0.0, $0.1.value) })
        case .array(let items): .array(items.map(\.value))
        }
    }

    func objectMember(_ key: String) -> EncodingSlot {
        if case .empty = content { content = .object([]) }
        guard case .object(var members) = content else {
            let slot = EncodingSlot()
            content = .object([(key, slot)])
            return slot
        }
        if let existing = members.first(where: { $0.0 == key }) { return existing.1 }
        let slot = EncodingSlot()
        members.append((key, slot))
        content = .object(members)
        return slot
    }

    func appendItem() -> EncodingSlot {
        if case .empty = content { content = .array([]) }
        guard case .array(var items) = content else {
            let slot = EncodingSlot()
            content = .array([slot])
            return slot
        }
        let slot = EncodingSlot()
        items.append(slot)
        content = .array(items)
        return slot
    }
}

private struct EncoderState: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    let nonFinite: JSONValueEncoder.NonFiniteNumbers
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = slot.content { slot.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(slot: slot, codingPath: codingPath, nonFinite: nonFinite))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = slot.content { slot.content = .array([]) }
        return UnkeyedContainer(slot: slot, codingPath: codingPath, nonFinite: nonFinite)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(state: self) }

    func set(_ value: JSONValue) { slot.content = .value(value) }

    func number(_ d: Double) throws -> JSONValue {
        guard d.isFinite else {
            switch nonFinite {
            case .null: return .null
            case .strings: return .string(d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity")
            case .refuse: break
            }
            throw JSONError(.notRepresentable, "'\(DecodingPath.text(codingPath))' is \(d), which JSON cannot hold")
        }
        return .number(d)
    }

    /// An integer as a JSON number, when a double holds it exactly (|v| ≤ 2^53); beyond, readers would round it.
    func integer(_ v: some BinaryInteger) throws -> JSONValue {
        guard v.magnitude <= (9_007_199_254_740_992 as UInt64) else {
            throw JSONError(
                .notRepresentable, "'\(DecodingPath.text(codingPath))' is \(v), beyond what a JSON number holds exactly"
            )
        }
        return .number(Double(v))
    }

    /// Values with a fixed JSON form, then everything else through its own `encode(to:)`.
    func encodeValue(_ value: some Encodable) throws {
        switch value {
        case let json as JSONValue: set(json)
        case let date as Date: set(.string(RFC3339.string(date)))
        case let data as Data: set(.string(data.base64EncodedString()))
        case let url as URL: set(.string(url.absoluteString))
        case let decimal as Decimal: set(try number(NSDecimalNumber(decimal: decimal).doubleValue))
        default: try value.encode(to: self)
        }
    }

    func child(_ slot: EncodingSlot, _ key: any CodingKey) -> EncoderState {
        EncoderState(slot: slot, codingPath: codingPath + [key], nonFinite: nonFinite)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    let nonFinite: JSONValueEncoder.NonFiniteNumbers

    func state(_ key: Key) -> EncoderState {
        EncoderState(slot: slot.objectMember(key.stringValue), codingPath: codingPath + [key], nonFinite: nonFinite)
    }

    mutating func encodeNil(forKey key: Key) throws { state(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { state(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { state(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.number(value))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.number(Double(value)))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        let s = state(key)
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws { try state(key).encodeValue(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        state(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        state(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { state(Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { state(key) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    let nonFinite: JSONValueEncoder.NonFiniteNumbers
    var count: Int {
        if case .array(let items) = slot.content { return items.count }
        return 0
    }

    func next() -> EncoderState {
        let index = count
        return EncoderState(slot: slot.appendItem(), codingPath: codingPath + [IndexKey(index)], nonFinite: nonFinite)
    }

    mutating func encodeNil() throws { next().set(.null) }
    mutating func encode(_ value: Bool) throws { next().set(.bool(value)) }
    mutating func encode(_ value: String) throws { next().set(.string(value)) }
    mutating func encode(_ value: Double) throws {
        let s = next()
        s.set(try s.number(value))
    }
    mutating func encode(_ value: Float) throws {
        let s = next()
        s.set(try s.number(Double(value)))
    }
    mutating func encode(_ value: Int) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int8) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int16) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int32) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: Int64) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt8) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt16) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt32) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: UInt64) throws {
        let s = next()
        s.set(try s.integer(value))
    }
    mutating func encode(_ value: some Encodable) throws { try next().encodeValue(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { next() }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let state: EncoderState
    var codingPath: [any CodingKey] { state.codingPath }

    mutating func encodeNil() throws { state.set(.null) }
    mutating func encode(_ value: Bool) throws { state.set(.bool(value)) }
    mutating func encode(_ value: String) throws { state.set(.string(value)) }
    mutating func encode(_ value: Double) throws { state.set(try state.number(value)) }
    mutating func encode(_ value: Float) throws { state.set(try state.number(Double(value))) }
    mutating func encode(_ value: Int) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: Int8) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: Int16) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: Int32) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: Int64) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: UInt) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: UInt8) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: UInt16) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: UInt32) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: UInt64) throws { state.set(try state.integer(value)) }
    mutating func encode(_ value: some Encodable) throws { try state.encodeValue(value) }
}

/// An array position as a coding key, for paths in messages.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// Coding paths as people read them: `change.approvals[2].at`.
public enum DecodingPath {
    public static func text(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue, key is IndexKey || key.stringValue == String(index) {
                out += "[\(index)]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out
    }
}
