extension Node {
    /// `v.field`: a map key lookup, an object field, or — on an optional — an optional-chained selection.
    static func select(_ v: Value, _ field: String) throws(EvalError) -> Value {
        switch v {
        case .map(let m):
            guard let r = m[field] else { throw EvalError.noSuchKey(.string(field)) }
            return r
        case .object(let o):
            guard let r = o.field(field) else { throw EvalError.noSuchField(field) }
            return r
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            return try optionalSelect(inner, field)
        default:
            throw EvalError(.noSuchField, "type '\(v.typeName)' does not support field selection ('\(field)')")
        }
    }

    /// `has(v.field)`.
    static func presence(_ v: Value, _ field: String) throws(EvalError) -> Value {
        switch v {
        case .map(let m): return .bool(m[field] != nil)
        case .object(let o): return .bool(o.hasField(field))
        case .optional(let inner):
            guard let inner else { return .bool(false) }
            return try presence(inner, field)
        default:
            throw EvalError(.noSuchField, "invalid type for field presence test: '\(v.typeName)'")
        }
    }

    /// `v.?field`: `optional.of(v.field)` when present, `optional.none()` otherwise.
    static func optionalSelect(_ v: Value, _ field: String) throws(EvalError) -> Value {
        switch v {
        case .map(let m): return .optional(m[field])
        case .object(let o): return .optional(o.hasField(field) ? o.field(field) : nil)
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            return try optionalSelect(inner, field)
        default:
            throw EvalError(.noSuchField, "type '\(v.typeName)' does not support field selection ('\(field)')")
        }
    }

    /// `c[k]` on lists (int, uint or integral double index) and maps (with cross-type numeric keys).
    static func index(_ c: Value, _ k: Value) throws(EvalError) -> Value {
        switch c {
        case .list(let list):
            let i = try listIndex(k)
            guard i >= 0 && i < list.count else {
                throw EvalError(.outOfRange, "index out of bounds: \(i), list size \(list.count)")
            }
            return list[i]
        case .map(let m):
            guard let key = MapKey.lookup(k) else {
                if k.isNumber { throw EvalError.noSuchKey(k) }
                throw EvalError(.invalidArgument, "unsupported key type: \(k.typeName)")
            }
            guard let v = m[key] else { throw EvalError.noSuchKey(k) }
            return v
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            return try optionalIndex(inner, k)
        default:
            throw EvalError.noOverload("_[_]", [c, k])
        }
    }

    /// `c[?k]`.
    static func optionalIndex(_ c: Value, _ k: Value) throws(EvalError) -> Value {
        switch c {
        case .list(let list):
            let i = try listIndex(k)
            return .optional(i >= 0 && i < list.count ? list[i] : nil)
        case .map(let m):
            guard let key = MapKey.lookup(k) else {
                if k.isNumber { return .optional(nil) }
                throw EvalError(.invalidArgument, "unsupported key type: \(k.typeName)")
            }
            return .optional(m[key])
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            return try optionalIndex(inner, k)
        default:
            throw EvalError.noOverload("_[?_]", [c, k])
        }
    }

    private static func listIndex(_ k: Value) throws(EvalError) -> Int {
        switch k {
        case .int(let i):
            guard let r = Int(exactly: i) else { break }
            return r
        case .uint(let u):
            return Int(exactly: u) ?? Int.max
        case .double(let d):
            guard let i = Int(exactly: d) else {
                throw EvalError(.invalidArgument, "invalid list index: \(Value.formatDouble(d))")
            }
            return i
        default:
            break
        }
        throw EvalError(.noMatchingOverload, "no matching overload for '_[_]' applied to (list, \(k.typeName))")
    }

    /// `cel.@mapInsert(map, key, value)` and `cel.@mapInsert(map, entries)`, used by `transformMap`.
    static func mapInsert(_ args: [Value]) throws(EvalError) -> Value {
        guard case .map(var m) = args.first else { throw EvalError.noOverload("cel.@mapInsert", args) }
        if args.count == 3 {
            guard let key = MapKey(args[1]) else {
                throw EvalError(.invalidArgument, "unsupported key type: \(args[1].typeName)")
            }
            guard m.insert(key, args[2]) else {
                throw EvalError(.invalidArgument, "insert failed: key \(args[1]) already exists")
            }
            return .map(m)
        }
        if args.count == 2, case .map(let entries) = args[1] {
            for (k, v) in entries.entries {
                guard m.insert(k, v) else {
                    throw EvalError(.invalidArgument, "insert failed: key \(k.value) already exists")
                }
            }
            return .map(m)
        }
        throw EvalError.noOverload("cel.@mapInsert", args)
    }
}
