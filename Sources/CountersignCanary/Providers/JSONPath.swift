internal import CountersignEncoding
internal import Foundation

/// Kubernetes JSONPath, the subset a metric query needs: `{$}`, `{$.data.ok}`, `{.items[0].value}`, `[-1]`,
/// `[*]` and `.*`, `['a.b']`, recursive `..name`, slices `[1:3]`, and filters `[?(@.status == 'ok')]` with one
/// comparison or an existence test. Anything else is rejected when the template loads, never misread.
struct JSONPath: Sendable, Hashable {
    let source: String
    private let steps: [Step]

    private enum Step: Hashable {
        case child(String)
        case descendant(String)
        case wildcard
        case index(Int)
        case slice(Int?, Int?)
        case filter(path: [String], op: String?, literal: JSONValue?)
    }

    init(_ text: String) throws(CanaryError) {
        source = text
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("{") {
            guard s.hasSuffix("}") else { throw Self.error(text, "unclosed '{'") }
            s = s.dropFirst().dropLast()
        }
        s = Substring(s.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("$") { s = s.dropFirst() }
        var steps: [Step] = []
        while let c = s.first {
            if s.hasPrefix("..") {
                s = s.dropFirst(2)
                let name = Self.name(&s)
                guard !name.isEmpty else { throw Self.error(text, "'..' must be followed by a name") }
                steps.append(.descendant(name))
            } else if c == "." {
                s = s.dropFirst()
                if s.first == "*" {
                    s = s.dropFirst()
                    steps.append(.wildcard)
                } else {
                    let name = Self.name(&s)
                    guard !name.isEmpty else { throw Self.error(text, "'.' must be followed by a name") }
                    steps.append(.child(name))
                }
            } else if c == "[" {
                guard let close = Self.closingBracket(s) else { throw Self.error(text, "unclosed '['") }
                let inner = String(s[s.index(after: s.startIndex)..<close]).trimmingCharacters(in: .whitespaces)
                s = s[s.index(after: close)...]
                steps.append(try Self.bracket(inner, text))
            } else {
                throw Self.error(text, "unexpected '\(c)'")
            }
        }
        self.steps = steps
    }

    private static func error(_ text: String, _ why: String) -> CanaryError {
        CanaryError(.invalidConfiguration, "jsonPath \"\(text)\": \(why)")
    }

    private static func name(_ s: inout Substring) -> String {
        let n = s.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        s = s.dropFirst(n.count)
        return String(n)
    }

    private static func closingBracket(_ s: Substring) -> Substring.Index? {
        var quote: Character?
        var depth = 0
        for i in s.indices {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "[" || c == "(" {
                depth += 1
            } else if c == "]" || c == ")" {
                depth -= 1
                if depth == 0 && c == "]" { return i }
            }
        }
        return nil
    }

    private static func bracket(_ inner: String, _ text: String) throws(CanaryError) -> Step {
        if inner == "*" { return .wildcard }
        if let quoted = unquote(inner) { return .child(quoted) }
        if let i = Int(inner) { return .index(i) }
        if inner.hasPrefix("?(") && inner.hasSuffix(")") {
            return try filter(String(inner.dropFirst(2).dropLast()), text)
        }
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2 {
            let a = parts[0].trimmingCharacters(in: .whitespaces)
            let b = parts[1].trimmingCharacters(in: .whitespaces)
            if (a.isEmpty || Int(a) != nil) && (b.isEmpty || Int(b) != nil) {
                return .slice(Int(a), Int(b))
            }
        }
        throw error(text, "unsupported subscript [\(inner)]")
    }

    private static func unquote(_ s: String) -> String? {
        guard s.count >= 2, let f = s.first, f == "'" || f == "\"", s.last == f else { return nil }
        return String(s.dropFirst().dropLast())
    }

    private static func filter(_ expr: String, _ text: String) throws(CanaryError) -> Step {
        let ops = ["==", "!=", "<=", ">=", "<", ">"]
        var lhs = expr.trimmingCharacters(in: .whitespaces)
        var op: String?
        var literal: JSONValue?
        if let found = ops.first(where: { expr.contains($0) }), let r = expr.range(of: found) {
            op = found
            lhs = expr[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            let rhs = expr[r.upperBound...].trimmingCharacters(in: .whitespaces)
            if let s = unquote(rhs) {
                literal = .string(s)
            } else if let d = Double(rhs) {
                literal = .number(d)
            } else if rhs == "true" || rhs == "false" {
                literal = .bool(rhs == "true")
            } else {
                throw error(text, "filter literal '\(rhs)' must be a quoted string, a number or a boolean")
            }
        }
        guard lhs.hasPrefix("@.") else { throw error(text, "a filter must test @.field") }
        let path = lhs.dropFirst(2).split(separator: ".").map(String.init)
        guard !path.isEmpty else { throw error(text, "a filter must test @.field") }
        return .filter(path: path, op: op, literal: literal)
    }

    /// Every match, in document order (object members in key order, so the result is deterministic).
    func evaluate(_ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            var next: [JSONValue] = []
            for v in current { Self.apply(step, v, into: &next) }
            current = next
        }
        return current
    }

    private static func children(_ v: JSONValue) -> [JSONValue] {
        switch v {
        case .array(let a): a
        case .object(let members): members.sorted { $0.0 < $1.0 }.map(\.1)
        default: []
        }
    }

    private static func apply(_ step: Step, _ v: JSONValue, into out: inout [JSONValue]) {
        switch step {
        case .child(let name):
            if let o = v.objectDictionary, let c = o[name] { out.append(c) }
        case .descendant(let name):
            if let o = v.objectDictionary, let c = o[name] { out.append(c) }
            for c in children(v) { apply(step, c, into: &out) }
        case .wildcard:
            out.append(contentsOf: children(v))
        case .index(let i):
            if case .array(let a) = v {
                let j = i < 0 ? a.count + i : i
                if a.indices.contains(j) { out.append(a[j]) }
            }
        case .slice(let from, let to):
            if case .array(let a) = v {
                func clamp(_ x: Int) -> Int { min(max(x < 0 ? a.count + x : x, 0), a.count) }
                let lo = clamp(from ?? 0)
                let hi = clamp(to ?? a.count)
                if lo < hi { out.append(contentsOf: a[lo..<hi]) }
            }
        case .filter(let path, let op, let literal):
            guard case .array(let a) = v else { return }
            for element in a {
                var field: JSONValue? = element
                for key in path {
                    guard let o = field?.objectDictionary else {
                        field = nil
                        break
                    }
                    field = o[key]
                }
                guard let field else { continue }
                if let op, let literal {
                    if compare(field, op, literal) { out.append(element) }
                } else {
                    out.append(element)
                }
            }
        }
    }

    private static func compare(_ a: JSONValue, _ op: String, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return ordered(x, op, y)
        case (.string(let x), .string(let y)): return ordered(x, op, y)
        default:
            return op == "==" ? a == b : (op == "!=" ? a != b : false)
        }
    }

    private static func ordered<T: Comparable>(_ x: T, _ op: String, _ y: T) -> Bool {
        switch op {
        case "==": x == y
        case "!=": x != y
        case "<": x < y
        case "<=": x <= y
        case ">": x > y
        default: x >= y
        }
    }
}
