/// One signature of a function, with its implementation.
///
/// The checker uses ``parameters`` and ``result`` to type calls; the interpreter picks, at run time, the first
/// overload whose parameters accept the argument values (``Value/matches(_:)``). A function with a single
/// overload, or whose overloads differ by receiver style or arity, dispatches without a search.
public struct Overload: Sendable {
    /// A stable identifier, e.g. `size_string` or `string_starts_with` (cel-spec names where they exist).
    public let id: String
    /// Receiver-style (`s.size()`) rather than global (`size(s)`); the receiver is the first parameter.
    public let isMember: Bool
    /// Parameter types, receiver first. `.typeParam` and `.dyn` accept any value.
    public let parameters: [CELType]
    /// Result type; may mention the type parameters of ``parameters``.
    public let result: CELType
    public let implementation: Implementation
    /// Runtime cost charged per call, beyond the cost of evaluating the arguments.
    public let cost: Cost

    public init(
        _ id: String, member: Bool = false, _ parameters: [CELType], _ result: CELType, cost: Cost = .fixed(1),
        _ implementation: Implementation
    ) {
        self.id = id
        self.isMember = member
        self.parameters = parameters
        self.result = result
        self.cost = cost
        self.implementation = implementation
    }

    /// How a function computes its result. Arity-specific cases avoid an array allocation per call.
    public enum Implementation: Sendable {
        case nullary(@Sendable () throws(EvalError) -> Value)
        case unary(@Sendable (Value) throws(EvalError) -> Value)
        case binary(@Sendable (Value, Value) throws(EvalError) -> Value)
        case ternary(@Sendable (Value, Value, Value) throws(EvalError) -> Value)
        case variadic(@Sendable ([Value]) throws(EvalError) -> Value)
    }

    /// The runtime cost of one call, in cel-go's units (one unit ≈ one simple operation).
    public enum Cost: Sendable {
        case fixed(Int)
        /// `1 + factor × (total size of the string, bytes and list arguments)`, e.g. `contains` is 0.1 per character.
        case linear(Double)
        /// Computed from the arguments and the result.
        case custom(@Sendable (_ args: [Value], _ result: Value) -> Int)
    }

    /// Whether the argument values are accepted by this overload's parameter types.
    @inlinable
    public func accepts(_ args: [Value]) -> Bool {
        guard args.count == parameters.count else { return false }
        for i in 0..<args.count where !args[i].matches(parameters[i]) { return false }
        return true
    }
}

/// A named function and all its overloads.
public struct Function: Sendable {
    public let name: String
    public var overloads: [Overload]

    public init(_ name: String, _ overloads: [Overload]) {
        self.name = name
        self.overloads = overloads
    }
}

/// A set of functions (and type names) that can be added to an ``Environment``: the standard library, the
/// string extensions, Kubernetes' libraries, or an application's own.
public struct Library: Sendable {
    public let name: String
    public let functions: [Function]
    /// Type identifiers the library defines, usable as values (`type(x) == net.IP`).
    public let types: [String: CELType]

    public init(_ name: String, functions: [Function], types: [String: CELType] = [:]) {
        self.name = name
        self.functions = functions
        self.types = types
    }
}

extension Value {
    /// Whether this value is accepted by a parameter of type `type` (type parameters accept anything).
    @inlinable
    public func matches(_ type: CELType) -> Bool {
        switch (type, self) {
        case (.dyn, _), (.typeParam, _): return true
        case (.null, .null), (.bool, .bool), (.int, .int), (.uint, .uint), (.double, .double),
            (.string, .string), (.bytes, .bytes), (.list, .list), (.map, .map), (.timestamp, .timestamp),
            (.duration, .duration), (.type, .type), (.optional, .optional):
            return true
        case (.opaque(let name, _), .object(let o)), (.object(let name), .object(let o)):
            return o.celType.runtimeName == name
        default: return false
        }
    }
}

extension Overload {
    /// A one-argument overload (the receiver counts as an argument).
    public init(
        _ id: String, member: Bool = false, _ parameters: [CELType], _ result: CELType, cost: Cost = .fixed(1),
        _ f: @escaping @Sendable (Value) throws(EvalError) -> Value
    ) {
        self.init(id, member: member, parameters, result, cost: cost, .unary(f))
    }

    /// A two-argument overload.
    public init(
        _ id: String, member: Bool = false, _ parameters: [CELType], _ result: CELType, cost: Cost = .fixed(1),
        _ f: @escaping @Sendable (Value, Value) throws(EvalError) -> Value
    ) {
        self.init(id, member: member, parameters, result, cost: cost, .binary(f))
    }

    /// A three-argument overload.
    public init(
        _ id: String, member: Bool = false, _ parameters: [CELType], _ result: CELType, cost: Cost = .fixed(1),
        _ f: @escaping @Sendable (Value, Value, Value) throws(EvalError) -> Value
    ) {
        self.init(id, member: member, parameters, result, cost: cost, .ternary(f))
    }
}
