/// A planned expression: the syntax tree with names resolved to slots, functions resolved to their overload sets,
/// and the hot operators given their own cases so evaluation is a tight `switch`.
indirect enum Node: Sendable {
    case constant(Value)
    /// A variable from the bindings, by its index in ``Program``'s global names (looked up once per evaluation).
    case global(Int)
    /// A dotted name whose split between variable and field selection is decided at run time, longest variable
    /// name first (`a.b.c` is variable `a.b.c`, else `a.b` then `.c`, else `a` then `.b.c`).
    case qualified([QualifiedCandidate])
    /// A comprehension variable, accumulator or `cel.bind` name, by slot.
    case local(Int)
    /// A lazily evaluated `cel.block` slot.
    case blockIndex(slot: Int, memoize: Bool, Node)
    case select(Node, String, SelectKind)
    case index(Node, Node, optional: Bool)
    case and(Node, Node)
    case or(Node, Node)
    case not(Node)
    case conditional(Node, Node, Node)
    case notStrictlyFalse(Node)
    case equals(Node, Node, negated: Bool)
    case relation(Node, Node, Relation, Dispatch)
    case arithmetic(Node, Node, ArithmeticOperator, Dispatch)
    case negate(Node, Dispatch)
    case membership(Node, Node, Dispatch)
    case call(Dispatch, [Node])
    case list([Node], optional: [Bool]?)
    case map([(key: Node, value: Node, optional: Bool)])
    case comprehension(ComprehensionNode)
    case block(firstSlot: Int, count: Int, Node)
    /// `opt.or(other)` / `opt.orValue(other)`: the argument is evaluated only when needed.
    case optionalOr(Node, Node, orValue: Bool)
    /// `cel.@mapInsert(map, key, value)` / `cel.@mapInsert(map, entries)` used by `transformMap`.
    case mapInsert([Node])
    /// Fails with the error when evaluated; used for names and calls that can never succeed, so the error
    /// appears only on the path that reaches it.
    case failure(EvalError)
}

struct QualifiedCandidate: Sendable {
    let variable: String
    let fields: [String]
}

enum SelectKind: Sendable {
    case field
    case presence
    case optional
}

enum Relation: Sendable {
    case less, lessEquals, greater, greaterEquals

    func holds(_ c: Int) -> Bool {
        switch self {
        case .less: return c < 0
        case .lessEquals: return c <= 0
        case .greater: return c > 0
        case .greaterEquals: return c >= 0
        }
    }
}

enum ArithmeticOperator: Sendable {
    case add, subtract, multiply, divide, modulo
}

struct ComprehensionNode: Sendable {
    let range: Node
    let iterSlot: Int
    let iterSlot2: Int?
    let accuSlot: Int
    let accuInit: Node
    let condition: Node
    let step: Node
    let result: Node
    /// `cel.bind` expands to a comprehension over an empty list; it needs no iteration machinery.
    let isBind: Bool
}
