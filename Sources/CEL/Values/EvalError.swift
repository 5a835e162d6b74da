/// An evaluation error: CEL's error value.
///
/// Evaluation throws this; the interpreter absorbs it where the language says a result is determined anyway
/// (`false && error` is `false`). Equality is on the code only, so messages can improve without breaking callers.
public struct EvalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable classification of evaluation errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String {
            case noMatchingOverload = "no_matching_overload"
            case noSuchKey = "no_such_key"
            case noSuchField = "no_such_field"
            case noSuchAttribute = "no_such_attribute"
            case divisionByZero = "division_by_zero"
            case moduloByZero = "modulo_by_zero"
            case overflow = "overflow"
            case outOfRange = "out_of_range"
            case invalidArgument = "invalid_argument"
            case unboundVariable = "unbound_variable"
            case costLimitExceeded = "cost_limit_exceeded"
            case unsupported = "unsupported"
        }
        fileprivate let base: Base
        public static let noMatchingOverload = Code(base: .noMatchingOverload)
        public static let noSuchKey = Code(base: .noSuchKey)
        public static let noSuchField = Code(base: .noSuchField)
        public static let noSuchAttribute = Code(base: .noSuchAttribute)
        public static let divisionByZero = Code(base: .divisionByZero)
        public static let moduloByZero = Code(base: .moduloByZero)
        public static let overflow = Code(base: .overflow)
        public static let outOfRange = Code(base: .outOfRange)
        public static let invalidArgument = Code(base: .invalidArgument)
        public static let unboundVariable = Code(base: .unboundVariable)
        public static let costLimitExceeded = Code(base: .costLimitExceeded)
        public static let unsupported = Code(base: .unsupported)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: EvalError, rhs: EvalError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// `no matching overload for 'size' applied to (int)`.
    public static func noOverload(_ function: String, _ args: [Value]) -> EvalError {
        EvalError(
            .noMatchingOverload,
            "no matching overload for '\(function)' applied to (\(args.map(\.typeName).joined(separator: ", ")))")
    }
    public static func overflow(_ what: String) -> EvalError { EvalError(.overflow, "\(what) overflow") }
    public static func noSuchKey(_ key: Value) -> EvalError { EvalError(.noSuchKey, "no such key: \(key)") }
    public static func noSuchField(_ name: String) -> EvalError {
        EvalError(.noSuchField, "no such field '\(name)'")
    }
}
