extension Value {
    /// CEL ordering: `-1`, `0` or `1`, or `nil` when the two values are not ordered with respect to each other
    /// (different non-numeric types, unordered types, or NaN).
    ///
    /// Numbers of different types compare on one number line (`1 < 1.5`, `-1 < 0u`). Strings order by code point
    /// (equivalently, by UTF-8 bytes), bytes lexicographically, `false < true`.
    public func compare(_ other: Value) -> Int? {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.uint(let a), .uint(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.double(let a), .double(let b)):
            if a.isNaN || b.isNaN { return nil }
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.int, .uint), (.uint, .int), (.int, .double), (.double, .int), (.uint, .double), (.double, .uint):
            return Value.compareNumbers(self, other)
        case (.string(let a), .string(let b)):
            if a.utf8Equals(b) { return 0 }
            return a.utf8Precedes(b) ? -1 : 1
        case (.bytes(let a), .bytes(let b)):
            if a == b { return 0 }
            return a.lexicographicallyPrecedes(b) ? -1 : 1
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        case (.timestamp(let a), .timestamp(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.duration(let a), .duration(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.object(let a), .object(let b)):
            guard a.celType.runtimeName == b.celType.runtimeName else { return nil }
            return a.compare(to: b)
        default: return nil
        }
    }

    /// Exact comparison of two numeric values of any numeric types; `nil` if either is NaN or not a number.
    static func compareNumbers(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.uint(let x), .uint(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.int(let x), .uint(let y)):
            if x < 0 { return -1 }
            let ux = UInt64(x)
            return ux < y ? -1 : (ux > y ? 1 : 0)
        case (.uint, .int): return compareNumbers(b, a).map { -$0 }
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.int(let x), .double(let y)): return compareIntDouble(x, y)
        case (.double(let x), .int(let y)): return compareIntDouble(y, x).map { -$0 }
        case (.uint(let x), .double(let y)): return compareUIntDouble(x, y)
        case (.double(let x), .uint(let y)): return compareUIntDouble(y, x).map { -$0 }
        default: return nil
        }
    }

    /// Compares an integer with a double as CEL does: the integer converted to double (so the comparison is lossy
    /// beyond 2^53, exactly like cel-go and cel-cpp), with doubles outside the int64 range ordered first.
    private static func compareIntDouble(_ x: Int64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        let d = Double(x)
        return d < y ? -1 : (d > y ? 1 : 0)
    }

    private static func compareUIntDouble(_ x: UInt64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        let d = Double(x)
        return d < y ? -1 : (d > y ? 1 : 0)
    }
}
