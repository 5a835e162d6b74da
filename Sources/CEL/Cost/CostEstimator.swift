/// A static upper bound on the runtime cost of an expression, in the same units the evaluator charges.
///
/// Like Kubernetes' estimator it is computed when a policy is compiled, so an expression that could run away
/// (nested comprehensions over unbounded inputs) is rejected before it is ever stored. Inputs of unknown size are
/// assumed to have ``assumedSize`` elements or characters; literal sizes are exact.
public struct CostEstimator: Sendable {
    /// The size assumed for a list, map or string whose size is not known statically.
    public var assumedSize: Int

    public init(assumedSize: Int = 1_000) {
        self.assumedSize = assumedSize
    }

    /// The estimated maximum cost of evaluating `expr` once. Saturates at `Int.max` instead of overflowing.
    public func estimate(_ expr: Expr) -> Int {
        var known: [String: Int] = [:]
        return cost(expr, &known).cost
    }

    /// Cost of evaluating a node, and the size of the value it produces. `known` holds the sizes of `cel.block`
    /// slots, so `cel.index(0).map(…)` over a three-element list is not assumed to be huge.
    private func cost(_ e: Expr, _ known: inout [String: Int]) -> (cost: Int, size: Int) {
        switch e.kind {
        case .literal(let v):
            return (0, v.costSize)
        case .ident(let name):
            return (1, known[name] ?? assumedSize)
        case .call("cel.@block", nil, let args) where args.count == 2:
            guard case .list(let entries, _) = args[0].kind else { break }
            var total = 0
            for (i, entry) in entries.enumerated() {
                let c = cost(entry, &known)
                total = add(total, c.cost)
                known["@index\(i)"] = c.size
            }
            return (add(total, cost(args[1], &known).cost), 1)
        default:
            break
        }
        switch e.kind {
        case .literal, .ident:
            return (0, 0)
        case .select(let operand, _, _, _):
            return (add(1, cost(operand, &known).cost), assumedSize)
        case .list(let elements, _):
            var total = 10
            for el in elements { total = add(total, cost(el, &known).cost) }
            return (total, elements.count)
        case .map(let entries):
            var total = 30
            for en in entries { total = add(total, add(cost(en.key, &known).cost, cost(en.value, &known).cost)) }
            return (total, entries.count)
        case .message(_, let fields):
            var total = 40
            for f in fields { total = add(total, cost(f.value, &known).cost) }
            return (total, 1)
        case .call(let name, let target, let args):
            var total = 1
            var inputSize = 0
            var largest = 0
            for a in (target.map { [$0] } ?? []) + args {
                let c = cost(a, &known)
                total = add(total, c.cost)
                inputSize = add(inputSize, c.size)
                largest = max(largest, c.size)
            }
            // Traversing functions (string predicates, `in`, regex, concatenation) are linear in their inputs.
            switch name {
            case "contains", "startsWith", "endsWith", "matches", "find", "findAll", Operator.in, "split", "replace",
                "indexOf", "lastIndexOf", "join", "format", Operator.add, Operator.equals, Operator.notEquals:
                total = add(total, inputSize / 10 + 1)
            default:
                break
            }
            let resultSize = name == Operator.add ? inputSize : largest
            return (total, max(resultSize, 1))
        case .comprehension(let c):
            let range = cost(c.iterRange, &known)
            let perIteration = add(add(cost(c.loopCondition, &known).cost, cost(c.loopStep, &known).cost), 1)
            var total = add(range.cost, cost(c.accuInit, &known).cost)
            total = add(total, mul(range.size, perIteration))
            total = add(total, cost(c.result, &known).cost)
            return (total, range.size)
        }
    }

    private func add(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? .max : r
    }

    private func mul(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? .max : r
    }
}
