/// The syntax tree of an RE2 pattern.
indirect enum RegexNode: Sendable {
    case empty
    case literal(Unicode.Scalar, fold: Bool)
    case any(dotAll: Bool)
    case charClass(CharacterClass)
    case beginLine, endLine, beginText, endText
    case wordBoundary(negated: Bool)
    case capture(Int, RegexNode)
    case concat([RegexNode])
    case alternate([RegexNode])
    case `repeat`(RegexNode, min: Int, max: Int?, greedy: Bool)
}

/// A pattern syntax error with the scalar offset where it was found.
public struct RegexError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at offset \(offset)" }
}

/// Parses RE2 syntax (the subset RE2 and Go accept; backreferences and lookaround are rejected, as in RE2).
struct RegexParser {
    struct Flags {
        var caseInsensitive = false
        var dotAll = false
        var multiLine = false
        var ungreedy = false
    }

    let s: [Unicode.Scalar]
    var i = 0
    var captureCount = 0
    var depth = 0

    init(_ pattern: String) { s = Array(pattern.unicodeScalars) }

    func fail(_ message: String, _ at: Int? = nil) -> RegexError { RegexError(message: message, offset: at ?? i) }

    mutating func parse() throws(RegexError) -> RegexNode {
        var flags = Flags()
        let node = try parseAlternation(&flags)
        if i < s.count { throw fail(s[i] == ")" ? "unexpected )" : "unexpected character") }
        return node
    }

    mutating func parseAlternation(_ flags: inout Flags) throws(RegexError) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw fail("pattern nesting too deep") }
        var branches = [try parseConcat(&flags)]
        while i < s.count && s[i] == "|" {
            i += 1
            branches.append(try parseConcat(&flags))
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    mutating func parseConcat(_ flags: inout Flags) throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        while i < s.count && s[i] != "|" && s[i] != ")" {
            let start = i
            var atom = try parseAtom(&flags)
            // Quantifiers.
            while i < s.count {
                var minCount = 0
                var maxCount: Int? = nil
                let q = s[i]
                if q == "*" {
                    i += 1
                } else if q == "+" {
                    minCount = 1
                    i += 1
                } else if q == "?" {
                    maxCount = 1
                    i += 1
                } else if q == "{", let (lo, hi, end) = parseCount(at: i) {
                    guard lo <= 1000, (hi ?? lo) <= 1000 else { throw fail("invalid repeat count", i) }
                    guard hi == nil || hi! >= lo else { throw fail("invalid repeat count", i) }
                    minCount = lo
                    maxCount = hi
                    i = end
                } else {
                    break
                }
                if case .empty = atom, start == i { throw fail("missing argument to repetition operator") }
                if case .repeat = atom { throw fail("invalid nested repetition operator") }
                switch atom {
                case .beginLine, .endLine, .beginText, .endText, .wordBoundary:
                    break  // RE2 allows repeating empty-width assertions; they stay harmless
                default: break
                }
                var greedy = !flags.ungreedy
                if i < s.count && s[i] == "?" {
                    greedy.toggle()
                    i += 1
                }
                if i < s.count && (s[i] == "+" || s[i] == "*") && q != "{" {
                    throw fail("invalid nested repetition operator (possessive quantifiers are not supported)")
                }
                atom = .repeat(atom, min: minCount, max: maxCount, greedy: greedy)
            }
            items.append(atom)
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concat(items)
    }

    /// `{n}`, `{n,}`, `{n,m}` starting at `at`; `nil` when the brace is a literal.
    func parseCount(at: Int) -> (Int, Int?, Int)? {
        var j = at + 1
        func number() -> Int? {
            var v = 0
            var n = 0
            while j < s.count, let d = s[j].asciiDigit {
                v = min(v * 10 + Int(d), 100_000)
                j += 1
                n += 1
            }
            return n > 0 ? v : nil
        }
        guard let lo = number() else { return nil }
        if j < s.count && s[j] == "}" { return (lo, lo, j + 1) }
        guard j < s.count && s[j] == "," else { return nil }
        j += 1
        if j < s.count && s[j] == "}" { return (lo, nil, j + 1) }
        guard let hi = number(), j < s.count, s[j] == "}" else { return nil }
        return (lo, hi, j + 1)
    }

    mutating func parseAtom(_ flags: inout Flags) throws(RegexError) -> RegexNode {
        let c = s[i]
        switch c {
        case "(":
            let open = i
            i += 1
            if i < s.count && s[i] == "?" {
                i += 1
                guard i < s.count else { throw fail("missing closing )", open) }
                if s[i] == "P" || s[i] == "<" {
                    if s[i] == "P" { i += 1 }
                    guard i < s.count, s[i] == "<" else {
                        throw fail("invalid or unsupported Perl syntax", open)
                    }
                    i += 1
                    let nameStart = i
                    while i < s.count && s[i] != ">" {
                        guard s[i].isIdentPart else { throw fail("invalid named capture group", open) }
                        i += 1
                    }
                    guard i < s.count, i > nameStart else { throw fail("invalid named capture group", open) }
                    i += 1
                    return try group(&flags, capture: true, open: open)
                }
                if s[i] == "=" || s[i] == "!" {
                    throw fail("lookahead is not supported (RE2 syntax)", open)
                }
                // Flags: (?flags) or (?flags:re)
                var newFlags = flags
                var negate = false
                var sawFlag = false
                while i < s.count {
                    let f = s[i]
                    i += 1
                    switch f {
                    case "i": newFlags.caseInsensitive = !negate
                    case "s": newFlags.dotAll = !negate
                    case "m": newFlags.multiLine = !negate
                    case "U": newFlags.ungreedy = !negate
                    case "-":
                        guard !negate else { throw fail("invalid flag group", open) }
                        negate = true
                        continue
                    case ")":
                        guard sawFlag || !negate else { throw fail("invalid flag group", open) }
                        flags = newFlags
                        return .empty
                    case ":":
                        var inner = newFlags
                        let node = try parseAlternation(&inner)
                        guard i < s.count, s[i] == ")" else { throw fail("missing closing )", open) }
                        i += 1
                        return node
                    default:
                        if f == "<" { throw fail("lookbehind is not supported (RE2 syntax)", open) }
                        throw fail("invalid or unsupported Perl syntax", open)
                    }
                    sawFlag = true
                }
                throw fail("missing closing )", open)
            }
            return try group(&flags, capture: true, open: open)
        case ")":
            throw fail("unexpected )")
        case "[":
            return .charClass(try parseClass(flags))
        case ".":
            i += 1
            return .any(dotAll: flags.dotAll)
        case "^":
            i += 1
            return flags.multiLine ? .beginLine : .beginText
        case "$":
            i += 1
            return flags.multiLine ? .endLine : .endText
        case "\\":
            return try parseEscape(flags, inClass: false).node
        case "*", "+", "?":
            throw fail("missing argument to repetition operator")
        default:
            i += 1
            return .literal(c, fold: flags.caseInsensitive)
        }
    }

    mutating func group(_ flags: inout Flags, capture: Bool, open: Int) throws(RegexError) -> RegexNode {
        captureCount += 1
        let index = captureCount
        var inner = flags
        let node = try parseAlternation(&inner)
        guard i < s.count, s[i] == ")" else { throw fail("missing closing )", open) }
        i += 1
        return .capture(index, node)
    }

    /// An escape outside or inside a class: a node (outside) or class items (inside).
    mutating func parseEscape(_ flags: Flags, inClass: Bool) throws(RegexError) -> (
        node: RegexNode, items: [CharacterClass.Item]
    ) {
        let start = i
        i += 1
        guard i < s.count else { throw fail("trailing backslash at end of expression", start) }
        let e = s[i]
        i += 1
        func lit(_ v: Unicode.Scalar) -> (RegexNode, [CharacterClass.Item]) {
            (.literal(v, fold: flags.caseInsensitive), [.range(v.value, v.value)])
        }
        switch e {
        case "a": return lit("\u{07}")
        case "f": return lit("\u{0C}")
        case "t": return lit("\t")
        case "n": return lit("\n")
        case "r": return lit("\r")
        case "v": return lit("\u{0B}")
        case "0"..."7":
            // Octal: \0, \012; \1-\9 alone would be a backreference, which RE2 rejects.
            if e != "0" && !(i < s.count && s[i].isOctal) {
                throw fail("backreferences are not supported (RE2 syntax)", start)
            }
            var v = e.value - 48
            var n = 1
            while n < 3, i < s.count, s[i].isOctal {
                v = v * 8 + s[i].value - 48
                i += 1
                n += 1
            }
            return lit(Unicode.Scalar(v)!)
        case "8", "9":
            throw fail("backreferences are not supported (RE2 syntax)", start)
        case "x":
            var v: UInt32 = 0
            if i < s.count && s[i] == "{" {
                i += 1
                var n = 0
                while i < s.count, let d = s[i].hexValue {
                    v = v &* 16 &+ d
                    i += 1
                    n += 1
                    guard n <= 8 else { throw fail("invalid escape sequence", start) }
                }
                guard n > 0, i < s.count, s[i] == "}" else { throw fail("invalid escape sequence", start) }
                i += 1
            } else {
                for _ in 0..<2 {
                    guard i < s.count, let d = s[i].hexValue else { throw fail("invalid escape sequence", start) }
                    v = v * 16 + d
                    i += 1
                }
            }
            guard let scalar = Unicode.Scalar(v) else { throw fail("invalid escape sequence", start) }
            return lit(scalar)
        case "d", "D", "w", "W", "s", "S":
            let items: [CharacterClass.Item] = [.perl(e)]
            return (.charClass(CharacterClass(items: items, negated: false, fold: false)), items)
        case "p", "P":
            var name = ""
            if i < s.count && s[i] == "{" {
                i += 1
                while i < s.count && s[i] != "}" {
                    name.unicodeScalars.append(s[i])
                    i += 1
                }
                guard i < s.count else { throw fail("invalid character class range", start) }
                i += 1
            } else if i < s.count {
                name = String(s[i])
                i += 1
            }
            var negated = e == "P"
            if name.hasPrefix("^") {
                negated.toggle()
                name.removeFirst()
            }
            guard CharacterClass.isKnownCategory(name) else {
                throw fail("invalid character class range: unknown Unicode class \\p{\(name)}", start)
            }
            let item = CharacterClass.Item.category(name, negated: negated)
            return (.charClass(CharacterClass(items: [item], negated: false, fold: false)), [item])
        case "b" where !inClass: return (.wordBoundary(negated: false), [])
        case "B" where !inClass: return (.wordBoundary(negated: true), [])
        case "A" where !inClass: return (.beginText, [])
        case "z" where !inClass: return (.endText, [])
        case "Z", "C", "G", "X", "R", "K", "k", "g", "Q", "E", "N", "h", "H", "V", "e", "c", "o", "u", "U", "l", "L":
            throw fail("invalid escape sequence: \\\(e) is not supported (RE2 syntax)", start)
        default:
            guard e.isASCII, !e.isIdentPart else { throw fail("invalid escape sequence", start) }
            return lit(e)  // escaped punctuation
        }
    }

    mutating func parseClass(_ flags: Flags) throws(RegexError) -> CharacterClass {
        let open = i
        i += 1
        var negated = false
        if i < s.count && s[i] == "^" {
            negated = true
            i += 1
        }
        var items: [CharacterClass.Item] = []
        var first = true
        while true {
            guard i < s.count else { throw fail("missing closing ]", open) }
            if s[i] == "]" && !first {
                i += 1
                break
            }
            first = false
            // POSIX classes: [:alpha:]
            if s[i] == "[", i + 1 < s.count, s[i + 1] == ":" {
                var j = i + 2
                var name = ""
                var posixNegated = false
                if j < s.count && s[j] == "^" {
                    posixNegated = true
                    j += 1
                }
                while j < s.count && s[j] != ":" {
                    name.unicodeScalars.append(s[j])
                    j += 1
                }
                guard j + 1 < s.count, s[j + 1] == "]", CharacterClass.isKnownPOSIX(name) else {
                    throw fail("invalid character class range", i)
                }
                items.append(.posix(name, negated: posixNegated))
                i = j + 2
                continue
            }
            var lo: UInt32
            if s[i] == "\\" {
                let escStart = i
                let (_, escItems) = try parseEscape(flags, inClass: true)
                guard escItems.count == 1, case .range(let a, let b) = escItems[0], a == b else {
                    items.append(contentsOf: escItems)
                    if i < s.count, s[i] == "-", i + 1 < s.count, s[i + 1] != "]" {
                        throw fail("invalid character class range", escStart)
                    }
                    continue
                }
                lo = a
            } else {
                lo = s[i].value
                i += 1
            }
            var hi = lo
            if i + 1 < s.count && s[i] == "-" && s[i + 1] != "]" {
                i += 1
                if s[i] == "\\" {
                    let (_, escItems) = try parseEscape(flags, inClass: true)
                    guard escItems.count == 1, case .range(let a, let b) = escItems[0], a == b else {
                        throw fail("invalid character class range", i)
                    }
                    hi = a
                } else {
                    hi = s[i].value
                    i += 1
                }
                guard hi >= lo else { throw fail("invalid character class range", i) }
            }
            items.append(.range(lo, hi))
        }
        return CharacterClass(items: items, negated: negated, fold: flags.caseInsensitive)
    }
}
