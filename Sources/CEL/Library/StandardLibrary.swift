extension Library {
    /// The CEL standard environment: operators, `size`, string predicates, conversions and type functions, with
    /// cel-go's overload ids and signatures (including the cross-type numeric comparisons).
    ///
    /// The interpreter evaluates the operators through dedicated fast paths; the overloads here give the checker
    /// their signatures and serve as the fallback implementation.
    public static let standard = Library(
        "standard",
        functions: StandardLibrary.operators + StandardLibrary.relations + StandardLibrary.collections
            + StandardLibrary.strings + StandardLibrary.conversions)
}

/// Building blocks of ``Library/standard``.
enum StandardLibrary {
    static let a = CELType.typeParam("A")
    static let b = CELType.typeParam("B")

    static func arithmetic(_ name: String, _ op: ArithmeticOperator, _ prefix: String, _ types: [CELType]) -> Function {
        Function(
            name,
            types.map { t in
                Overload("\(prefix)_\(StandardLibrary.idName(t))", [t, t], t) { (x, y) throws(EvalError) in
                    guard let r = try Arithmetic.apply(op, x, y) else { throw EvalError.noOverload(name, [x, y]) }
                    return r
                }
            })
    }

    static func idName(_ t: CELType) -> String {
        switch t {
        case .int: return "int64"
        case .uint: return "uint64"
        case .list: return "list"
        default: return t.runtimeName
        }
    }

    static let operators: [Function] = [
        arithmetic(Operator.add, .add, "add", [.int, .uint, .double, .string, .bytes, .list(a)]),
        arithmetic(Operator.subtract, .subtract, "subtract", [.int, .uint, .double]),
        arithmetic(Operator.multiply, .multiply, "multiply", [.int, .uint, .double]),
        arithmetic(Operator.divide, .divide, "divide", [.int, .uint, .double]),
        arithmetic(Operator.modulo, .modulo, "modulo", [.int, .uint]),
        Function(
            Operator.negate,
            [
                Overload("negate_int64", [.int], .int) { (x) throws(EvalError) in
                    guard case .int(let i) = x, i != .min else { throw EvalError.overflow("int64 negation") }
                    return .int(-i)
                },
                Overload("negate_double", [.double], .double) { (x) throws(EvalError) in
                    guard case .double(let d) = x else { throw EvalError.noOverload("-_", [x]) }
                    return .double(-d)
                },
            ]),
        Function(
            Operator.logicalNot,
            [
                Overload("logical_not", [.bool], .bool) { (x) throws(EvalError) in
                    guard case .bool(let v) = x else { throw EvalError.noOverload("!_", [x]) }
                    return .bool(!v)
                }
            ]),
        Function(Operator.logicalAnd, [Overload("logical_and", [.bool, .bool], .bool, .binary(logical(and: true)))]),
        Function(Operator.logicalOr, [Overload("logical_or", [.bool, .bool], .bool, .binary(logical(and: false)))]),
        Function(
            Operator.notStrictlyFalse,
            [Overload("not_strictly_false", [.bool], .bool) { (x) throws(EvalError) in .bool(!x.isFalse) }]),
        Function(
            Operator.conditional,
            [
                Overload("conditional", [.bool, a, a], a) { (c, t, f) throws(EvalError) in
                    guard case .bool(let v) = c else { throw EvalError.noOverload("_?_:_", [c]) }
                    return v ? t : f
                }
            ]),
        Function(
            Operator.equals,
            [Overload("equals", [a, a], .bool) { (x, y) throws(EvalError) in .bool(x.celEquals(y)) }]),
        Function(
            Operator.notEquals,
            [Overload("not_equals", [a, a], .bool) { (x, y) throws(EvalError) in .bool(!x.celEquals(y)) }]),
    ]

    static func logical(and: Bool) -> @Sendable (Value, Value) throws(EvalError) -> Value {
        { (x, y) throws(EvalError) in
            guard case .bool(let p) = x, case .bool(let q) = y else {
                throw EvalError.noOverload(and ? "_&&_" : "_||_", [x, y])
            }
            return .bool(and ? (p && q) : (p || q))
        }
    }

    /// `_<_`, `_<=_`, `_>_`, `_>=_` over the ordered types, plus the mixed numeric pairs.
    static let relations: [Function] = {
        let names: [(String, String, Relation)] = [
            (Operator.less, "less", .less), (Operator.lessEquals, "less_equals", .lessEquals),
            (Operator.greater, "greater", .greater), (Operator.greaterEquals, "greater_equals", .greaterEquals),
        ]
        let same: [CELType] = [.bool, .int, .uint, .double, .string, .bytes]
        let mixed: [(CELType, CELType)] = [
            (.int, .uint), (.int, .double), (.uint, .int), (.uint, .double), (.double, .int), (.double, .uint),
        ]
        return names.map { (name, prefix, relation) in
            let compare: @Sendable (Value, Value) throws(EvalError) -> Value = { (x, y) throws(EvalError) in
                if let c = x.compare(y) { return .bool(relation.holds(c)) }
                if x.isNumber && y.isNumber { return .bool(false) }
                throw EvalError.noOverload(name, [x, y])
            }
            var overloads = same.map { Overload("\(prefix)_\(idName($0))", [$0, $0], .bool, .binary(compare)) }
            overloads += mixed.map {
                Overload("\(prefix)_\(idName($0.0))_\(idName($0.1))", [$0.0, $0.1], .bool, .binary(compare))
            }
            return Function(name, overloads)
        }
    }()

    static let collections: [Function] = [
        Function(
            Operator.in,
            [
                Overload("in_list", [a, .list(a)], .bool, cost: .linear(1)) { (x, l) throws(EvalError) in
                    guard case .list(let list) = l else { throw EvalError.noOverload("in", [x, l]) }
                    return .bool(list.contains { x.celEquals($0) })
                },
                Overload("in_map", [a, .map(a, b)], .bool) { (x, m) throws(EvalError) in
                    guard case .map(let map) = m else { throw EvalError.noOverload("in", [x, m]) }
                    return .bool(MapKey.lookup(x).map { map[$0] != nil } ?? false)
                },
            ]),
        Function(
            Operator.index,
            [
                Overload("index_list", [.list(a), .int], a) { (l, i) throws(EvalError) in try Node.index(l, i) },
                Overload("index_map", [.map(a, b), a], b) { (m, k) throws(EvalError) in try Node.index(m, k) },
                Overload("optional_list_index_int", [.optional(.list(a)), .int], .optional(a)) {
                    (l, i) throws(EvalError) in try Node.index(l, i)
                },
                Overload("optional_map_index_value", [.optional(.map(a, b)), a], .optional(b)) {
                    (m, k) throws(EvalError) in try Node.index(m, k)
                },
            ]),
        Function(
            Operator.optionalIndex,
            [
                Overload("list_optindex_optional_int", [.list(a), .int], .optional(a)) { (l, i) throws(EvalError) in
                    try Node.optionalIndex(l, i)
                },
                Overload("map_optindex_optional_value", [.map(a, b), a], .optional(b)) { (m, k) throws(EvalError) in
                    try Node.optionalIndex(m, k)
                },
                Overload("optional_list_optindex_optional_int", [.optional(.list(a)), .int], .optional(a)) {
                    (l, i) throws(EvalError) in try Node.optionalIndex(l, i)
                },
                Overload("optional_map_optindex_optional_value", [.optional(.map(a, b)), a], .optional(b)) {
                    (m, k) throws(EvalError) in try Node.optionalIndex(m, k)
                },
            ]),
        Function("size", sizeOverloads(member: false) + sizeOverloads(member: true)),
    ]

    static func sizeOverloads(member: Bool) -> [Overload] {
        let size: @Sendable (Value) throws(EvalError) -> Value = { (v) throws(EvalError) in
            switch v {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .bytes(let b): return .int(Int64(b.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: throw EvalError.noOverload("size", [v])
            }
        }
        let types: [(String, CELType)] = [
            ("string", .string), ("bytes", .bytes), ("list", .list(a)), ("map", .map(a, b)),
        ]
        return types.map { (n, t) in
            Overload(member ? "\(n)_size" : "size_\(n)", member: member, [t], .int, .unary(size))
        }
    }
}

extension Value {
    /// True only for the boolean `false`.
    var isFalse: Bool {
        if case .bool(false) = self { return true }
        return false
    }
}
