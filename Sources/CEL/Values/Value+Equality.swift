extension Value {
    /// CEL's runtime equality: heterogeneous, never an error.
    ///
    /// Values of different types are unequal, except numbers, which compare on one number line (`1 == 1u == 1.0`).
    /// NaN equals nothing. Strings compare by code points (no Unicode normalization, unlike Swift's `==`).
    /// Lists compare element-wise, maps by key set and values (with cross-type numeric keys).
    public func celEquals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8Equals(b)
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.uint(let a), .uint(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int, .uint), (.uint, .int), (.int, .double), (.double, .int), (.uint, .double), (.double, .uint):
            return Value.compareNumbers(self, other) == 0
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for i in 0..<a.count where !a[i].celEquals(b[i]) { return false }
            return true
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (k, v) in a.entries {
                guard let w = b[k], v.celEquals(w) else { return false }
            }
            return true
        case (.timestamp(let a), .timestamp(let b)): return a == b
        case (.duration(let a), .duration(let b)): return a == b
        case (.type(let a), .type(let b)): return a.sameRuntimeType(as: b)
        case (.optional(let a), .optional(let b)):
            switch (a, b) {
            case (nil, nil): return true
            case (let x?, let y?): return x.celEquals(y)
            default: return false
            }
        case (.object(let a), .object(let b)):
            return a.celType.runtimeName == b.celType.runtimeName && a.isEqual(to: b)
        default: return false
        }
    }
}
