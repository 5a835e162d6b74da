extension Node {
    /// Evaluates the node. Errors are thrown; the logical operators and `@not_strictly_false` catch them where
    /// CEL's commutative error absorption says the result is decided anyway.
    func eval(_ ctx: inout EvalContext) throws(EvalError) -> Value {
        switch self {
        case .constant(let v):
            return v

        case .global(let i):
            try ctx.charge(1)
            guard let v = ctx.globals[i] else {
                throw EvalError(.noSuchAttribute, "no such attribute: '\(ctx.globalNames[i])' is not bound")
            }
            return v

        case .qualified(let candidates):
            try ctx.charge(1)
            for candidate in candidates {
                guard var v = ctx.bindings[candidate.variable] else { continue }
                for field in candidate.fields { v = try Node.select(v, field) }
                return v
            }
            throw EvalError(.noSuchAttribute, "no such attribute: '\(candidates.first?.variable ?? "")' is not bound")

        case .local(let slot):
            guard let r = ctx.locals[slot] else {
                throw EvalError(.unboundVariable, "variable in slot \(slot) is not bound")
            }
            return try r.get()

        case .blockIndex(let slot, let memoize, let node):
            if memoize, let r = ctx.locals[slot] { return try r.get() }
            let r: Result<Value, EvalError>
            do { r = .success(try node.eval(&ctx)) } catch { r = .failure(error) }
            if memoize { ctx.locals[slot] = r }
            return try r.get()

        case .select(let operand, let field, let kind):
            try ctx.charge(1)
            let v = try operand.eval(&ctx)
            switch kind {
            case .field: return try Node.select(v, field)
            case .presence: return try Node.presence(v, field)
            case .optional: return try Node.optionalSelect(v, field)
            }

        case .index(let operand, let key, let optional):
            try ctx.charge(1)
            let container = try operand.eval(&ctx)
            let k = try key.eval(&ctx)
            return optional ? try Node.optionalIndex(container, k) : try Node.index(container, k)

        case .and(let l, let r):
            return try Node.logical(l, r, decisive: false, &ctx)

        case .or(let l, let r):
            return try Node.logical(l, r, decisive: true, &ctx)

        case .not(let operand):
            let v = try operand.eval(&ctx)
            guard case .bool(let b) = v else { throw EvalError.noOverload("!_", [v]) }
            return .bool(!b)

        case .conditional(let c, let t, let f):
            let v = try c.eval(&ctx)
            guard case .bool(let b) = v else { throw EvalError.noOverload("_?_:_", [v]) }
            return b ? try t.eval(&ctx) : try f.eval(&ctx)

        case .notStrictlyFalse(let operand):
            do {
                if case .bool(false) = try operand.eval(&ctx) { return .bool(false) }
            } catch {}
            return .bool(true)

        case .equals(let l, let r, let negated):
            try ctx.charge(1)
            let a = try l.eval(&ctx)
            let b = try r.eval(&ctx)
            return .bool(a.celEquals(b) != negated)

        case .relation(let l, let r, let relation, let dispatch):
            try ctx.charge(1)
            let a = try l.eval(&ctx)
            let b = try r.eval(&ctx)
            if let c = a.compare(b) { return .bool(relation.holds(c)) }
            if a.isNumber && b.isNumber { return .bool(false) }  // NaN is unordered: every relation is false
            return try dispatch.invoke2(a, b, &ctx)

        case .arithmetic(let l, let r, let op, let dispatch):
            try ctx.charge(1)
            let a = try l.eval(&ctx)
            let b = try r.eval(&ctx)
            if let v = try Arithmetic.apply(op, a, b) {
                // Concatenation pays for what it builds: 0.1 per character or byte, 1 per list element.
                switch v {
                case .string, .bytes: try ctx.charge(v.costSize / 10)
                case .list(let l): try ctx.charge(l.count)
                default: break
                }
                return v
            }
            return try dispatch.invoke2(a, b, &ctx)

        case .negate(let operand, let dispatch):
            try ctx.charge(1)
            let v = try operand.eval(&ctx)
            switch v {
            case .int(let i):
                guard i != .min else { throw EvalError.overflow("int64 negation") }
                return .int(-i)
            case .double(let d): return .double(-d)
            default: return try dispatch.invoke1(v, &ctx)
            }

        case .membership(let l, let r, let dispatch):
            try ctx.charge(1)
            let a = try l.eval(&ctx)
            let b = try r.eval(&ctx)
            switch b {
            case .list(let list):
                try ctx.charge(list.count)
                for e in list where a.celEquals(e) { return .bool(true) }
                return .bool(false)
            case .map(let m):
                guard let key = MapKey.lookup(a) else {
                    if a.isNumber { return .bool(false) }
                    return try dispatch.invoke2(a, b, &ctx)
                }
                return .bool(m[key] != nil)
            default:
                return try dispatch.invoke2(a, b, &ctx)
            }

        case .call(let dispatch, let args):
            switch args.count {
            case 0: return try dispatch.invoke([], &ctx)
            case 1: return try dispatch.invoke1(try args[0].eval(&ctx), &ctx)
            case 2:
                let a = try args[0].eval(&ctx)
                return try dispatch.invoke2(a, try args[1].eval(&ctx), &ctx)
            default:
                var values: [Value] = []
                values.reserveCapacity(args.count)
                for a in args { values.append(try a.eval(&ctx)) }
                return try dispatch.invoke(values, &ctx)
            }

        case .list(let elements, let optional):
            try ctx.charge(10)
            var values: [Value] = []
            values.reserveCapacity(elements.count)
            for (i, e) in elements.enumerated() {
                let v = try e.eval(&ctx)
                if let optional, optional[i] {
                    guard case .optional(let inner) = v else {
                        throw EvalError.noOverload("optional list element", [v])
                    }
                    if let inner { values.append(inner) }
                } else {
                    values.append(v)
                }
            }
            return .list(values)

        case .map(let entries):
            try ctx.charge(30)
            var m = MapValue()
            for entry in entries {
                let k = try entry.key.eval(&ctx)
                var v = try entry.value.eval(&ctx)
                guard let key = MapKey(k) else {
                    throw EvalError(.invalidArgument, "unsupported key type: \(k.typeName)")
                }
                if entry.optional {
                    guard case .optional(let inner) = v else {
                        throw EvalError.noOverload("optional map entry", [v])
                    }
                    guard let inner else { continue }
                    v = inner
                }
                guard m.insert(key, v) else {
                    throw EvalError(.invalidArgument, "Failed with repeated key: \(k)")
                }
            }
            return .map(m)

        case .comprehension(let c):
            return try c.eval(&ctx)

        case .block(let first, let count, let result):
            for i in first..<(first + count) { ctx.locals[i] = nil }
            return try result.eval(&ctx)

        case .optionalOr(let l, let r, let orValue):
            let v = try l.eval(&ctx)
            guard case .optional(let inner) = v else {
                throw EvalError.noOverload(orValue ? "orValue" : "or", [v])
            }
            if let inner { return orValue ? inner : v }
            let alternative = try r.eval(&ctx)
            if !orValue, case .optional = alternative {
            } else if !orValue {
                throw EvalError.noOverload("or", [v, alternative])
            }
            return alternative

        case .mapInsert(let args):
            var values: [Value] = []
            for a in args { values.append(try a.eval(&ctx)) }
            return try Node.mapInsert(values)

        case .failure(let error):
            throw error
        }
    }
}

extension Node {
    /// `&&` (decisive value `false`) and `||` (decisive value `true`), commutative in errors: if either side
    /// yields the decisive value, that is the result even when the other side failed.
    static func logical(_ l: Node, _ r: Node, decisive: Bool, _ ctx: inout EvalContext) throws(EvalError) -> Value {
        let name = decisive ? "_||_" : "_&&_"
        let left = Node.outcome(l, &ctx, name)
        if case .success(decisive) = left { return .bool(decisive) }
        let right = Node.outcome(r, &ctx, name)
        switch (left, right) {
        case (_, .success(decisive)): return .bool(decisive)
        case (.success, .success): return .bool(!decisive)
        case (.failure(let e), _), (_, .failure(let e)): throw e
        }
    }

    /// Evaluates a logical operand to a boolean or an error.
    private static func outcome(_ n: Node, _ ctx: inout EvalContext, _ name: String) -> Result<Bool, EvalError> {
        do {
            let v = try n.eval(&ctx)
            guard case .bool(let b) = v else { return .failure(EvalError.noOverload(name, [v])) }
            return .success(b)
        } catch {
            return .failure(error)
        }
    }
}

extension ComprehensionNode {
    func eval(_ ctx: inout EvalContext) throws(EvalError) -> Value {
        if isBind {
            ctx.locals[accuSlot] = Self.capture(accuInit, &ctx)
            return try result.eval(&ctx)
        }
        let rangeValue = try range.eval(&ctx)
        ctx.locals[accuSlot] = Self.capture(accuInit, &ctx)
        switch rangeValue {
        case .list(let list):
            for (i, element) in list.enumerated() {
                try ctx.charge(1)
                if let slot2 = iterSlot2 {
                    ctx.locals[iterSlot] = .success(.int(Int64(i)))
                    ctx.locals[slot2] = .success(element)
                } else {
                    ctx.locals[iterSlot] = .success(element)
                }
                if try !shouldContinue(&ctx) { break }
                ctx.locals[accuSlot] = Self.capture(step, &ctx)
            }
        case .map(let map):
            for (key, value) in map.entries {
                try ctx.charge(1)
                ctx.locals[iterSlot] = .success(key.value)
                if let slot2 = iterSlot2 { ctx.locals[slot2] = .success(value) }
                if try !shouldContinue(&ctx) { break }
                ctx.locals[accuSlot] = Self.capture(step, &ctx)
            }
        default:
            throw EvalError(
                .noMatchingOverload, "expression of type '\(rangeValue.typeName)' cannot be range of a comprehension")
        }
        ctx.locals[iterSlot] = nil
        if let slot2 = iterSlot2 { ctx.locals[slot2] = nil }
        return try result.eval(&ctx)
    }

    private func shouldContinue(_ ctx: inout EvalContext) throws(EvalError) -> Bool {
        let c = try condition.eval(&ctx)
        guard case .bool(let b) = c else { throw EvalError.noOverload("loop condition", [c]) }
        return b
    }

    /// Evaluates `node`, keeping an error as the slot's content instead of throwing — except running out of
    /// budget, which must stop the whole evaluation at once.
    private static func capture(_ node: Node, _ ctx: inout EvalContext) -> Result<Value, EvalError> {
        do { return .success(try node.eval(&ctx)) } catch { return .failure(error) }
    }
}

extension Value {
    var isNumber: Bool {
        switch self {
        case .int, .uint, .double: return true
        default: return false
        }
    }
}
