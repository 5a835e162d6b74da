internal import CEL
internal import Foundation

/// The helper functions Argo Rollouts binds beside `result` (reference §3.2), as a CEL library, so conditions
/// written for Argo — `isNaN(result) || result >= 0.95`, `default(result, 0) < 0.05`, `len(result) == 0` — keep
/// their meaning. Everything else in a condition is plain CEL.
enum ArgoFunctions {
    static let library = Library(
        "argo",
        functions: [
            Function("asInt", [Overload("argo_as_int", [.dyn], .int, asInt)]),
            Function("asFloat", [Overload("argo_as_float", [.dyn], .double, asFloat)]),
            Function("isNaN", [Overload("argo_is_nan", [.dyn], .bool, isNaN)]),
            Function("isInf", [Overload("argo_is_inf", [.dyn], .bool, isInf)]),
            Function("isNil", [Overload("argo_is_nil", [.dyn], .bool, isNil)]),
            Function(
                "default",
                [Overload("argo_default", [.dyn, .dyn], .dyn, defaultValue)]),
            // expr-lang's `len`; CEL spells it `size`. Argo's documented empty-vector guard uses `len`.
            Function("len", [Overload("argo_len", [.dyn], .int, length)]),
        ])

    /// Argo's `asInt`: ints as they are, strings parsed as integers ("1.1" is an error, as in Argo's tests).
    static func asInt(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .int: return v
        case .uint(let u):
            guard let i = Int64(exactly: u) else { throw EvalError(.overflow, "asInt: \(u) overflows int") }
            return .int(i)
        case .double(let d):
            guard let i = Int64(exactly: d) else { throw EvalError(.invalidArgument, "asInt: \(d) is not an integer") }
            return .int(i)
        case .string(let s):
            guard let i = Int64(s.trimmingCharacters(in: .whitespaces)) else {
                throw EvalError(.invalidArgument, "asInt: \"\(s)\" is not an integer")
            }
            return .int(i)
        default: throw EvalError.noOverload("asInt", [v])
        }
    }

    /// Argo's `asFloat`: numbers widened, strings parsed (including "NaN" and "+Inf", as Prometheus writes them).
    static func asFloat(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .double: return v
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            guard let d = PrometheusNumber.parse(s) else {
                throw EvalError(.invalidArgument, "asFloat: \"\(s)\" is not a number")
            }
            return .double(d)
        default: throw EvalError.noOverload("asFloat", [v])
        }
    }

    static func isNaN(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .double(let d): return .bool(d.isNaN)
        case .int, .uint: return .bool(false)
        default: throw EvalError.noOverload("isNaN", [v])
        }
    }

    static func isInf(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .double(let d): return .bool(d.isInfinite)
        case .int, .uint: return .bool(false)
        default: throw EvalError.noOverload("isInf", [v])
        }
    }

    static func isNil(_ v: Value) throws(EvalError) -> Value {
        if case .null = v { return .bool(true) }
        return .bool(false)
    }

    /// Argo's `default(x, d)`: `d` when `x` is nil.
    static func defaultValue(_ v: Value, _ fallback: Value) throws(EvalError) -> Value {
        if case .null = v { return fallback }
        return v
    }

    static func length(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .list(let l): return .int(Int64(l.count))
        case .map(let m): return .int(Int64(m.count))
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .bytes(let b): return .int(Int64(b.count))
        default: throw EvalError.noOverload("len", [v])
        }
    }
}

/// Numbers as Prometheus and Go write them: decimal, `NaN`, `+Inf`, `-Inf`, `Inf`.
enum PrometheusNumber {
    static func parse(_ text: String) -> Double? {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "NaN": return .nan
        case "+Inf", "Inf", "inf", "+inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case let s: return Double(s)
        }
    }
}
