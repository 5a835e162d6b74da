/// Turns a syntax tree into a ``Node`` tree: resolves local names to slots, dotted names to variable candidates
/// (respecting the container), calls to their overload sets, and the operators to their dedicated cases.
struct Planner {
    let functions: [String: Function]
    let typeNames: [String: CELType]
    let container: String
    /// Declared variable names: when a dotted name has a declared candidate, the split is decided at plan time.
    let declared: Set<String>

    private var scopes: [(name: String, slot: Int)] = []
    private(set) var slotCount = 0
    /// Names of the bindings the program reads directly; `.global(i)` refers to `globalNames[i]`.
    private(set) var globalNames: [String] = []
    private var blocks: [BlockScope] = []
    /// Set while planning when a comprehension-local slot is referenced (block entries that read one can't be
    /// memoized: their value changes per iteration).
    private var readsLocal = false

    private struct BlockScope {
        let firstSlot: Int
        let entries: [Expr]
        var cached: [Int: Node] = [:]
    }

    init(functions: [String: Function], typeNames: [String: CELType], container: String, declared: Set<String>) {
        self.declared = declared
        self.functions = functions
        self.typeNames = typeNames
        self.container = container
    }

    mutating func plan(_ e: Expr) -> Node {
        switch e.kind {
        case .literal(let v):
            return .constant(v)
        case .ident(let name):
            return planName([name])
        case .select(let operand, let field, let testOnly, let optional):
            if !testOnly && !optional, let names = Planner.nameChain(e) {
                return planName(names)
            }
            let kind: SelectKind = testOnly ? .presence : (optional ? .optional : .field)
            return .select(plan(operand), field, kind)
        case .call(let name, let target, let args):
            return planCall(name, target: target, args: args)
        case .list(let elements, let optionalIndices):
            let nodes = elements.map { plan($0) }
            if optionalIndices.isEmpty {
                // A list of constants is built once, at plan time.
                var values: [Value] = []
                for n in nodes {
                    guard case .constant(let v) = n else { return .list(nodes, optional: nil) }
                    values.append(v)
                }
                return .constant(.list(values))
            }
            var flags = Array(repeating: false, count: nodes.count)
            for i in optionalIndices where i < flags.count { flags[i] = true }
            return .list(nodes, optional: flags)
        case .map(let entries):
            return .map(entries.map { (plan($0.key), plan($0.value), $0.optional) })
        case .message(let typeName, _):
            return .failure(
                EvalError(.unsupported, "message construction is not supported: unknown type '\(typeName)'"))
        case .comprehension(let c):
            return planComprehension(c)
        }
    }

    // MARK: Names

    /// `a.b.c` as `["a", "b", "c"]` when the expression is a chain of plain selections on an identifier.
    static func nameChain(_ e: Expr) -> [String]? {
        switch e.kind {
        case .ident(let name): return [name]
        case .select(let operand, let field, false, false):
            guard var chain = nameChain(operand) else { return nil }
            chain.append(field)
            return chain
        default: return nil
        }
    }

    private mutating func resolveLocal(_ name: String) -> Int? {
        for entry in scopes.reversed() where entry.name == name {
            readsLocal = true
            return entry.slot
        }
        return nil
    }

    private mutating func planName(_ names: [String]) -> Node {
        if let slot = resolveLocal(names[0]) {
            var node: Node = .local(slot)
            for field in names.dropFirst() { node = .select(node, field, .field) }
            return node
        }
        if names[0].hasPrefix("@index"), var node = planBlockIndex(names[0]) {
            for field in names.dropFirst() { node = .select(node, field, .field) }
            return node
        }
        var parts = names
        let rootOnly = parts[0].hasPrefix(".")
        if rootOnly { parts[0].removeFirst() }
        let prefixes = rootOnly ? [""] : containerPrefixes()
        var candidates: [QualifiedCandidate] = []
        for k in stride(from: parts.count, through: 1, by: -1) {
            let name = parts[0..<k].joined(separator: ".")
            for prefix in prefixes {
                candidates.append(QualifiedCandidate(variable: prefix + name, fields: Array(parts[k...])))
            }
        }
        // A type name (`int`, `google.protobuf.Timestamp`, `net.IP`) is a constant unless a binding shadows it.
        let full = parts.joined(separator: ".")
        if let t = typeNames[full] ?? Planner.builtinTypes[full] {
            return .constant(.type(t))
        }
        if candidates.count == 1 && candidates[0].fields.isEmpty { return global(candidates[0].variable) }
        if let chosen = candidates.first(where: { declared.contains($0.variable) }) {
            var node: Node = global(chosen.variable)
            for field in chosen.fields { node = .select(node, field, .field) }
            return node
        }
        return .qualified(candidates)
    }

    private mutating func global(_ name: String) -> Node {
        if let i = globalNames.firstIndex(of: name) { return .global(i) }
        globalNames.append(name)
        return .global(globalNames.count - 1)
    }

    /// Container prefixes, most specific first: container `a.b` gives `a.b.`, `a.`, and ``.
    private func containerPrefixes() -> [String] {
        guard !container.isEmpty else { return [""] }
        var result: [String] = []
        var parts = container.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            result.append(parts.joined(separator: ".") + ".")
            parts.removeLast()
        }
        result.append("")
        return result
    }

    static let builtinTypes: [String: CELType] = [
        "int": .int, "uint": .uint, "double": .double, "bool": .bool, "string": .string, "bytes": .bytes,
        "list": .list(.dyn), "map": .map(.dyn, .dyn), "null_type": .null, "type": .type(.dyn),
        "google.protobuf.Timestamp": .timestamp, "google.protobuf.Duration": .duration,
        "optional_type": .optional(.dyn),
    ]

    // MARK: Calls

    private mutating func planCall(_ name: String, target: Expr?, args: [Expr]) -> Node {
        if let target {
            // `math.greatest(1, 2)`, `optional.of(x)`: a dotted global function name, not a receiver call.
            if let chain = Planner.nameChain(target), resolveLocalPeek(chain[0]) == nil,
                let qualified = resolveFunction(chain.joined(separator: ".") + "." + name)
            {
                return planGlobalCall(qualified, args: args)
            }
            if let special = planSpecialMember(name, target: target, args: args) { return special }
            let all = [target] + args
            let dispatch = dispatchFor(name, member: true, arity: all.count)
            guard let dispatch else { return noOverload(name, member: true) }
            return .call(dispatch, all.map { plan($0) })
        }
        if let special = planOperator(name, args: args) { return special }
        guard let resolved = resolveFunction(name) else {
            return .failure(EvalError(.noMatchingOverload, "undeclared reference to function '\(name)'"))
        }
        return planGlobalCall(resolved, args: args)
    }

    private mutating func planGlobalCall(_ name: String, args: [Expr]) -> Node {
        guard let dispatch = dispatchFor(name, member: false, arity: args.count) else {
            return noOverload(name, member: false)
        }
        return .call(dispatch, args.map { plan($0) })
    }

    private func noOverload(_ name: String, member: Bool) -> Node {
        .failure(
            EvalError(.noMatchingOverload, "no matching overload for '\(name)'\(member ? " (receiver call)" : "")"))
    }

    private func resolveLocalPeek(_ name: String) -> Int? {
        scopes.last(where: { $0.name == name })?.slot
    }

    /// The declared function a (possibly container-relative) name refers to.
    private func resolveFunction(_ name: String) -> String? {
        if name.hasPrefix(".") {
            let n = String(name.dropFirst())
            return functions[n] != nil ? n : nil
        }
        for prefix in containerPrefixes() where functions[prefix + name] != nil { return prefix + name }
        return nil
    }

    private func dispatchFor(_ name: String, member: Bool, arity: Int) -> Dispatch? {
        guard let f = functions[name] else { return nil }
        let overloads = f.overloads.filter { $0.isMember == member && $0.parameters.count == arity }
        return overloads.isEmpty ? nil : Dispatch(name: name, overloads: overloads)
    }

    /// The dispatch used when an operator's fast path doesn't apply (library types such as timestamps).
    private func operatorDispatch(_ name: String, arity: Int) -> Dispatch {
        dispatchFor(name, member: false, arity: arity) ?? Dispatch(name: name, overloads: [])
    }

    private mutating func planOperator(_ name: String, args: [Expr]) -> Node? {
        switch (name, args.count) {
        case (Operator.logicalAnd, 2): return .and(plan(args[0]), plan(args[1]))
        case (Operator.logicalOr, 2): return .or(plan(args[0]), plan(args[1]))
        case (Operator.logicalNot, 1): return .not(plan(args[0]))
        case (Operator.conditional, 3): return .conditional(plan(args[0]), plan(args[1]), plan(args[2]))
        case (Operator.notStrictlyFalse, 1): return .notStrictlyFalse(plan(args[0]))
        case (Operator.equals, 2): return .equals(plan(args[0]), plan(args[1]), negated: false)
        case (Operator.notEquals, 2): return .equals(plan(args[0]), plan(args[1]), negated: true)
        case (Operator.less, 2): return relation(args, .less, name)
        case (Operator.lessEquals, 2): return relation(args, .lessEquals, name)
        case (Operator.greater, 2): return relation(args, .greater, name)
        case (Operator.greaterEquals, 2): return relation(args, .greaterEquals, name)
        case (Operator.add, 2): return arithmetic(args, .add, name)
        case (Operator.subtract, 2): return arithmetic(args, .subtract, name)
        case (Operator.multiply, 2): return arithmetic(args, .multiply, name)
        case (Operator.divide, 2): return arithmetic(args, .divide, name)
        case (Operator.modulo, 2): return arithmetic(args, .modulo, name)
        case (Operator.negate, 1): return .negate(plan(args[0]), operatorDispatch(name, arity: 1))
        case (Operator.in, 2): return .membership(plan(args[0]), plan(args[1]), operatorDispatch(name, arity: 2))
        case (Operator.index, 2): return .index(plan(args[0]), plan(args[1]), optional: false)
        case (Operator.optionalIndex, 2): return .index(plan(args[0]), plan(args[1]), optional: true)
        case ("cel.@mapInsert", 2), ("cel.@mapInsert", 3): return .mapInsert(args.map { plan($0) })
        case ("cel.@block", 2): return planBlock(args[0], args[1])
        default: return nil
        }
    }

    private mutating func relation(_ args: [Expr], _ r: Relation, _ name: String) -> Node {
        .relation(plan(args[0]), plan(args[1]), r, operatorDispatch(name, arity: 2))
    }

    private mutating func arithmetic(_ args: [Expr], _ op: ArithmeticOperator, _ name: String) -> Node {
        .arithmetic(plan(args[0]), plan(args[1]), op, operatorDispatch(name, arity: 2))
    }

    private mutating func planSpecialMember(_ name: String, target: Expr, args: [Expr]) -> Node? {
        switch (name, args.count) {
        case ("or", 1): return .optionalOr(plan(target), plan(args[0]), orValue: false)
        case ("orValue", 1): return .optionalOr(plan(target), plan(args[0]), orValue: true)
        default: return nil
        }
    }

    // MARK: Comprehensions and blocks

    private mutating func allocate(_ name: String) -> Int {
        let slot = slotCount
        slotCount += 1
        scopes.append((name, slot))
        return slot
    }

    private mutating func planComprehension(_ c: Comprehension) -> Node {
        let isBind: Bool = {
            guard case .list(let elements, _) = c.iterRange.kind, elements.isEmpty,
                case .literal(.bool(false)) = c.loopCondition.kind
            else { return false }
            return true
        }()
        let range = plan(c.iterRange)
        let accuInit = plan(c.accuInit)
        let depth = scopes.count
        let accuSlot = allocate(c.accuVar)
        let iterSlot = allocate(c.iterVar)
        let iterSlot2 = c.iterVar2.map { allocate($0) }
        let condition = plan(c.loopCondition)
        let step = plan(c.loopStep)
        // The result sees the accumulator but not the iteration variables.
        scopes.removeLast(scopes.count - depth)
        scopes.append((c.accuVar, accuSlot))
        let result = plan(c.result)
        scopes.removeLast(scopes.count - depth)
        return .comprehension(
            ComprehensionNode(
                range: range, iterSlot: iterSlot, iterSlot2: iterSlot2, accuSlot: accuSlot, accuInit: accuInit,
                condition: condition, step: step, result: result, isBind: isBind))
    }

    private mutating func planBlock(_ list: Expr, _ body: Expr) -> Node {
        guard case .list(let entries, _) = list.kind else {
            return .failure(EvalError(.invalidArgument, "cel.block requires a list literal of bindings"))
        }
        let first = slotCount
        slotCount += entries.count
        blocks.append(BlockScope(firstSlot: first, entries: entries))
        let result = plan(body)
        blocks.removeLast()
        return .block(firstSlot: first, count: entries.count, result)
    }

    /// `cel.index(N)`: planned where it is used, so names inside the entry resolve in the scope of the use.
    private mutating func planBlockIndex(_ name: String) -> Node? {
        guard let n = Int(name.dropFirst("@index".count)) else { return nil }
        guard let b = blocks.indices.last(where: { n < blocks[$0].entries.count }) else {
            return .failure(EvalError(.invalidArgument, "cel.index(\(n)) is out of range"))
        }
        if let cached = blocks[b].cached[n] { return cached }
        let outerReads = readsLocal
        readsLocal = false
        // Entry n may only see entries before it.
        let saved = blocks
        blocks[b] = BlockScope(
            firstSlot: blocks[b].firstSlot, entries: Array(blocks[b].entries.prefix(n)), cached: blocks[b].cached)
        let entry = plan(saved[b].entries[n])
        blocks = saved
        let memoize = !readsLocal
        let node: Node = .blockIndex(slot: blocks[b].firstSlot + n, memoize: memoize, entry)
        if memoize { blocks[b].cached[n] = node }
        readsLocal = outerReads || readsLocal
        return node
    }
}
