/// A parse, type-check or cost error found while compiling an expression, with its position in the source.
///
/// ``description`` renders the message the way CEL tools do, with the offending line and a caret:
/// ```
/// ERROR: <input>:1:5: Syntax error: mismatched input ')'
///  | a + )
///  | ....^
/// ```
public struct CompileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable classification of compile errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String {
            case syntax, type, cost, limit
        }
        fileprivate let base: Base
        /// The source is not a well-formed expression.
        public static let syntax = Code(base: .syntax)
        /// The expression is well formed but does not type-check.
        public static let type = Code(base: .type)
        /// The static cost estimate exceeds the configured limit.
        public static let cost = Code(base: .cost)
        /// The source exceeds a size or nesting limit.
        public static let limit = Code(base: .limit)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// 1-based line and column (in Unicode scalars) of the error; 0 when the error has no position.
    public let line: Int
    public let column: Int
    /// The source line the error is on, for the caret display.
    public let sourceLine: String

    public init(_ code: Code, _ message: String, line: Int = 0, column: Int = 0, sourceLine: String = "") {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
    }

    /// Creates an error positioned at scalar `offset` of `source`.
    public init(_ code: Code, _ message: String, source: Source, offset: Int) {
        let (line, column, text) = source.location(of: offset)
        self.init(code, message, line: line, column: column, sourceLine: text)
    }

    public var description: String {
        guard line > 0 else { return "ERROR: <input>: \(message)" }
        let caret = String(repeating: ".", count: max(0, column - 1)) + "^"
        return "ERROR: <input>:\(line):\(column): \(message)\n | \(sourceLine)\n | \(caret)"
    }

    public static func == (lhs: CompileError, rhs: CompileError) -> Bool {
        lhs.code == rhs.code && lhs.line == rhs.line && lhs.column == rhs.column
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(line)
        hasher.combine(column)
    }
}

/// Expression source text, indexed by Unicode scalar offsets.
public struct Source: Sendable {
    public let text: String
    public let scalars: [Unicode.Scalar]

    public init(_ text: String) {
        self.text = text
        scalars = Array(text.unicodeScalars)
    }

    /// 1-based line, 1-based column and the text of the line containing scalar `offset`.
    public func location(of offset: Int) -> (line: Int, column: Int, text: String) {
        let clamped = min(max(0, offset), scalars.count)
        var line = 1
        var lineStart = 0
        for i in 0..<clamped where scalars[i] == "\n" {
            line += 1
            lineStart = i + 1
        }
        var lineEnd = lineStart
        while lineEnd < scalars.count && scalars[lineEnd] != "\n" { lineEnd += 1 }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[lineStart..<lineEnd].prefix(200))
        return (line, clamped - lineStart + 1, String(text))
    }
}
