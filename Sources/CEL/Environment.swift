/// The compile-time context of CEL expressions: declared variables and their types, the functions of the
/// enabled libraries, the container for name resolution, and the limits.
///
/// Build an environment once per policy schema, then compile each expression once and evaluate it many times:
/// ```swift
/// let env = Environment(variables: ["request": .map(.string, .dyn)])
/// let program = try env.compile("request.tier in ['low', 'medium']")
/// let allowed = try program.evaluate(["request": .map(MapValue(["tier": .string("low")]))])
/// ```
public struct Environment: Sendable {
    /// Limits applied to every expression compiled or evaluated in this environment.
    public struct Limits: Sendable {
        /// Maximum expression length in Unicode scalars.
        public var maxSourceLength = 100_000
        /// Maximum depth of the syntax tree (nesting of calls, operators, literals).
        public var maxRecursionDepth = 200
        /// Runtime cost budget per evaluation; Kubernetes' `PerCallLimit` default.
        public var costLimit = 1_000_000
        /// Static cost estimate above which compilation fails; Kubernetes' `StaticEstimatedCostLimit`.
        public var staticCostLimit = 10_000_000
        /// Size assumed by the static estimate for inputs whose size is unknown (lists, maps, strings).
        public var assumedInputSize = 1_000
        public init() {}
    }

    public let variables: [String: CELType]
    /// Object types the host declares with their fields (`countersign.Change` → `kind: string`, …): selecting a
    /// field an object type does not declare is a compile error, and a declared field has its type. Object types
    /// not listed here keep CEL's gradual reading (any field, `dyn`).
    public let objectTypes: [String: [String: CELType]]
    public let container: String
    public let limits: Limits
    let functions: [String: Function]
    let typeNames: [String: CELType]

    /// Creates an environment. Functions with the same name in several libraries are merged (each library adds
    /// overloads), which is how the time library adds `string(timestamp)` to the standard `string` function.
    public init(
        variables: [String: CELType] = [:], objectTypes: [String: [String: CELType]] = [:], container: String = "",
        libraries: [Library] = Library.standardLibraries, limits: Limits = Limits()
    ) {
        self.variables = variables
        self.objectTypes = objectTypes
        self.container = container
        self.limits = limits
        var functions: [String: Function] = [:]
        var typeNames: [String: CELType] = [:]
        for library in libraries {
            for f in library.functions {
                functions[f.name, default: Function(f.name, [])].overloads.append(contentsOf: f.overloads)
            }
            typeNames.merge(library.types) { a, _ in a }
        }
        self.functions = functions
        self.typeNames = typeNames
    }

    /// Parses the expression (with or without macro expansion).
    public func parse(_ source: String, macros: Bool = true) throws(CompileError) -> ParsedExpr {
        var options = Parser.Options()
        options.macros = macros
        options.maxSourceLength = limits.maxSourceLength
        options.maxRecursionDepth = limits.maxRecursionDepth
        return try Parser.parse(source, options: options)
    }

    /// Type-checks a parsed expression against the declared variables and the libraries' function signatures.
    public func check(_ parsed: ParsedExpr) throws(CompileError) -> CheckResult {
        let checker = TypeChecker(
            variables: variables, functions: functions, types: typeNames, container: container,
            objectTypes: objectTypes)
        return try checker.check(parsed)
    }

    /// Parses, type-checks (unless `check` is false) and plans an expression.
    ///
    /// - Parameter resultType: when given, the checked result type must be assignable to it (policies require
    ///   `.bool` so a condition can never silently yield a string).
    public func compile(
        _ source: String, check: Bool = true, macros: Bool = true, resultType: CELType? = nil
    ) throws(CompileError) -> Program {
        let parsed = try parse(source, macros: macros)
        var type: CELType = .dyn
        if check {
            type = try self.check(parsed).type
            if let expected = resultType, expected != .dyn, type != expected, type != .dyn {
                throw CompileError(
                    .type, "expression must evaluate to \(expected), but its type is \(type)", source: parsed.source,
                    offset: parsed.root.offset)
            }
        }
        let estimate = CostEstimator(assumedSize: limits.assumedInputSize).estimate(parsed.root)
        if estimate > limits.staticCostLimit {
            throw CompileError(
                .cost,
                "estimated cost \(estimate) exceeds the limit \(limits.staticCostLimit) (inputs of unknown size are "
                    + "assumed to hold \(limits.assumedInputSize) elements)",
                source: parsed.source, offset: parsed.root.offset)
        }
        var p = program(parsed, resultType: type)
        p.estimatedCost = estimate
        return p
    }

    /// Plans an already parsed (and possibly checked) expression.
    public func program(_ parsed: ParsedExpr, resultType: CELType = .dyn) -> Program {
        var planner = Planner(
            functions: functions, typeNames: typeNames, container: container, declared: Set(variables.keys))
        let root = planner.plan(parsed.root)
        return Program(
            root: root, localCount: planner.slotCount, globalNames: planner.globalNames, resultType: resultType,
            costLimit: limits.costLimit,
            source: parsed.source.text)
    }
}
