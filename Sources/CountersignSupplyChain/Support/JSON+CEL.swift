internal import CEL

extension JSON {
    /// The document as a CEL value, for `condition` expressions over a predicate: integers that fit become `int`,
    /// other numbers `double`.
    var celValue: Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n):
            if let i = Int64(n) { return .int(i) }
            return .double(Double(n) ?? .nan)
        case .string(let s): return .string(s)
        case .array(let items): return .list(items.map(\.celValue))
        case .object(let fields):
            var map = MapValue()
            for (k, v) in fields { map.set(MapKey(.string(k))!, v.celValue) }
            return .map(map)
        }
    }
}
