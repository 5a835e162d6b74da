/// A parsed expression: the syntax tree (macros expanded) and its source, for error positions.
public struct ParsedExpr: Sendable {
    public let root: Expr
    public let source: Source
    /// One more than the largest node id in ``root``; new nodes added by later passes start here.
    public let nextID: Int

    public init(root: Expr, source: Source, nextID: Int) {
        self.root = root
        self.source = source
        self.nextID = nextID
    }
}

/// The CEL parser: recursive descent over the grammar of the CEL language definition, with macro expansion.
///
/// The tree depth is bounded (``Options/maxRecursionDepth``) and so is the source length, so no input — 10 MB
/// of text or 10,000 nested parentheses — can overflow the stack of this or any later pass.
public struct Parser {
    /// Parser settings.
    public struct Options: Sendable {
        /// Expand `has`, `all`, `exists`, `exists_one`, `map`, `filter` and the extension macros.
        public var macros = true
        /// Maximum depth of the syntax tree.
        public var maxRecursionDepth = 200
        /// Maximum source length in Unicode scalars.
        public var maxSourceLength = 100_000
        public init() {}
    }

    /// Parses `text`, or throws the first syntax error with its position.
    public static func parse(_ text: String, options: Options = .init()) throws(CompileError) -> ParsedExpr {
        var count = 0
        for _ in text.unicodeScalars {
            count += 1
            if count > options.maxSourceLength {
                throw CompileError(
                    .limit,
                    "expression is too long: more than \(options.maxSourceLength) characters")
            }
        }
        var p = try Parser(source: Source(text), options: options)
        let root = try p.parseExpr()
        guard case .eof = p.token.kind else { throw p.unexpected() }
        return ParsedExpr(root: root, source: p.lexer.source, nextID: p.nextID)
    }

    var lexer: Lexer
    var token: Token
    let options: Options
    var nextID = 1
    var depth = 0

    init(source: Source, options: Options) throws(CompileError) {
        lexer = Lexer(source: source)
        self.options = options
        token = Token(kind: .eof, offset: 0)
        token = try lexer.next()
    }

    // MARK: Helpers

    mutating func advance() throws(CompileError) { token = try lexer.next() }

    func isPunct(_ p: String) -> Bool {
        if case .punct(let q) = token.kind { return q == p }
        return false
    }

    mutating func accept(_ p: String) throws(CompileError) -> Bool {
        guard isPunct(p) else { return false }
        try advance()
        return true
    }

    mutating func expect(_ p: String) throws(CompileError) {
        guard isPunct(p) else { throw unexpected(expecting: "'\(p)'") }
        try advance()
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "<EOF>"
        case .punct(let p): return "'\(p)'"
        case .ident(let n), .keyword(let n): return "'\(n)'"
        case .quotedIdent(let n): return "'`\(n)`'"
        case .int(let v): return "'\(v)'"
        case .bigInt: return "'9223372036854775808'"
        case .uint(let v): return "'\(v)u'"
        case .double(let d): return "'\(d)'"
        case .string: return "string literal"
        case .bytes: return "bytes literal"
        }
    }

    func unexpected(expecting: String? = nil) -> CompileError {
        var message = "Syntax error: mismatched input \(describe(token))"
        if let expecting { message += " expecting \(expecting)" }
        return CompileError(.syntax, message, source: lexer.source, offset: token.offset)
    }

    func error(_ message: String, at offset: Int) -> CompileError {
        CompileError(.syntax, message, source: lexer.source, offset: offset)
    }

    mutating func node(_ kind: Expr.Kind, at offset: Int) -> Expr {
        defer { nextID += 1 }
        return Expr(id: nextID, offset: offset, kind)
    }

    mutating func call(_ name: String, _ args: [Expr], at offset: Int, target: Expr? = nil) -> Expr {
        node(.call(name, target: target, args: args), at: offset)
    }

    /// Enters one level of nesting; deeper than the limit is an error, never a stack overflow.
    mutating func enter(_ levels: Int = 1, at offset: Int) throws(CompileError) {
        depth += levels
        if depth > options.maxRecursionDepth {
            throw CompileError(
                .limit, "expression nesting exceeds the limit of \(options.maxRecursionDepth)", source: lexer.source,
                offset: offset)
        }
    }

    // MARK: Grammar

    mutating func parseExpr() throws(CompileError) -> Expr {
        try enter(at: token.offset)
        defer { depth -= 1 }
        let condition = try parseLogical(or: true)
        guard isPunct("?") else { return condition }
        let offset = token.offset
        try advance()
        let whenTrue = try parseLogical(or: true)
        try expect(":")
        let whenFalse = try parseExpr()
        return call(Operator.conditional, [condition, whenTrue, whenFalse], at: offset)
    }

    /// `a || b || c` and `a && b && c`, built as balanced trees (as cel-go does) so long chains stay shallow.
    mutating func parseLogical(or: Bool) throws(CompileError) -> Expr {
        let op = or ? "||" : "&&"
        var operands = [or ? try parseLogical(or: false) : try parseRelation()]
        var offsets: [Int] = []
        while isPunct(op) {
            offsets.append(token.offset)
            try advance()
            operands.append(or ? try parseLogical(or: false) : try parseRelation())
        }
        if operands.count == 1 { return operands[0] }
        var levels = 0
        var n = operands.count
        while n > 1 {
            levels += 1
            n = (n + 1) / 2
        }
        try enter(levels, at: offsets[0])
        depth -= levels
        return balance(operands[...], offsets[...], or ? Operator.logicalOr : Operator.logicalAnd)
    }

    mutating func balance(_ operands: ArraySlice<Expr>, _ offsets: ArraySlice<Int>, _ name: String) -> Expr {
        if operands.count == 1 { return operands.first! }
        let mid = operands.startIndex + operands.count / 2
        let left = balance(operands[..<mid], offsets[offsets.startIndex..<(mid - 1)], name)
        let right = balance(operands[mid...], offsets[mid...], name)
        return call(name, [left, right], at: offsets[mid - 1])
    }

    static let relations: [String: String] = [
        "==": Operator.equals, "!=": Operator.notEquals, "<": Operator.less, "<=": Operator.lessEquals,
        ">": Operator.greater, ">=": Operator.greaterEquals,
    ]

    mutating func parseRelation() throws(CompileError) -> Expr {
        var left = try parseAddition()
        var chain = 0
        while true {
            let offset = token.offset
            let name: String
            if case .punct(let p) = token.kind, let op = Parser.relations[p] {
                name = op
            } else if case .keyword("in") = token.kind {
                name = Operator.in
            } else {
                break
            }
            try advance()
            chain += 1
            try enter(at: offset)
            let right = try parseAddition()
            left = call(name, [left, right], at: offset)
        }
        depth -= chain
        return left
    }

    mutating func parseAddition() throws(CompileError) -> Expr {
        var left = try parseMultiplication()
        var chain = 0
        while isPunct("+") || isPunct("-") {
            let offset = token.offset
            let name = isPunct("+") ? Operator.add : Operator.subtract
            try advance()
            chain += 1
            try enter(at: offset)
            left = call(name, [left, try parseMultiplication()], at: offset)
        }
        depth -= chain
        return left
    }

    mutating func parseMultiplication() throws(CompileError) -> Expr {
        var left = try parseUnary()
        var chain = 0
        while isPunct("*") || isPunct("/") || isPunct("%") {
            let offset = token.offset
            let name = isPunct("*") ? Operator.multiply : (isPunct("/") ? Operator.divide : Operator.modulo)
            try advance()
            chain += 1
            try enter(at: offset)
            left = call(name, [left, try parseUnary()], at: offset)
        }
        depth -= chain
        return left
    }

    mutating func parseUnary() throws(CompileError) -> Expr {
        var ops: [(String, Int)] = []
        while isPunct("!") || isPunct("-") {
            ops.append((isPunct("!") ? Operator.logicalNot : Operator.negate, token.offset))
            try advance()
            try enter(at: ops.last!.1)
        }
        defer { depth -= ops.count }
        // A minus directly before a numeric literal folds into it (so -9223372036854775808 is representable).
        if let last = ops.last, last.0 == Operator.negate {
            switch token.kind {
            case .int(let v):
                let offset = last.1
                try advance()
                ops.removeLast()
                depth -= 1
                return try wrapUnary(ops, try parseMemberSuffix(node(.literal(.int(-v)), at: offset)))
            case .bigInt:
                let offset = last.1
                try advance()
                ops.removeLast()
                depth -= 1
                return try wrapUnary(ops, try parseMemberSuffix(node(.literal(.int(.min)), at: offset)))
            case .double(let d):
                let offset = last.1
                try advance()
                ops.removeLast()
                depth -= 1
                return try wrapUnary(ops, try parseMemberSuffix(node(.literal(.double(-d)), at: offset)))
            default:
                break
            }
        }
        return try wrapUnary(ops, try parseMember())
    }

    mutating func wrapUnary(_ ops: [(String, Int)], _ operand: Expr) throws(CompileError) -> Expr {
        var e = operand
        for (name, offset) in ops.reversed() { e = call(name, [e], at: offset) }
        return e
    }

    mutating func parseMember() throws(CompileError) -> Expr {
        let primary = try parsePrimary()
        return try parseMemberSuffix(primary)
    }

    mutating func parseMemberSuffix(_ start: Expr) throws(CompileError) -> Expr {
        var e = start
        var chain = 0
        defer { depth -= chain }
        while true {
            let offset = token.offset
            if isPunct(".") {
                try advance()
                let optional = try accept("?")
                let name = try parseFieldName()
                chain += 1
                try enter(at: offset)
                if !optional && isPunct("(") {
                    try advance()
                    let args = try parseList(closing: ")")
                    e = try expandCall(name, target: e, args: args, at: offset)
                } else {
                    e = node(.select(e, name, testOnly: false, optional: optional), at: offset)
                }
            } else if isPunct("[") {
                try advance()
                let optional = try accept("?")
                let index = try parseExpr()
                try expect("]")
                chain += 1
                try enter(at: offset)
                e = call(optional ? Operator.optionalIndex : Operator.index, [e, index], at: offset)
            } else if isPunct("{"), let typeName = Parser.qualifiedName(e) {
                try advance()
                chain += 1
                try enter(at: offset)
                e = node(.message(typeName, try parseFieldInits()), at: e.offset)
            } else {
                return e
            }
        }
    }

    /// `a.b.C` (or `.a.b.C`) when `e` is a plain name chain — the only place `{` starts a message literal.
    static func qualifiedName(_ e: Expr) -> String? {
        switch e.kind {
        case .ident(let n): return n
        case .select(let operand, let field, false, false):
            return qualifiedName(operand).map { "\($0).\(field)" }
        default: return nil
        }
    }

    mutating func parseFieldName() throws(CompileError) -> String {
        switch token.kind {
        case .ident(let n):
            // Reserved words are not identifiers, but they are valid field and method names after a dot.
            try advance()
            return n
        case .quotedIdent(let n):
            try advance()
            return n
        case .keyword(let n):
            // `a.in`, `a.true` are selections of fields with those names.
            try advance()
            return n
        default:
            throw unexpected(expecting: "IDENTIFIER")
        }
    }

    mutating func parseFieldInits() throws(CompileError) -> [Expr.FieldInit] {
        var fields: [Expr.FieldInit] = []
        if try accept("}") { return fields }
        repeat {
            if isPunct("}") { break }
            let optional = try accept("?")
            let name = try parseFieldName()
            try expect(":")
            fields.append(Expr.FieldInit(name: name, value: try parseExpr(), optional: optional))
        } while try accept(",")
        try expect("}")
        return fields
    }

    mutating func parseList(closing: String) throws(CompileError) -> [Expr] {
        var items: [Expr] = []
        if try accept(closing) { return items }
        repeat {
            if isPunct(closing) { break }
            items.append(try parseExpr())
        } while try accept(",")
        try expect(closing)
        return items
    }

    mutating func parsePrimary() throws(CompileError) -> Expr {
        let offset = token.offset
        switch token.kind {
        case .int(let v):
            try advance()
            return node(.literal(.int(v)), at: offset)
        case .bigInt:
            throw error("Syntax error: invalid int literal", at: offset)
        case .uint(let v):
            try advance()
            return node(.literal(.uint(v)), at: offset)
        case .double(let v):
            try advance()
            return node(.literal(.double(v)), at: offset)
        case .string(let v):
            try advance()
            return node(.literal(.string(v)), at: offset)
        case .bytes(let v):
            try advance()
            return node(.literal(.bytes(v)), at: offset)
        case .keyword(let k):
            try advance()
            switch k {
            case "true": return node(.literal(.bool(true)), at: offset)
            case "false": return node(.literal(.bool(false)), at: offset)
            case "null": return node(.literal(.null), at: offset)
            default: throw error("Syntax error: mismatched input 'in'", at: offset)
            }
        case .punct("."), .ident:
            var leadingDot = false
            if isPunct(".") {
                leadingDot = true
                try advance()
            }
            guard case .ident(let name) = token.kind else { throw unexpected(expecting: "IDENTIFIER") }
            guard !Lexer.reserved.contains(name) else {
                throw error("Syntax error: reserved identifier: \(name)", at: token.offset)
            }
            try advance()
            let full = leadingDot ? "." + name : name
            if isPunct("(") {
                try advance()
                let args = try parseList(closing: ")")
                return try expandCall(full, target: nil, args: args, at: offset)
            }
            return node(.ident(full), at: offset)
        case .punct("("):
            try advance()
            let e = try parseExpr()
            try expect(")")
            return e
        case .punct("["):
            try advance()
            try enter(at: offset)
            defer { depth -= 1 }
            var items: [Expr] = []
            var optionalIndices: [Int] = []
            if !(try accept("]")) {
                repeat {
                    if isPunct("]") { break }
                    if try accept("?") { optionalIndices.append(items.count) }
                    items.append(try parseExpr())
                } while try accept(",")
                try expect("]")
            }
            return node(.list(items, optionalIndices: optionalIndices), at: offset)
        case .punct("{"):
            try advance()
            try enter(at: offset)
            defer { depth -= 1 }
            var entries: [Expr.MapEntry] = []
            if !(try accept("}")) {
                repeat {
                    if isPunct("}") { break }
                    let optional = try accept("?")
                    let key = try parseExpr()
                    try expect(":")
                    entries.append(Expr.MapEntry(key: key, value: try parseExpr(), optional: optional))
                } while try accept(",")
                try expect("}")
            }
            return node(.map(entries), at: offset)
        default:
            throw unexpected()
        }
    }
}
