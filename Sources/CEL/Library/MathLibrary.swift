extension Library {
    /// cel-go's math extensions (`ext.Math`, version 2): `math.greatest`/`math.least` over any mix of numbers (or
    /// one list of them), rounding, `abs`, `sign`, the NaN/infinity tests, bitwise operations and `sqrt`.
    public static let math = Library("math", functions: MathLibrary.functions)
}

enum MathLibrary {
    /// `math.greatest` takes 1 to this many arguments (or a single list).
    static let maxArity = 32

    static func extreme(_ name: String, greatest: Bool) -> Function {
        let pick: @Sendable ([Value]) throws(EvalError) -> Value = { (args) throws(EvalError) in
            var values = args
            if args.count == 1, case .list(let list) = args[0] {
                guard !list.isEmpty else {
                    throw EvalError(.invalidArgument, "\(name)(list) argument must not be empty")
                }
                values = list
            }
            var best = values[0]
            guard best.isNumber else { throw EvalError.noOverload(name, args) }
            for v in values.dropFirst() {
                guard v.isNumber, let c = v.compare(best) else {
                    if v.isNumber { continue }  // NaN never wins
                    throw EvalError.noOverload(name, args)
                }
                if greatest ? c > 0 : c < 0 { best = v }
            }
            return best
        }
        var overloads: [Overload] = [
            Overload("\(name)_list", [.list(.dyn)], .dyn, cost: .linear(1), .variadic(pick))
        ]
        for t in [CELType.int, .uint, .double] {
            overloads.append(Overload("\(name)_\(t.runtimeName)", [t], t, .variadic(pick)))
        }
        for arity in 2...maxArity {
            overloads.append(
                Overload("\(name)_\(arity)", Array(repeating: .dyn, count: arity), .dyn, .variadic(pick)))
        }
        return Function(name, overloads)
    }

    static func double(_ name: String, _ f: @escaping @Sendable (Double) -> Double) -> Function {
        Function(
            name,
            [
                Overload("\(name)_double", [.double], .double) { (v) throws(EvalError) in
                    guard case .double(let d) = v else { throw EvalError.noOverload(name, [v]) }
                    return .double(f(d))
                }
            ])
    }

    static func predicate(_ name: String, _ f: @escaping @Sendable (Double) -> Bool) -> Function {
        Function(
            name,
            [
                Overload("\(name)_double", [.double], .bool) { (v) throws(EvalError) in
                    guard case .double(let d) = v else { throw EvalError.noOverload(name, [v]) }
                    return .bool(f(d))
                }
            ])
    }

    static func bitwise(
        _ name: String, int: @escaping @Sendable (Int64, Int64) -> Int64,
        uint: @escaping @Sendable (UInt64, UInt64) -> UInt64
    ) -> Function {
        Function(
            name,
            [
                Overload("\(name)_int_int", [.int, .int], .int) { (a, b) throws(EvalError) in
                    guard case .int(let x) = a, case .int(let y) = b else { throw EvalError.noOverload(name, [a, b]) }
                    return .int(int(x, y))
                },
                Overload("\(name)_uint_uint", [.uint, .uint], .uint) { (a, b) throws(EvalError) in
                    guard case .uint(let x) = a, case .uint(let y) = b else {
                        throw EvalError.noOverload(name, [a, b])
                    }
                    return .uint(uint(x, y))
                },
            ])
    }

    /// Shifts as cel-go defines them: shifting by 64 or more gives 0, right shifts of ints are logical, and a
    /// negative offset is an error.
    static func shift(_ name: String, left: Bool) -> Function {
        @Sendable func offset(_ v: Value, _ args: [Value]) throws(EvalError) -> UInt64 {
            guard case .int(let n) = v else { throw EvalError.noOverload(name, args) }
            guard n >= 0 else { throw EvalError(.invalidArgument, "math.\(name): negative offset: \(n)") }
            return UInt64(n)
        }
        return Function(
            name,
            [
                Overload("\(name)_int_int", [.int, .int], .int) { (a, b) throws(EvalError) in
                    guard case .int(let x) = a else { throw EvalError.noOverload(name, [a, b]) }
                    let n = try offset(b, [a, b])
                    if n >= 64 { return .int(0) }
                    let bits = UInt64(bitPattern: x)
                    return .int(Int64(bitPattern: left ? bits << n : bits >> n))
                },
                Overload("\(name)_uint_int", [.uint, .int], .uint) { (a, b) throws(EvalError) in
                    guard case .uint(let x) = a else { throw EvalError.noOverload(name, [a, b]) }
                    let n = try offset(b, [a, b])
                    if n >= 64 { return .uint(0) }
                    return .uint(left ? x << n : x >> n)
                },
            ])
    }

    static let functions: [Function] = [
        extreme("math.greatest", greatest: true),
        extreme("math.least", greatest: false),
        double("math.ceil") { $0.rounded(.up) },
        double("math.floor") { $0.rounded(.down) },
        double("math.round") { $0.rounded(.toNearestOrAwayFromZero) },
        double("math.trunc") { $0.rounded(.towardZero) },
        double("math.sqrt") { $0.squareRoot() },
        predicate("math.isNaN") { $0.isNaN },
        predicate("math.isInf") { $0.isInfinite },
        predicate("math.isFinite") { $0.isFinite },
        Function(
            "math.abs",
            [
                Overload("math_abs_int", [.int], .int) { (v) throws(EvalError) in
                    guard case .int(let i) = v else { throw EvalError.noOverload("math.abs", [v]) }
                    guard i != .min else { throw EvalError.overflow("int64 absolute value") }
                    return .int(Swift.abs(i))
                },
                Overload("math_abs_uint", [.uint], .uint) { (v) throws(EvalError) in v },
                Overload("math_abs_double", [.double], .double) { (v) throws(EvalError) in
                    guard case .double(let d) = v else { throw EvalError.noOverload("math.abs", [v]) }
                    return .double(Swift.abs(d))
                },
            ]),
        Function(
            "math.sign",
            [
                Overload("math_sign_int", [.int], .int) { (v) throws(EvalError) in
                    guard case .int(let i) = v else { throw EvalError.noOverload("math.sign", [v]) }
                    return .int(i.signum())
                },
                Overload("math_sign_uint", [.uint], .uint) { (v) throws(EvalError) in
                    guard case .uint(let u) = v else { throw EvalError.noOverload("math.sign", [v]) }
                    return .uint(u == 0 ? 0 : 1)
                },
                Overload("math_sign_double", [.double], .double) { (v) throws(EvalError) in
                    guard case .double(let d) = v else { throw EvalError.noOverload("math.sign", [v]) }
                    return .double(d.isNaN ? d : (d > 0 ? 1 : (d < 0 ? -1 : 0)))
                },
            ]),
        bitwise("math.bitAnd", int: { $0 & $1 }, uint: { $0 & $1 }),
        bitwise("math.bitOr", int: { $0 | $1 }, uint: { $0 | $1 }),
        bitwise("math.bitXor", int: { $0 ^ $1 }, uint: { $0 ^ $1 }),
        Function(
            "math.bitNot",
            [
                Overload("math_bitNot_int", [.int], .int) { (v) throws(EvalError) in
                    guard case .int(let i) = v else { throw EvalError.noOverload("math.bitNot", [v]) }
                    return .int(~i)
                },
                Overload("math_bitNot_uint", [.uint], .uint) { (v) throws(EvalError) in
                    guard case .uint(let u) = v else { throw EvalError.noOverload("math.bitNot", [v]) }
                    return .uint(~u)
                },
            ]),
        shift("math.bitShiftLeft", left: true),
        shift("math.bitShiftRight", left: false),
    ]
}
