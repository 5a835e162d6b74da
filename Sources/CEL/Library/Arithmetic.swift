/// CEL arithmetic on the built-in types, overflow-checked: leaving the int64/uint64 range, dividing by zero, or
/// `Int64.min / -1` is an error value, never a trap or a wrap-around.
enum Arithmetic {
    /// The result for the standard type combinations, or `nil` when the operands are not a standard pair (the
    /// caller then dispatches to library overloads such as timestamp + duration).
    @inline(__always)
    static func apply(_ op: ArithmeticOperator, _ a: Value, _ b: Value) throws(EvalError) -> Value? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .int(try int(op, x, y))
        case (.uint(let x), .uint(let y)): return .uint(try uint(op, x, y))
        case (.double(let x), .double(let y)):
            switch op {
            case .add: return .double(x + y)
            case .subtract: return .double(x - y)
            case .multiply: return .double(x * y)
            case .divide: return .double(x / y)
            case .modulo: return nil
            }
        case (.string(let x), .string(let y)) where op == .add: return .string(x + y)
        case (.list(let x), .list(let y)) where op == .add: return .list(x + y)
        case (.bytes(let x), .bytes(let y)) where op == .add: return .bytes(x + y)
        default: return nil
        }
    }

    static func int(_ op: ArithmeticOperator, _ x: Int64, _ y: Int64) throws(EvalError) -> Int64 {
        let r: (partialValue: Int64, overflow: Bool)
        switch op {
        case .add: r = x.addingReportingOverflow(y)
        case .subtract: r = x.subtractingReportingOverflow(y)
        case .multiply: r = x.multipliedReportingOverflow(by: y)
        case .divide:
            guard y != 0 else { throw EvalError(.divisionByZero, "division by zero") }
            r = x.dividedReportingOverflow(by: y)
        case .modulo:
            guard y != 0 else { throw EvalError(.moduloByZero, "modulus by zero") }
            r = x.remainderReportingOverflow(dividingBy: y)
        }
        if r.overflow { throw EvalError.overflow("int64") }
        return r.partialValue
    }

    static func uint(_ op: ArithmeticOperator, _ x: UInt64, _ y: UInt64) throws(EvalError) -> UInt64 {
        let r: (partialValue: UInt64, overflow: Bool)
        switch op {
        case .add: r = x.addingReportingOverflow(y)
        case .subtract: r = x.subtractingReportingOverflow(y)
        case .multiply: r = x.multipliedReportingOverflow(by: y)
        case .divide:
            guard y != 0 else { throw EvalError(.divisionByZero, "division by zero") }
            r = (x / y, false)
        case .modulo:
            guard y != 0 else { throw EvalError(.moduloByZero, "modulus by zero") }
            r = (x % y, false)
        }
        if r.overflow { throw EvalError.overflow("uint64") }
        return r.partialValue
    }
}
