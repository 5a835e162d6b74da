/// The mutable state of one evaluation: the bindings, the local slots of comprehensions and blocks, and the
/// running cost. It lives on the caller's stack and is passed `inout`, so a ``Program`` stays immutable and can be
/// evaluated from many threads at once.
struct EvalContext {
    let bindings: [String: Value]
    /// The values of the program's directly referenced bindings, looked up once per evaluation.
    let globals: [Value?]
    let globalNames: [String]
    /// Slot contents. A comprehension accumulator may hold an error (`all` keeps looking for a `false` that
    /// absorbs it), so slots hold results, not values.
    var locals: [Result<Value, EvalError>?]
    var cost: Int
    let costLimit: Int

    init(bindings: [String: Value], globalNames: [String], localCount: Int, costLimit: Int) {
        self.bindings = bindings
        self.globals = globalNames.map { bindings[$0] }
        self.globalNames = globalNames
        self.locals = localCount == 0 ? [] : Array(repeating: nil, count: localCount)
        self.cost = 0
        self.costLimit = costLimit
    }

    /// Adds `units` to the running cost and stops the evaluation once it exceeds the limit.
    @inline(__always)
    mutating func charge(_ units: Int) throws(EvalError) {
        cost &+= units
        if cost > costLimit { throw EvalContext.limitError(costLimit) }
    }

    mutating func charge(_ cost: Overload.Cost, _ args: [Value], _ result: Value) throws(EvalError) {
        switch cost {
        case .fixed(let c): try charge(c)
        case .linear(let factor):
            var size = result.costSize
            for a in args { size += a.costSize }
            try charge(linear: factor, size: size)
        case .custom(let f): try charge(f(args, result))
        }
    }

    /// `1 + ⌈factor × size⌉`, the cost of a function that traverses its inputs and builds its result (so output
    /// that grows — concatenation, `replace` — is paid for, and repeated doubling hits the budget, not the memory).
    @inline(__always)
    mutating func charge(linear factor: Double, size: Int) throws(EvalError) {
        try charge(1 + Int((factor * Double(size)).rounded(.up)))
    }

    static func limitError(_ limit: Int) -> EvalError {
        EvalError(.costLimitExceeded, "operation cancelled: actual cost limit exceeded (limit \(limit))")
    }
}

extension Value {
    /// The size used by cost accounting: characters of strings (UTF-8 bytes, a cheap upper bound), bytes, list
    /// elements and map entries; 1 for everything else.
    var costSize: Int {
        switch self {
        case .string(let s): return s.utf8.count
        case .bytes(let b): return b.count
        case .list(let l): return l.count
        case .map(let m): return m.count
        default: return 1
        }
    }
}
