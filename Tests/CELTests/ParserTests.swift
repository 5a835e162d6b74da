import CountersignTesting
import Testing

@testable import CEL

@Suite struct ParserTests {
    func literal(_ source: String) throws -> Value {
        let parsed = try Parser.parse(source)
        guard case .literal(let v) = parsed.root.kind else {
            Issue.record("\(source) is not a literal")
            return .null
        }
        return v
    }

    @Test(
        arguments: [
            ("0x1F", Value.int(31)), ("42u", .uint(42)), ("0xFFu", .uint(255)), ("1e3", .double(1000)),
            (".5", .double(0.5)),
            ("1.5e-3", .double(0.0015)), ("-9223372036854775808", .int(.min)), ("-2.5", .double(-2.5)),
            ("'\\a\\b\\f\\n\\r\\t\\v\\\\\\?\\\"\\'\\`'", .string("\u{07}\u{08}\u{0C}\n\r\t\u{0B}\\?\"'`")),
            ("'\\x41\\101\\u00e9\\U0001F600'", .string("AAé😀")), ("r'\\n'", .string("\\n")),
            ("R\"\\d+\"", .string("\\d+")),
            ("'''a\nb'''", .string("a\nb")), ("\"\"\"x\"y\"\"\"", .string("x\"y")),
            ("b'\\xff\\377'", .bytes([255, 255])),
            ("b'é'", .bytes([0xC3, 0xA9])), ("rb'\\x'", .bytes([92, 120])), ("true", .bool(true)), ("null", .null),
        ] as [(String, Value)])
    func decodesLiterals(_ source: String, _ expected: Value) throws {
        let v = try literal(source)
        #expect(v.celEquals(expected) && v.typeName == expected.typeName, "\(source) → \(v)")
    }

    @Test(
        arguments: [
            ("1 + 2 * 3 - 4 / 2", Value.int(5)), ("-2 * 3", .int(-6)), ("!true || true", .bool(true)),
            ("true ? 1 : false ? 2 : 3", .int(1)), ("1 < 2 == true", .bool(true)), ("!!true", .bool(true)),
            ("--1", .int(1)), ("2 * (3 + 4)", .int(14)), ("[1, 2, 3,][1]", .int(2)), ("{'a': 1,}.a", .int(1)),
            ("'a' in {'a': 1} && 2 in [1, 2]", .bool(true)), ("{'in': 1}.in", .int(1)),
            ("{'if': 1}.if", .int(1)), ("{'k-1': 2}.`k-1`", .int(2)), ("1 // comment\n + 1", .int(2)),
        ] as [(String, Value)])
    func respectsPrecedenceAndForms(_ source: String, _ expected: Value) throws {
        #expect(try evaluate(source).celEquals(expected), "\(source)")
    }

    @Test func expandsMacros() throws {
        let parsed = try Parser.parse("[1, 2].all(x, x > 0)")
        guard case .comprehension(let c) = parsed.root.kind else {
            Issue.record("expected a comprehension")
            return
        }
        #expect(c.iterVar == "x" && c.accuVar == Expr.accumulatorName)
        guard case .call(Operator.notStrictlyFalse, _, _) = c.loopCondition.kind else {
            Issue.record("all() must stop only on a strict false")
            return
        }
        let has = try Parser.parse("has(a.b)")
        guard case .select(_, "b", testOnly: true, optional: false) = has.root.kind else {
            Issue.record("has() must become a test-only select")
            return
        }
        var noMacros = Parser.Options()
        noMacros.macros = false
        guard case .call("all", _, _) = try Parser.parse("l.all(x, x)", options: noMacros).root.kind else {
            Issue.record("with macros off, all() stays a call")
            return
        }
    }

    @Test(arguments: [
        ("1 + )", 1, 5), ("a.", 1, 3), ("'unterminated", 1, 1), ("[1, 2", 1, 6), ("if", 1, 1), ("a\n  + * 2", 2, 5),
        ("'\\q'", 1, 2), ("9223372036854775808", 1, 1), ("18446744073709551616u", 1, 1), ("has(a)", 1, 5),
        ("[].all(1, true)", 1, 8), ("'\\ud800'", 1, 2), ("b'\\u0041'", 1, 3), ("1 ? 2", 1, 6), ("x.#", 1, 3),
    ])
    func reportsSyntaxErrorsWithPosition(_ source: String, _ line: Int, _ column: Int) {
        do {
            _ = try Parser.parse(source)
            Issue.record("\(source) should not parse")
        } catch {
            #expect(error.code == .syntax || error.code == .limit)
            #expect(error.line == line && error.column == column, "\(source): \(error)")
            #expect(error.description.contains("<input>:\(line):\(column):"))
            #expect(error.description.hasSuffix(String(repeating: ".", count: column - 1) + "^"))
        }
    }

    @Test(
        arguments: [
            String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
            String(repeating: "!", count: 10_000) + "true",
            String(repeating: "-", count: 10_000) + "x",
            Array(repeating: "a", count: 20_000).joined(separator: " + "),
            Array(repeating: "a", count: 20_000).joined(separator: "."),
            Array(repeating: "f(", count: 5_000).joined() + Array(repeating: ")", count: 5_000).joined(),
        ].map { Input(text: $0) })
    func rejectsDeepInputWithoutCrashing(_ input: Input) {
        #expect(throws: CompileError.self) { try Parser.parse(input.text) }
    }

    @Test func rejectsTenMegabytesWithALimitError() {
        #expect {
            try Parser.parse(String(repeating: "x", count: 10_000_000))
        } throws: { error in
            (error as? CompileError)?.code == .limit
        }
    }

    /// A long test argument, shown in test logs by its length only.
    struct Input: CustomTestStringConvertible, Sendable {
        let text: String
        var testDescription: String { "\(text.prefix(12))… (\(text.count) characters)" }
    }

    @Test func acceptsWhatTheLanguageRequires() throws {
        // CEL requires at least 32 ||/&& terms, 24 chained ternaries and 12 levels of nested calls; the balanced
        // tree for logical chains keeps long ones shallow.
        _ = try Parser.parse(Array(repeating: "a", count: 1_000).joined(separator: " || "))
        _ = try Parser.parse(Array(repeating: "c ? x", count: 24).joined(separator: " : ") + " : y")
        _ = try Parser.parse(Array(repeating: "f(", count: 12).joined() + "1" + String(repeating: ")", count: 12))
        // An expression at the depth limit evaluates without exhausting the stack of a test thread.
        let deep = String(repeating: "(", count: 150) + "1" + String(repeating: " + 1)", count: 150)
        #expect(try evaluate(deep).celEquals(.int(151)))
    }

    @Test func randomAndMutatedInputNeverCrashes() {
        var rng = SeededRandom(seed: 0xC0FFEE)
        let fragments = [
            "a", "1", "2u", "3.0", "'s'", "b'x'", "true", "null", "[", "]", "{", "}", "(", ")", ",", ":", "?", ".", "+",
            "-", "*", "/", "%", "!", "&&", "||", "==", "<", "in", "has(", "x.all(y,", ".map(", "size(", "'\\", "\"",
            "'''", "`", "0x", "9223372036854775808", "?.", "[?", "cel.bind(", " ", "\n", "//", "é",
        ]
        let seeds = [
            "[1, 2, 3].map(x, x * 2)", "{'a': 1}.?a.orValue(0)", "has(r.a) ? r.a.b : 'c'", "'x'.matches('a+')",
        ]
        var outcomes = 0
        for i in 0..<3_000 {
            var source: String
            if i % 2 == 0 {
                source = (0..<Int(rng.next() % 12 + 1)).map { _ in fragments[Int(rng.next() % UInt64(fragments.count))]
                }
                .joined()
            } else {
                var chars = Array(seeds[Int(rng.next() % UInt64(seeds.count))])
                for _ in 0..<Int(rng.next() % 4 + 1) where !chars.isEmpty {
                    let at = Int(rng.next() % UInt64(chars.count))
                    switch rng.next() % 3 {
                    case 0: chars.remove(at: at)
                    case 1: chars.insert(Array(fragments[Int(rng.next() % UInt64(fragments.count))])[0], at: at)
                    default: chars.swapAt(at, Int(rng.next() % UInt64(chars.count)))
                    }
                }
                source = String(chars)
            }
            do {
                let program = try Environment().compile(source, check: i % 4 < 2)
                _ = try? program.evaluate(["r": .map(MapValue(["a": .map(MapValue(["b": .int(1)]))]))])
                outcomes += 1
            } catch {
                outcomes += 1
            }
        }
        #expect(outcomes == 3_000)
    }
}
