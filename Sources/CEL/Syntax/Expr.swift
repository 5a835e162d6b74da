/// A node of the parsed CEL syntax tree, after macro expansion.
///
/// The shape follows cel-spec's `syntax.proto`: macros (`has`, `all`, `exists`, `map`, …) are expanded by the
/// parser into ``Comprehension`` nodes and a test-only ``Kind/select(_:_:testOnly:optional:)``, so the checker and
/// the interpreter only know the core forms. Each node has a unique `id` and the scalar `offset` of its first
/// character for error messages.
public struct Expr: Sendable {
    public var id: Int
    public var offset: Int
    public var kind: Kind

    public init(id: Int, offset: Int, _ kind: Kind) {
        self.id = id
        self.offset = offset
        self.kind = kind
    }

    public indirect enum Kind: Sendable {
        /// A literal: null, bool, int, uint, double, string or bytes.
        case literal(Value)
        /// An identifier; a leading dot (root scope) is kept in the name: `.a.b` is `ident(".a")` selected `b`.
        case ident(String)
        /// `operand.field`; `testOnly` is the `has(operand.field)` form; `optional` is `operand.?field`.
        case select(Expr, String, testOnly: Bool, optional: Bool)
        /// A call: `f(args)` has `target == nil`; `t.f(args)` has the receiver as `target`. Operators are calls
        /// with the names in ``Operator``.
        case call(String, target: Expr?, args: [Expr])
        /// `[a, ?b]`: `optionalIndices` lists the positions written with `?`.
        case list([Expr], optionalIndices: [Int])
        /// `{k: v, ?k2: v2}`.
        case map([MapEntry])
        /// `pkg.Type{field: v, ?f2: v2}`.
        case message(String, [FieldInit])
        /// A macro expansion (see ``Comprehension``).
        case comprehension(Comprehension)
    }

    public struct MapEntry: Sendable {
        public var key: Expr
        public var value: Expr
        public var optional: Bool
        public init(key: Expr, value: Expr, optional: Bool) {
            self.key = key
            self.value = value
            self.optional = optional
        }
    }

    public struct FieldInit: Sendable {
        public var name: String
        public var value: Expr
        public var optional: Bool
        public init(name: String, value: Expr, optional: Bool) {
            self.name = name
            self.value = value
            self.optional = optional
        }
    }
}

/// The loop every CEL macro expands to (cel-spec `Expr.Comprehension`):
///
/// ```
/// accu = accuInit
/// for (iterVar[, iterVar2]) in iterRange {   // lists: (index, value) with two vars, else value; maps: key[, value]
///     if !loopCondition { break }
///     accu = loopStep
/// }
/// return result
/// ```
public struct Comprehension: Sendable {
    public var iterVar: String
    /// The second variable of two-variable comprehensions (`all(i, v, p)`, `transformList`), or `nil`.
    public var iterVar2: String?
    public var iterRange: Expr
    public var accuVar: String
    public var accuInit: Expr
    public var loopCondition: Expr
    public var loopStep: Expr
    public var result: Expr

    public init(
        iterVar: String, iterVar2: String? = nil, iterRange: Expr, accuVar: String, accuInit: Expr,
        loopCondition: Expr, loopStep: Expr, result: Expr
    ) {
        self.iterVar = iterVar
        self.iterVar2 = iterVar2
        self.iterRange = iterRange
        self.accuVar = accuVar
        self.accuInit = accuInit
        self.loopCondition = loopCondition
        self.loopStep = loopStep
        self.result = result
    }
}

/// The function names operators are parsed to (the names cel-spec and every CEL implementation use).
public enum Operator {
    public static let conditional = "_?_:_"
    public static let logicalAnd = "_&&_"
    public static let logicalOr = "_||_"
    public static let logicalNot = "!_"
    public static let equals = "_==_"
    public static let notEquals = "_!=_"
    public static let less = "_<_"
    public static let lessEquals = "_<=_"
    public static let greater = "_>_"
    public static let greaterEquals = "_>=_"
    public static let add = "_+_"
    public static let subtract = "_-_"
    public static let multiply = "_*_"
    public static let divide = "_/_"
    public static let modulo = "_%_"
    public static let negate = "-_"
    public static let index = "_[_]"
    /// `a[?b]`.
    public static let optionalIndex = "_[?_]"
    /// `a.?b` in cel-go is a call; here it is ``Expr/Kind/select(_:_:testOnly:optional:)`` with `optional: true`.
    public static let `in` = "@in"
    /// Used by `all`/`exists` expansions: true unless the argument is `false` (errors count as true), so the loop
    /// keeps going past an error in case a later element decides the result.
    public static let notStrictlyFalse = "@not_strictly_false"
}

extension Expr {
    /// The accumulator variable name macros use; it cannot collide with a user identifier.
    public static let accumulatorName = "@result"
}
