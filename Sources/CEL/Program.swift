/// A compiled expression, ready to evaluate any number of times, from any number of threads.
public struct Program: Sendable {
    let root: Node
    let localCount: Int
    let globalNames: [String]
    /// The type the checker deduced for the expression (`.dyn` when compiled without the checker).
    public let resultType: CELType
    /// The runtime cost budget of one evaluation.
    public let costLimit: Int
    /// The source text the program was compiled from.
    public let source: String
    /// The static cost estimate computed at compile time (0 when planned from a parsed tree directly).
    public internal(set) var estimatedCost = 0

    /// Evaluates the expression with the given variable bindings.
    ///
    /// Throws ``EvalError`` for CEL's runtime errors (overflow, no such key, no matching overload, …) and when
    /// the evaluation's cost exceeds ``costLimit``; it never traps and never runs unbounded.
    public func evaluate(_ bindings: [String: Value] = [:]) throws(EvalError) -> Value {
        try evaluateWithCost(bindings).value
    }

    /// Evaluates and also reports the runtime cost the evaluation consumed.
    public func evaluateWithCost(_ bindings: [String: Value] = [:]) throws(EvalError) -> (value: Value, cost: Int) {
        var ctx = EvalContext(
            bindings: bindings, globalNames: globalNames, localCount: localCount, costLimit: costLimit)
        let v = try root.eval(&ctx)
        // Errors absorbed by `&&`/`||` must not hide an exhausted budget.
        if ctx.cost > costLimit { throw EvalContext.limitError(costLimit) }
        return (v, ctx.cost)
    }
}
