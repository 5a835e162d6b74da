extension Parser {
    /// A call, or its macro expansion when the name, receiver style and argument count match a macro.
    mutating func expandCall(_ name: String, target: Expr?, args: [Expr], at offset: Int) throws(CompileError) -> Expr {
        guard options.macros else { return call(name, args, at: offset, target: target) }
        if let target {
            if let expanded = try expandReceiverMacro(name, target: target, args: args, at: offset) { return expanded }
        } else if name == "has" && args.count == 1 {
            guard case .select(let operand, let field, false, false) = args[0].kind else {
                throw error("Syntax error: invalid argument to has() macro", at: args[0].offset)
            }
            return node(.select(operand, field, testOnly: true, optional: false), at: offset)
        }
        return call(name, args, at: offset, target: target)
    }

    private func simpleName(_ e: Expr, _ what: String) throws(CompileError) -> String {
        guard case .ident(let n) = e.kind, !n.hasPrefix(".") else {
            throw error("Syntax error: \(what) must be a simple name", at: e.offset)
        }
        return n
    }

    private mutating func accu(_ offset: Int) -> Expr { node(.ident(Expr.accumulatorName), at: offset) }
    private mutating func literal(_ v: Value, _ offset: Int) -> Expr { node(.literal(v), at: offset) }

    private mutating func comprehension(
        _ iterVar: String, _ iterVar2: String? = nil, range: Expr, accuVar: String = Expr.accumulatorName,
        initial: Expr, condition: Expr, step: Expr, result: Expr, at offset: Int
    ) -> Expr {
        node(
            .comprehension(
                Comprehension(
                    iterVar: iterVar, iterVar2: iterVar2, iterRange: range, accuVar: accuVar, accuInit: initial,
                    loopCondition: condition, loopStep: step, result: result)), at: offset)
    }

    private mutating func expandReceiverMacro(
        _ name: String, target: Expr, args: [Expr], at o: Int
    ) throws(CompileError) -> Expr? {
        // Qualified macros: cel.bind, cel.block, cel.index, cel.iterVar, cel.accuVar.
        if case .ident("cel") = target.kind {
            switch (name, args.count) {
            case ("bind", 3):
                let v = try simpleName(args[0], "cel.bind() variable name")
                return comprehension(
                    "#unused", range: node(.list([], optionalIndices: []), at: o), accuVar: v, initial: args[1],
                    condition: literal(.bool(false), o), step: node(.ident(v), at: o), result: args[2], at: o)
            case ("block", 2):
                guard case .list = args[0].kind else {
                    throw error("Syntax error: cel.block requires a list literal of bindings", at: args[0].offset)
                }
                return call("cel.@block", args, at: o)
            case ("index", 1):
                guard case .literal(.int(let i)) = args[0].kind, i >= 0 else {
                    throw error("Syntax error: cel.index requires a non-negative int literal", at: args[0].offset)
                }
                return node(.ident("@index\(i)"), at: o)
            case ("iterVar", 2), ("accuVar", 2):
                guard case .literal(.int(let i)) = args[0].kind, case .literal(.int(let j)) = args[1].kind,
                    i >= 0, j >= 0
                else {
                    throw error("Syntax error: cel.\(name) requires non-negative int literals", at: args[0].offset)
                }
                return node(.ident(name == "iterVar" ? "@it:\(i):\(j)" : "@ac:\(i):\(j)"), at: o)
            default:
                break
            }
        }
        switch (name, args.count) {
        case ("all", 2), ("exists", 2), ("exists_one", 2), ("existsOne", 2), ("map", 2), ("map", 3),
            ("filter", 2):
            let v = try simpleName(args[0], "argument")
            try checkNotAccumulator(v, args[0])
            return expandComprehension(name, v, nil, target, Array(args.dropFirst()), o)
        case ("all", 3), ("exists", 3), ("exists_one", 3), ("existsOne", 3), ("transformList", 3),
            ("transformList", 4), ("transformMap", 3), ("transformMap", 4), ("transformMapEntry", 3),
            ("transformMapEntry", 4):
            let v1 = try simpleName(args[0], "argument")
            let v2 = try simpleName(args[1], "argument")
            try checkNotAccumulator(v1, args[0])
            try checkNotAccumulator(v2, args[1])
            guard v1 != v2 else {
                throw error("Syntax error: duplicate variable name: \(v1)", at: args[1].offset)
            }
            return expandComprehension(name, v1, v2, target, Array(args.dropFirst(2)), o)
        case ("optMap", 2), ("optFlatMap", 2):
            let v = try simpleName(args[0], "optMap() variable name")
            let hasValue = call("hasValue", [], at: o, target: target)
            let value = call("value", [], at: o, target: target)
            let bound = comprehension(
                "#unused", range: node(.list([], optionalIndices: []), at: o), accuVar: v, initial: value,
                condition: literal(.bool(false), o), step: node(.ident(v), at: o), result: args[1], at: o)
            let some =
                name == "optMap"
                ? call("of", [bound], at: o, target: node(.ident("optional"), at: o)) : bound
            let none = call("none", [], at: o, target: node(.ident("optional"), at: o))
            return call(Operator.conditional, [hasValue, some, none], at: o)
        case ("sortBy", 2):
            let v = try simpleName(args[0], "sortBy() variable name")
            let keys = expandComprehension("map", v, nil, target, [args[1]], o)
            return call("@sortByAssociatedKeys", [keys], at: o, target: target)
        default:
            return nil
        }
    }

    private func checkNotAccumulator(_ name: String, _ e: Expr) throws(CompileError) {
        if name == Expr.accumulatorName || name == "__result__" {
            throw error("Syntax error: iteration variable overwrites accumulator variable", at: e.offset)
        }
    }

    /// The comprehension a macro expands to. `v2` is the second variable of the two-variable forms; `map` and
    /// `transformList` (3 or 4 arguments) filter first when given a predicate.
    private mutating func expandComprehension(
        _ name: String, _ v1: String, _ v2: String?, _ range: Expr, _ args: [Expr], _ o: Int
    ) -> Expr {
        switch name {
        case "all":
            return comprehension(
                v1, v2, range: range, initial: literal(.bool(true), o),
                condition: call(Operator.notStrictlyFalse, [accu(o)], at: o),
                step: call(Operator.logicalAnd, [accu(o), args[0]], at: o), result: accu(o), at: o)
        case "exists":
            return comprehension(
                v1, v2, range: range, initial: literal(.bool(false), o),
                condition: call(Operator.notStrictlyFalse, [call(Operator.logicalNot, [accu(o)], at: o)], at: o),
                step: call(Operator.logicalOr, [accu(o), args[0]], at: o), result: accu(o), at: o)
        case "exists_one", "existsOne":
            let incremented = call(Operator.add, [accu(o), literal(.int(1), o)], at: o)
            return comprehension(
                v1, v2, range: range, initial: literal(.int(0), o), condition: literal(.bool(true), o),
                step: call(Operator.conditional, [args[0], incremented, accu(o)], at: o),
                result: call(Operator.equals, [accu(o), literal(.int(1), o)], at: o), at: o)
        case "map", "transformList", "filter":
            let element = name == "filter" ? node(.ident(v1), at: o) : (args.count == 2 ? args[1] : args[0])
            let appended = call(Operator.add, [accu(o), node(.list([element], optionalIndices: []), at: o)], at: o)
            let filtered = name == "filter" || args.count == 2
            let step = filtered ? call(Operator.conditional, [args[0], appended, accu(o)], at: o) : appended
            return comprehension(
                v1, v2, range: range, initial: node(.list([], optionalIndices: []), at: o),
                condition: literal(.bool(true), o), step: step, result: accu(o), at: o)
        default:  // transformMap, transformMapEntry
            let transform = args.count == 2 ? args[1] : args[0]
            let inserted =
                name == "transformMap"
                ? call("cel.@mapInsert", [accu(o), node(.ident(v1), at: o), transform], at: o)
                : call("cel.@mapInsert", [accu(o), transform], at: o)
            let step = args.count == 2 ? call(Operator.conditional, [args[0], inserted, accu(o)], at: o) : inserted
            return comprehension(
                v1, v2, range: range, initial: node(.map([]), at: o), condition: literal(.bool(true), o), step: step,
                result: accu(o), at: o)
        }
    }
}
