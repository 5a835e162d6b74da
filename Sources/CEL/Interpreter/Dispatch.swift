/// The overloads a call site can reach, selected at plan time by name, receiver style and arity; at run time the
/// first overload whose parameters accept the argument values is called.
struct Dispatch: Sendable {
    let name: String
    let overloads: [Overload]

    /// Calls the matching overload, charging its cost. Arguments are already evaluated (functions are strict).
    func invoke(_ args: [Value], _ ctx: inout EvalContext) throws(EvalError) -> Value {
        for overload in overloads where overload.accepts(args) {
            let result: Value
            switch overload.implementation {
            case .nullary(let f): result = try f()
            case .unary(let f): result = try f(args[0])
            case .binary(let f): result = try f(args[0], args[1])
            case .ternary(let f): result = try f(args[0], args[1], args[2])
            case .variadic(let f): result = try f(args)
            }
            try ctx.charge(overload.cost, args, result)
            return result
        }
        throw EvalError.noOverload(displayName, args)
    }

    /// Two-argument form without an array allocation on the common path.
    func invoke2(_ a: Value, _ b: Value, _ ctx: inout EvalContext) throws(EvalError) -> Value {
        for overload in overloads
        where overload.parameters.count == 2 && a.matches(overload.parameters[0]) && b.matches(overload.parameters[1]) {
            if case .binary(let f) = overload.implementation {
                let result = try f(a, b)
                switch overload.cost {
                case .fixed(let c): try ctx.charge(c)
                case .linear(let factor):
                    try ctx.charge(linear: factor, size: a.costSize + b.costSize + result.costSize)
                case .custom: try ctx.charge(overload.cost, [a, b], result)
                }
                return result
            }
            return try invoke([a, b], &ctx)
        }
        throw EvalError.noOverload(displayName, [a, b])
    }

    /// One-argument form without an array allocation on the common path.
    func invoke1(_ a: Value, _ ctx: inout EvalContext) throws(EvalError) -> Value {
        for overload in overloads where overload.parameters.count == 1 && a.matches(overload.parameters[0]) {
            if case .unary(let f) = overload.implementation {
                let result = try f(a)
                switch overload.cost {
                case .fixed(let c): try ctx.charge(c)
                case .linear(let factor): try ctx.charge(linear: factor, size: a.costSize + result.costSize)
                case .custom: try ctx.charge(overload.cost, [a], result)
                }
                return result
            }
            return try invoke([a], &ctx)
        }
        throw EvalError.noOverload(displayName, [a])
    }

    /// The name as users write it (`_+_` → `+`), for error messages.
    var displayName: String {
        if name.hasPrefix("_") && name.hasSuffix("_") && name.count > 2 {
            return String(name.dropFirst().dropLast()).replacingUnderscores()
        }
        return name
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        var out = ""
        for c in self where c != "_" { out.append(c) }
        return out
    }
}
