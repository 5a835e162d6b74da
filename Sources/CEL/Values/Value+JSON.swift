public import CountersignEncoding

extension Value {
    /// Reads JSON with the one strict reader (duplicate keys, invalid UTF-8 and inexact numbers refused; see
    /// `JSONValue.init(parsing:limits:)`) and converts it with ``init(_:)``.
    public init(json text: String, limits: JSONLimits = .default) throws(JSONError) {
        self.init(try JSONValue(parsing: text, limits: limits))
    }

    /// A JSON value as a CEL value: objects become maps with string keys, arrays lists, strings, booleans and null
    /// themselves. A whole number within ±2^53 becomes `int` (so policy inputs like `{"approvals": 2}` compare with
    /// `2` naturally); every other number `double`. JSON has one number type, so `2` and `2.0` are the same value.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n):
            if let i = json.integerValue { self = .int(Int64(i)) } else { self = .double(n) }
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(Value.init))
        case .object(let members):
            var map = MapValue()
            for (key, value) in members { map.set(MapKey(.string(key))!, Value(value)) }
            self = .map(map)
        }
    }
}
