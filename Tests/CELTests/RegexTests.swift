import CountersignTesting
import Testing

@testable import CEL

@Suite struct RegexTests {
    @Test(arguments: [
        ("ubb", "hubba", true), ("^ubb", "hubba", false), ("^h.*a$", "hubba", true), ("", "anything", true),
        ("gr(a|e)y", "grey", true), ("ba(na)*$", "banana", true), ("a+ñ+a+", "mañana", true), ("(a|😀){2}", "🐱😀😀", true),
        ("^\\d{3}-\\d{4}$", "555-1234", true), ("^\\d{3}-\\d{4}$", "555-12345", false), ("\\bfoo\\b", "a foo b", true),
        ("\\bfoo\\b", "afoob", false), ("(?i)HELLO", "hello", true), ("(?i:É)", "é", true),
        ("[[:alpha:]]+$", "abc1", false),
        ("^[^0-9]*$", "abc", true), ("\\pL+", "日本", true), ("^\\p{Lu}", "Éa", true), ("^\\P{Lu}", "Éa", false),
        ("a.c", "a\nc", false), ("(?s)a.c", "a\nc", true), ("(?m)^b$", "a\nb\nc", true), ("^b$", "a\nb\nc", false),
        ("x{2,3}", "xx", true), ("^x{2,3}$", "xxxx", false), ("^x{2,}$", "xxxx", true),
        ("\\x41\\x{42}\\101", "ABA", true),
        ("[a\\-z]", "-", true), ("[\\d\\s]", " ", true), ("\\.", "a.b", true), ("\\.", "ab", false),
        ("a{,2}", "a{,2}", true),
        ("^$", "", true), ("\\Aab\\z", "ab", true), ("(?U)a+", "aaa", true),
    ])
    func matches(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try LinearRegex(pattern).matches(text) == expected, "\(pattern) on \(text)")
    }

    @Test(arguments: [
        ("(a|ab)(c|bcd)(d*)", "abcd", "abcd"), ("a*?", "aaa", ""), ("a+?", "aaa", "a"), ("a*", "baaa", ""),
        ("[0-9]+", "abc123def456", "123"), ("(?U)a+", "aaa", "a"), ("a|ab", "ab", "a"), ("ab|a", "ab", "ab"),
        ("\\w+@\\w+\\.com", "mail bob@example.com now", "bob@example.com"), ("x*y", "xxz xxy", "xxy"),
    ])
    func findsTheLeftmostFirstMatch(_ pattern: String, _ text: String, _ expected: String) throws {
        #expect(try LinearRegex(pattern).firstMatch(in: text) == expected)
    }

    @Test func findsAllMatchesLikeGo() throws {
        #expect(try LinearRegex("[0-9]+").allMatches(in: "a1b22c333") == ["1", "22", "333"])
        #expect(try LinearRegex("[0-9]+").allMatches(in: "a1b22c333", limit: 2) == ["1", "22"])
        // Go: an empty match abutting the previous match is skipped.
        #expect(try LinearRegex("a*").allMatches(in: "baaab") == ["", "aaa", ""])
        #expect(try LinearRegex("x").allMatches(in: "abc").isEmpty)
        let groups = try LinearRegex("(\\w+)@(\\w+)?").firstMatchGroups(in: "me@")
        #expect(groups?.count == 3)
        #expect(groups?[1] == "me" && groups?[2] == nil)
    }

    @Test(arguments: [
        "(", ")", "a)", "[a", "a{1001}", "a{3,2}", "*a", "a**", "a++", "\\1", "(a)\\1", "(?=a)", "(?!a)", "(?<=a)b",
        "\\", "[z-a]", "\\p{Nope}", "\\Z", "(?P<a-b>x)", "x{2}{3}",
    ])
    func rejectsInvalidOrNonRE2Patterns(_ pattern: String) {
        #expect(throws: RegexError.self) { try LinearRegex(pattern) }
    }

    @Test func boundsProgramSize() {
        #expect(throws: RegexError.self) { try LinearRegex("((a{1000}){1000}){1000}") }
        #expect(throws: RegexError.self) { try LinearRegex("(((((((((((((a{100}){100})))))))))))") }
    }

    @Test(arguments: ["(a*)*b", "(a|a)*b", "(x+x+)+y", "(a|aa)+$", "^(\\w+\\s?)*$"])
    func pathologicalPatternsRunInLinearTime(_ pattern: String) throws {
        // Catastrophic for a backtracking engine (2^n steps); here at most input length × program size steps.
        let text = String(repeating: pattern.contains("x") ? "x" : "a", count: 10_000) + "!"
        #expect(try LinearRegex(pattern).matches(text) == false)
    }

    @Test func agreesWithABacktrackingReferenceOnSmallInputs() throws {
        var rng = SeededRandom(seed: 42)
        let atoms = ["a", "b", ".", "[ab]", "(a|b)", "(ab)", "a?", "b*", "(a|ab)", "[^a]"]
        let quantifiers = ["", "", "*", "+", "?", "*?", "+?"]
        for _ in 0..<1_500 {
            var pattern = ""
            for _ in 0..<Int(rng.next() % 4 + 1) {
                pattern += atoms[Int(rng.next() % UInt64(atoms.count))]
                pattern += quantifiers[Int(rng.next() % UInt64(quantifiers.count))]
            }
            if pattern.contains("?*") || pattern.contains("?+") || pattern.contains("*+") || pattern.contains("+*")
                || pattern.contains("**") || pattern.contains("++") || pattern.contains("??") || pattern.contains("*?*")
            {
                continue
            }
            guard let regex = try? LinearRegex(pattern) else { continue }
            for _ in 0..<6 {
                let text = String((0..<Int(rng.next() % 6)).map { _ in rng.next() % 2 == 0 ? "a" : "b" as Character })
                let expected = Backtracker.matchesAnywhere(pattern, text)
                if let expected {
                    #expect(regex.matches(text) == expected, "pattern \(pattern) on \(text)")
                }
            }
        }
    }
}

/// A tiny exponential-time reference matcher for the subset the property test generates (literals a/b, `.`,
/// `[ab]`, `[^a]`, groups with `|`, and the quantifiers `* + ?` with lazy forms — laziness does not change
/// whether a match exists). Returns `nil` for syntax it does not handle.
enum Backtracker {
    indirect enum Node {
        case char((Character) -> Bool)
        case group([[Node]])
        case star(Node, min: Int, max: Int?)
    }

    static func parse(_ s: [Character], _ i: inout Int) -> [[Node]]? {
        var branches: [[Node]] = [[]]
        while i < s.count && s[i] != ")" {
            if s[i] == "|" {
                branches.append([])
                i += 1
                continue
            }
            var atom: Node
            switch s[i] {
            case "a", "b":
                let c = s[i]
                atom = .char { $0 == c }
                i += 1
            case ".":
                atom = .char { $0 != "\n" }
                i += 1
            case "[":
                let negated = s[i + 1] == "^"
                var j = negated ? i + 2 : i + 1
                var set: Set<Character> = []
                while s[j] != "]" {
                    set.insert(s[j])
                    j += 1
                }
                atom = .char { set.contains($0) != negated }
                i = j + 1
            case "(":
                i += 1
                guard let inner = parse(s, &i), i < s.count, s[i] == ")" else { return nil }
                i += 1
                atom = .group(inner)
            default:
                return nil
            }
            if i < s.count, "*+?".contains(s[i]) {
                let q = s[i]
                atom = .star(atom, min: q == "+" ? 1 : 0, max: q == "?" ? 1 : nil)
                i += 1
                if i < s.count, s[i] == "?" { i += 1 }
            }
            branches[branches.count - 1].append(atom)
        }
        return branches
    }

    static func matchesAnywhere(_ pattern: String, _ text: String) -> Bool? {
        let p = Array(pattern)
        var i = 0
        guard let tree = parse(p, &i), i == p.count else { return nil }
        let t = Array(text)
        for start in 0...t.count where !ends(.group(tree), t, start).isEmpty { return true }
        return false
    }

    /// Every position where `node` can end when started at `at`.
    static func ends(_ node: Node, _ t: [Character], _ at: Int) -> Set<Int> {
        switch node {
        case .char(let f): return at < t.count && f(t[at]) ? [at + 1] : []
        case .group(let branches):
            var result: Set<Int> = []
            for branch in branches {
                var positions: Set<Int> = [at]
                for n in branch { positions = Set(positions.flatMap { ends(n, t, $0) }) }
                result.formUnion(positions)
            }
            return result
        case .star(let inner, let minCount, let maxCount):
            var result: Set<Int> = minCount == 0 ? [at] : []
            var frontier: Set<Int> = [at]
            var count = 0
            while !frontier.isEmpty, maxCount == nil || count < maxCount! {
                count += 1
                let next = Set(frontier.flatMap { ends(inner, t, $0) }).subtracting(count > minCount ? result : [])
                if count >= minCount { result.formUnion(next) }
                if next == frontier { break }
                frontier = next
                if count > t.count + 1 { break }
            }
            return result
        }
    }
}
