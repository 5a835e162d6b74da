/// A map key: CEL allows only `int`, `uint`, `bool` and `string` keys.
///
/// Numeric keys compare on one number line, so `{1u: 'a'}[1]` finds the entry — the cross-type key lookup the
/// language requires. The original key value is kept for iteration and printing.
public struct MapKey: Hashable, Sendable {
    /// The key as it was written.
    public let value: Value

    /// Creates a key, or returns `nil` when `value` is not of a valid key type.
    public init?(_ value: Value) {
        switch value {
        case .int, .uint, .bool, .string: self.value = value
        default: return nil
        }
    }

    /// Lookup form of a value: a `double` with an exact integer value finds the numeric key it equals.
    /// Returns `nil` when no key can equal `value`.
    public static func lookup(_ value: Value) -> MapKey? {
        if case .double(let d) = value {
            if let i = Int64(exactly: d) { return MapKey(.int(i)) }
            if let u = UInt64(exactly: d) { return MapKey(.uint(u)) }
            return nil
        }
        return MapKey(value)
    }

    public static func == (lhs: MapKey, rhs: MapKey) -> Bool {
        switch (lhs.value, rhs.value) {
        case (.string(let a), .string(let b)): return a.utf8Equals(b)
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.bool(let a), .bool(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch value {
        case .string(let s): hasher.combine(s)
        case .int(let i):
            if i >= 0 { hasher.combine(UInt64(i)) } else { hasher.combine(i) }
        case .uint(let u): hasher.combine(u)
        case .bool(let b): hasher.combine(b)
        default: break
        }
    }
}
