/// The outcome of type-checking: the expression's type and the type of every node (by id).
public struct CheckResult: Sendable {
    public let type: CELType
    public let nodeTypes: [Int: CELType]
}

/// CEL's gradual type checker.
///
/// Identifiers resolve against declared variables (with container resolution) and comprehension variables;
/// calls resolve against the overload signatures of the environment's libraries, unifying type parameters
/// (`list(A)`, `map(K, V)`) across the whole expression. `dyn` is compatible with everything, so the checker can
/// only reject programs, never change their meaning. Errors carry the offending node's position.
public struct TypeChecker: Sendable {
    let variables: [String: CELType]
    let functions: [String: Function]
    let types: [String: CELType]
    let container: String
    /// Declared object types' fields; see ``Environment/objectTypes``.
    let objectTypes: [String: [String: CELType]]

    public init(
        variables: [String: CELType], functions: [String: Function], types: [String: CELType], container: String,
        objectTypes: [String: [String: CELType]] = [:]
    ) {
        self.variables = variables
        self.functions = functions
        self.types = types
        self.container = container
        self.objectTypes = objectTypes
    }

    /// Checks `parsed`; throws the first type error.
    public func check(_ parsed: ParsedExpr) throws(CompileError) -> CheckResult {
        var state = CheckState(checker: self, source: parsed.source)
        let t = try state.check(parsed.root)
        var finalized: [Int: CELType] = [:]
        for (id, type) in state.nodeTypes { finalized[id] = state.finalize(type) }
        return CheckResult(type: state.finalize(t), nodeTypes: finalized)
    }
}

/// Mutable state of one check: scopes, the type-variable substitution, and the node types.
struct CheckState {
    let checker: TypeChecker
    let source: Source
    var scopes: [(name: String, type: CELType)] = []
    var substitution: [String: CELType] = [:]
    var nodeTypes: [Int: CELType] = [:]
    var freshCounter = 0

    init(checker: TypeChecker, source: Source) {
        self.checker = checker
        self.source = source
    }

    func error(_ message: String, _ e: Expr) -> CompileError {
        CompileError(.type, message, source: source, offset: e.offset)
    }

    mutating func fresh() -> CELType {
        freshCounter += 1
        return .typeParam("_var\(freshCounter)")
    }

    mutating func check(_ e: Expr) throws(CompileError) -> CELType {
        let t = try checkKind(e)
        nodeTypes[e.id] = t
        return t
    }

    private mutating func checkKind(_ e: Expr) throws(CompileError) -> CELType {
        switch e.kind {
        case .literal(let v):
            return v.celType
        case .ident(let name):
            if let t = resolveName([name]) { return t.type }
            throw undeclared(name, e)
        case .select(let operand, let field, let testOnly, let optional):
            if !testOnly, !optional, let chain = Planner.nameChain(e), let resolved = resolveName(chain) {
                var t = resolved.type
                for f in chain[(chain.count - resolved.remaining)...] { t = try selectType(t, f, e) }
                return t
            }
            let operandType = try check(operand)
            if testOnly {
                _ = try selectType(operandType, field, e, presence: true)
                return .bool
            }
            if optional {
                let inner = resolve(operandType)
                if case .optional(let t) = inner { return .optional(try selectType(t, field, e)) }
                return .optional(try selectType(inner, field, e))
            }
            return try selectType(operandType, field, e)
        case .call(let name, let target, let args):
            return try checkCall(name, target: target, args: args, e)
        case .list(let elements, let optionalIndices):
            var elem: CELType? = nil
            for (i, el) in elements.enumerated() {
                var t = try check(el)
                if optionalIndices.contains(i) {
                    let r = resolve(t)
                    if case .optional(let inner) = r {
                        t = inner
                    } else if r != .dyn {
                        throw error("optional list element must be optional, found '\(finalize(r))'", el)
                    }
                }
                elem = join(elem, t)
            }
            return .list(elem ?? fresh())
        case .map(let entries):
            var key: CELType? = nil
            var value: CELType? = nil
            for entry in entries {
                let k = try check(entry.key)
                switch resolve(k) {
                case .int, .uint, .bool, .string, .dyn, .typeParam, .error: break
                default: throw error("unsupported map key type: '\(finalize(k))'", entry.key)
                }
                key = join(key, k)
                var v = try check(entry.value)
                if entry.optional {
                    if case .optional(let inner) = resolve(v) { v = inner }
                }
                value = join(value, v)
            }
            return .map(key ?? fresh(), value ?? fresh())
        case .message(let typeName, _):
            throw error("undeclared reference to message type '\(typeName)' (protobuf messages are not supported)", e)
        case .comprehension(let c):
            let rangeType = resolve(try check(c.iterRange))
            var v1: CELType
            var v2: CELType? = nil
            switch rangeType {
            case .list(let t):
                if c.iterVar2 != nil {
                    v1 = .int
                    v2 = t
                } else {
                    v1 = t
                }
            case .map(let k, let v):
                v1 = k
                if c.iterVar2 != nil { v2 = v }
            case .dyn, .typeParam, .error:
                v1 = .dyn
                if c.iterVar2 != nil { v2 = .dyn }
            default:
                throw error(
                    "expression of type '\(finalize(rangeType))' cannot be the range of a comprehension", c.iterRange)
            }
            let accuType = try check(c.accuInit)
            let depth = scopes.count
            scopes.append((c.accuVar, accuType))
            scopes.append((c.iterVar, v1))
            if let name = c.iterVar2, let v2 { scopes.append((name, v2)) }
            let cond = try check(c.loopCondition)
            guard unify(cond, .bool) else {
                throw error("loop condition must be bool, found '\(finalize(cond))'", c.loopCondition)
            }
            let step = try check(c.loopStep)
            guard unify(accuType, step) else {
                throw error(
                    "loop step type '\(finalize(step))' does not match the accumulator type '\(finalize(accuType))'",
                    c.loopStep)
            }
            scopes.removeLast(scopes.count - depth)
            scopes.append((c.accuVar, accuType))
            let result = try check(c.result)
            scopes.removeLast(scopes.count - depth)
            return result
        }
    }

    func undeclared(_ name: String, _ e: Expr) -> CompileError {
        error("undeclared reference to '\(name)' (in container '\(checker.container)')", e)
    }

    // MARK: Names

    /// The type of the longest declared name in `chain` (local, variable or type), and how many trailing parts
    /// are field selections on it.
    func resolveName(_ chain: [String]) -> (type: CELType, remaining: Int)? {
        if let local = scopes.last(where: { $0.name == chain[0] }) { return (local.type, chain.count - 1) }
        var parts = chain
        let rootOnly = parts[0].hasPrefix(".")
        if rootOnly { parts[0].removeFirst() }
        let prefixes = rootOnly ? [""] : containerPrefixes()
        for k in stride(from: parts.count, through: 1, by: -1) {
            let name = parts[0..<k].joined(separator: ".")
            for prefix in prefixes {
                if let t = checker.variables[prefix + name] { return (t, parts.count - k) }
            }
            for prefix in prefixes {
                if let t = checker.types[prefix + name] ?? Planner.builtinTypes[prefix + name] {
                    return (.type(t), parts.count - k)
                }
            }
        }
        return nil
    }

    func containerPrefixes() -> [String] {
        guard !checker.container.isEmpty else { return [""] }
        var result: [String] = []
        var parts = checker.container.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            result.append(parts.joined(separator: ".") + ".")
            parts.removeLast()
        }
        result.append("")
        return result
    }

    mutating func selectType(_ t: CELType, _ field: String, _ e: Expr, presence: Bool = false) throws(CompileError)
        -> CELType
    {
        switch resolve(t) {
        case .map(let k, let v):
            guard unify(k, .string) else {
                throw error("type '\(finalize(t))' does not support field selection", e)
            }
            return v
        case .dyn, .error, .typeParam: return .dyn
        case .object(let name):
            guard let fields = checker.objectTypes[name] else { return .dyn }
            guard let type = fields[field] else {
                throw error(
                    "undefined field '\(field)' on \(name) (its fields: \(fields.keys.sorted().joined(separator: ", ")))",
                    e)
            }
            return type
        case .optional(let inner):
            if presence { return try selectType(inner, field, e, presence: true) }
            return .optional(try selectType(inner, field, e))
        default:
            throw error("type '\(finalize(t))' does not support field selection", e)
        }
    }

    // MARK: Calls

    private mutating func checkCall(_ name: String, target: Expr?, args: [Expr], _ e: Expr) throws(CompileError)
        -> CELType
    {
        if let target {
            if let chain = Planner.nameChain(target), !scopes.contains(where: { $0.name == chain[0] }),
                let qualified = resolveFunction(chain.joined(separator: ".") + "." + name),
                resolveName(chain) == nil
                    || checker.functions[qualified]?.overloads.contains(where: { !$0.isMember }) == true
            {
                var argTypes: [CELType] = []
                for a in args { argTypes.append(try check(a)) }
                return try resolveOverload(qualified, member: false, args: argTypes, e)
            }
            let receiver = try check(target)
            var argTypes = [receiver]
            for a in args { argTypes.append(try check(a)) }
            return try resolveOverload(name, member: true, args: argTypes, e)
        }
        if name == "cel.@block", args.count == 2, case .list(let entries, _) = args[0].kind {
            let depth = scopes.count
            for (i, entry) in entries.enumerated() { scopes.append(("@index\(i)", try check(entry))) }
            let t = try check(args[1])
            scopes.removeLast(scopes.count - depth)
            return t
        }
        if name == "cel.@mapInsert" {
            let types = try args.map { (a) throws(CompileError) in try check(a) }
            return types[0]
        }
        guard let resolved = resolveFunction(name) else {
            throw error("undeclared reference to '\(name)' (in container '\(checker.container)')", e)
        }
        var argTypes: [CELType] = []
        for a in args { argTypes.append(try check(a)) }
        return try resolveOverload(resolved, member: false, args: argTypes, e)
    }

    func resolveFunction(_ name: String) -> String? {
        if name.hasPrefix(".") {
            let n = String(name.dropFirst())
            return checker.functions[n] != nil ? n : nil
        }
        for prefix in containerPrefixes() where checker.functions[prefix + name] != nil { return prefix + name }
        return nil
    }

    private mutating func resolveOverload(_ name: String, member: Bool, args: [CELType], _ e: Expr) throws(CompileError)
        -> CELType
    {
        let candidates =
            checker.functions[name]?.overloads.filter {
                $0.isMember == member && $0.parameters.count == args.count
            } ?? []
        var matches: [(result: CELType, substitution: [String: CELType])] = []
        for overload in candidates {
            let saved = substitution
            var renames: [String: CELType] = [:]
            var ok = true
            for (param, arg) in zip(overload.parameters, args) where !unify(instantiate(param, &renames), arg) {
                ok = false
                break
            }
            if ok { matches.append((instantiate(overload.result, &renames), substitution)) }
            substitution = saved
        }
        guard !matches.isEmpty else {
            let shown = args.map { finalize($0).description }.joined(separator: ", ")
            throw error("found no matching overload for '\(name)' applied to '(\(shown))'", e)
        }
        if matches.count == 1 {
            substitution = matches[0].substitution
            return matches[0].result
        }
        // Several overloads apply (a `dyn` argument): the result is their common type, else `dyn`.
        let results = matches.map { finalize(substituted($0.result, $0.substitution)) }
        return results.allSatisfy({ $0 == results[0] }) ? results[0] : .dyn
    }

    /// Gives an overload's type parameters fresh names, so two calls of one generic function don't interfere.
    private mutating func instantiate(_ t: CELType, _ renames: inout [String: CELType]) -> CELType {
        switch t {
        case .typeParam(let p):
            if let r = renames[p] { return r }
            let f = fresh()
            renames[p] = f
            return f
        case .list(let e): return .list(instantiate(e, &renames))
        case .map(let k, let v): return .map(instantiate(k, &renames), instantiate(v, &renames))
        case .optional(let e): return .optional(instantiate(e, &renames))
        case .type(let e): return .type(instantiate(e, &renames))
        case .opaque(let n, let ps): return .opaque(n, ps.map { instantiate($0, &renames) })
        default: return t
        }
    }

    // MARK: Unification

    /// Follows bound type variables one level.
    func resolve(_ t: CELType) -> CELType {
        var t = t
        while case .typeParam(let p) = t, let bound = substitution[p] { t = bound }
        return t
    }

    /// Makes `a` and `b` equal by binding type variables; false when they can't be.
    mutating func unify(_ a: CELType, _ b: CELType) -> Bool {
        let x = resolve(a)
        let y = resolve(b)
        if x == y { return true }
        switch (x, y) {
        case (.error, _), (_, .error): return true
        case (.typeParam(let p), _):
            if occurs(p, in: y) { return false }
            substitution[p] = y
            return true
        case (_, .typeParam(let p)):
            if occurs(p, in: x) { return false }
            substitution[p] = x
            return true
        case (.dyn, _), (_, .dyn): return true
        case (.list(let e1), .list(let e2)): return unify(e1, e2)
        case (.optional(let e1), .optional(let e2)): return unify(e1, e2)
        case (.type, .type): return true  // every type value has kind `type`: `type(1) == type(1u)` checks
        case (.map(let k1, let v1), .map(let k2, let v2)): return unify(k1, k2) && unify(v1, v2)
        case (.opaque(let n1, let p1), .opaque(let n2, let p2)):
            guard n1 == n2, p1.count == p2.count else { return false }
            for (u, v) in zip(p1, p2) where !unify(u, v) { return false }
            return true
        default: return false
        }
    }

    func occurs(_ p: String, in t: CELType) -> Bool {
        switch resolve(t) {
        case .typeParam(let q): return p == q
        case .list(let e), .optional(let e), .type(let e): return occurs(p, in: e)
        case .map(let k, let v): return occurs(p, in: k) || occurs(p, in: v)
        case .opaque(_, let ps): return ps.contains { occurs(p, in: $0) }
        default: return false
        }
    }

    /// The join of two element types of a literal: unified when possible (keeping the more general of the two,
    /// so `[optional.of(1), optional.of(dyn(1))]` is a list of `optional_type(dyn)`), else `dyn`. `null` joins
    /// with abstract and message types, as cel-go's legacy nullable types do.
    mutating func join(_ current: CELType?, _ next: CELType) -> CELType {
        guard let current else { return next }
        switch (resolve(current), resolve(next)) {
        case (.null, .optional), (.null, .opaque), (.null, .object): return next
        case (.optional, .null), (.opaque, .null), (.object, .null): return current
        default: break
        }
        let saved = substitution
        if unify(current, next) { return moreGeneral(next, than: current) ? next : current }
        substitution = saved
        return .dyn
    }

    /// Whether `a` has `dyn` where `b` has a concrete type (after unification they agree elsewhere).
    func moreGeneral(_ a: CELType, than b: CELType) -> Bool {
        switch (resolve(a), resolve(b)) {
        case (.dyn, .dyn): return false
        case (.dyn, _): return true
        case (.list(let x), .list(let y)), (.optional(let x), .optional(let y)): return moreGeneral(x, than: y)
        case (.map(let k1, let v1), .map(let k2, let v2)):
            return moreGeneral(k1, than: k2) || moreGeneral(v1, than: v2)
        case (.opaque(_, let p1), .opaque(_, let p2)):
            return zip(p1, p2).contains { moreGeneral($0, than: $1) }
        default: return false
        }
    }

    func substituted(_ t: CELType, _ subs: [String: CELType]) -> CELType {
        switch t {
        case .typeParam(let p): return subs[p].map { substituted($0, subs) } ?? t
        case .list(let e): return .list(substituted(e, subs))
        case .map(let k, let v): return .map(substituted(k, subs), substituted(v, subs))
        case .optional(let e): return .optional(substituted(e, subs))
        case .type(let e): return .type(substituted(e, subs))
        case .opaque(let n, let ps): return .opaque(n, ps.map { substituted($0, subs) })
        default: return t
        }
    }

    /// Substitutes bound variables and turns unbound ones into `dyn`.
    func finalize(_ t: CELType) -> CELType {
        switch resolve(t) {
        case .typeParam: return .dyn
        case .list(let e): return .list(finalize(e))
        case .map(let k, let v): return .map(finalize(k), finalize(v))
        case .optional(let e): return .optional(finalize(e))
        case .type(let e): return .type(finalize(e))
        case .opaque(let n, let ps): return .opaque(n, ps.map { finalize($0) })
        case let other: return other
        }
    }
}
