/// A JSON value as Countersign reads, stores and writes it: numbers are IEEE 754 doubles (as in JavaScript, I-JSON
/// and RFC 8785), objects keep their members in the order given.
///
/// Every JSON document that enters Countersign becomes one of these through one reader (``init(parsing:limits:)``),
/// and every one that leaves is written by one of two writers: ``canonicalBytes`` (RFC 8785, what the ledger hashes
/// and the API answers) or ``prettyString`` (for people). Codable types convert to and from it directly, without
/// text in between (``JSONValueEncoder``, ``JSONValueDecoder``).
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in the order given; the canonical writer sorts them. The reader never produces two members with
    /// the same key.
    case object([(String, JSONValue)])

    /// Equality is equality of the canonical form: member order and `1` versus `1.0` do not matter.
    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.canonicalBytes == b.canonicalBytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalBytes) }

    /// The member `key` of an object (`nil` for anything else, or when there is none).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The number as an integer when it is one exactly and within ±2^53 (where a double still counts every
    /// integer); otherwise nil. JSON numbers from outside become integers only through this: `Int(1e300)` traps.
    public var integerValue: Int? {
        guard case .number(let n) = self, n == n.rounded(.towardZero), n.magnitude <= JSONValue.maxExactInteger else {
            return nil
        }
        return Int(n)
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members of an object, in order.
    public var objectMembers: [(String, JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type's name with its article, for messages: "a string", "an object".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// 2^53: every integer up to it in magnitude is a double exactly.
    public static let maxExactInteger: Double = 9_007_199_254_740_992

    /// An object from a dictionary (a dictionary literal reads best where members are built by hand); members in
    /// key order, as the canonical form writes them anyway.
    public static func object(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The object's members by key (nil for anything else). The reader never produces duplicate keys; for a value
    /// built by hand with duplicates, the last one wins, as ``subscript(_:)`` reads it.
    public var objectDictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members, uniquingKeysWith: { _, last in last })
    }

    /// The object with `members` replacing any of the same name, added at the end (a non-object becomes the
    /// object of `members`).
    public func merging(_ members: [(String, JSONValue)]) -> JSONValue {
        guard case .object(var existing) = self else { return .object(members) }
        let names = Set(members.map(\.0))
        existing.removeAll { names.contains($0.0) }
        return .object(existing + members)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: CustomStringConvertible {
    /// The canonical text.
    public var description: String { canonicalString }
}

/// Any Codable format can carry a JSON value (YAML configuration holds provider queries verbatim, for one);
/// ``JSONValueEncoder`` and ``JSONValueDecoder`` pass it through without this.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? container.decode(Double.self) {
            self = .number(n)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            let keyed = try decoder.container(keyedBy: AnyKey.self)
            self = .object(try keyed.allKeys.map { ($0.stringValue, try keyed.decode(JSONValue.self, forKey: $0)) })
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let members):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in members { try c.encode(value, forKey: AnyKey(key)) }
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
