extension Library {
    /// CEL optional values: `optional.of`, `optional.ofNonZeroValue`, `optional.none`, `hasValue`, `value`, and
    /// the signatures of `or`/`orValue` (which the interpreter evaluates lazily). Optional selection `a.?b` and
    /// indexing `a[?k]` are part of the language core.
    public static let optionals = Library(
        "optionals",
        functions: [
            Function(
                "optional.of", [Overload("optional_of", [a], .optional(a)) { (v) throws(EvalError) in .optional(v) }]),
            Function(
                "optional.ofNonZeroValue",
                [
                    Overload("optional_ofNonZeroValue", [a], .optional(a)) { (v) throws(EvalError) in
                        .optional(v.isZeroValue ? nil : v)
                    }
                ]),
            Function(
                "optional.none",
                [Overload("optional_none", [], .optional(a), .nullary({ () throws(EvalError) in .optional(nil) }))]),
            Function(
                "hasValue",
                [
                    Overload("optional_hasValue", member: true, [.optional(a)], .bool) { (v) throws(EvalError) in
                        guard case .optional(let inner) = v else { throw EvalError.noOverload("hasValue", [v]) }
                        return .bool(inner != nil)
                    }
                ]),
            Function(
                "value",
                [
                    Overload("optional_value", member: true, [.optional(a)], a) { (v) throws(EvalError) in
                        guard case .optional(let inner) = v else { throw EvalError.noOverload("value", [v]) }
                        guard let inner else { throw EvalError(.invalidArgument, "optional.none() dereference") }
                        return inner
                    }
                ]),
            Function(
                "or",
                [
                    Overload("optional_or_optional", member: true, [.optional(a), .optional(a)], .optional(a)) {
                        (x, y) throws(EvalError) in
                        if case .optional(.some) = x { return x }
                        return y
                    }
                ]),
            Function(
                "orValue",
                [
                    Overload("optional_orValue_value", member: true, [.optional(a), a], a) { (x, y) throws(EvalError) in
                        if case .optional(let inner?) = x { return inner }
                        return y
                    }
                ]),
        ],
        types: ["optional_type": .optional(.dyn)])

    private static let a = CELType.typeParam("A")
}

extension Value {
    /// The zero value of the type: `0`, `0u`, `0.0`, `''`, `b''`, `false`, `null`, empty list/map, zero
    /// duration and the Unix epoch; `optional.ofNonZeroValue` treats these as absent.
    var isZeroValue: Bool {
        switch self {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .uint(let u): return u == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .bytes(let b): return b.isEmpty
        case .list(let l): return l.isEmpty
        case .map(let m): return m.isEmpty
        case .duration(let d): return d.nanoseconds == 0
        case .timestamp(let t): return t.seconds == 0 && t.nanos == 0
        case .optional(let v): return v == nil
        case .type, .object: return false
        }
    }
}
