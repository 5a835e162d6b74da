import CountersignEncoding
import Testing

@testable import CEL

/// Evaluates `source` without the checker (dynamic semantics) and returns the value or the error.
func evaluate(
    _ source: String, _ bindings: [String: Value] = [:], check: Bool = false, env: Environment = Environment()
) throws -> Value {
    try env.compile(source, check: check).evaluate(bindings)
}

@Suite struct InterpreterTests {
    @Test(
        arguments: [
            ("1 + 2 * 3", Value.int(7)),
            ("-9223372036854775808", .int(.min)),
            ("10u / 3u", .uint(3)),
            ("7 % -3", .int(1)),
            ("1.5 + 2.0", .double(3.5)),
            ("'ab' + 'cd'", .string("abcd")),
            ("b'ab' + b'c'", .bytes([97, 98, 99])),
            ("[1] + [2, 3]", .list([.int(1), .int(2), .int(3)])),
            ("size('πέντε')", .int(5)),
            ("'πέντε'.size()", .int(5)),
            ("dyn(1) == 1.0", .bool(true)),
            ("dyn(1u) == 1", .bool(true)),
            ("1 < 1.5", .bool(true)),
            ("-1 < 0u", .bool(true)),
            ("18446744073709551615u > 9223372036854775807", .bool(true)),
            ("{1u: 'a'}[1]", .string("a")),
            ("{1: 'a'}[1.0]", .string("a")),
            ("2.0 in {1: 1, 2u: 2}", .bool(true)),
            ("'b' in ['a', 'b']", .bool(true)),
            ("[1, 2, 3].map(x, x * 2)", .list([.int(2), .int(4), .int(6)])),
            ("[1, 2, 3].filter(x, x > 1)", .list([.int(2), .int(3)])),
            ("[1, 2, 3].exists_one(x, x > 2)", .bool(true)),
            ("{'a': 1, 'b': 2}.all(k, k.size() == 1)", .bool(true)),
            ("cel.bind(x, 2, x * x)", .int(4)),
            ("type(1) == int && type(type(1)) == type", .bool(true)),
            ("double('NaN') != double('NaN')", .bool(true)),
            ("optional.of(1).orValue(2)", .int(1)),
            ("optional.none().orValue(2)", .int(2)),
            ("{'a': 1}.?b.orValue(5)", .int(5)),
            ("[?optional.none(), ?optional.of(1)]", .list([.int(1)])),
            ("has({'a': 1}.a) && !has({'a': 1}.b)", .bool(true)),
            ("string(-4.5e-3)", .string("-0.0045")),
            ("int('42') + int(3.9) + int(-3.9)", .int(42)),
        ] as [(String, Value)])
    func evaluates(_ source: String, _ expected: Value) throws {
        let v = try evaluate(source)
        #expect(v.celEquals(expected) && v.typeName == expected.typeName, "\(source) gave \(v)")
    }

    @Test(arguments: [
        "9223372036854775807 + 1",
        "-(-9223372036854775808)",
        "(-9223372036854775808) * -1",
        "(-9223372036854775808) / -1",
        "0u - 1u",
        "1 / 0",
        "1 % 0",
        "1 + 1u",
        "{'a': 1}.b",
        "[1, 2][2]",
        "int(9.3e18)",
        "unbound_variable",
        "{1: 1, 1: 2}",
        "'a'.size() < 'b'",
    ])
    func failsWithAnError(_ source: String) {
        #expect(throws: EvalError.self, "\(source) should fail") { try evaluate(source) }
    }

    @Test(arguments: [
        ("1 / 0 > 3 && false", false),
        ("false && 1 / 0 > 3", false),
        ("1 / 0 > 3 || true", true),
        ("true || 1 / 0 > 3", true),
        ("[1, 0].all(x, 1 / x > 0 && false)", false),
        ("[0, 1].exists(x, 1 / x > 0)", true),
    ])
    func absorbsErrorsCommutatively(_ source: String, _ expected: Bool) throws {
        #expect(try evaluate(source).celEquals(.bool(expected)))
    }

    @Test func errorNotAbsorbedWhenUndecided() {
        #expect(throws: EvalError.self) { try evaluate("1 / 0 > 3 && true") }
        #expect(throws: EvalError.self) { try evaluate("[0, 1].all(x, 1 / x > 0)") }
    }

    @Test func costLimitStopsRunawayComprehensions() throws {
        var limits = Environment.Limits()
        limits.costLimit = 10_000
        let env = Environment(limits: limits)
        let program = try env.compile(
            "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, "
                + "[1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, a + b + c + d > 0))))", check: false)
        #expect {
            try program.evaluate()
        } throws: { error in
            (error as? EvalError)?.code == .costLimitExceeded
        }
        // The same program within budget reports the cost it used.
        let small = try Environment().compile("[1, 2, 3].map(x, x + 1)")
        let (value, cost) = try small.evaluateWithCost()
        #expect(value.celEquals(.list([.int(2), .int(3), .int(4)])))
        #expect(cost > 0)
    }

    @Test func growingValuesHitTheBudgetNotTheMemory() throws {
        // Each level multiplies the string by ten: unchecked, 12 levels would need 10 TB.
        var source = "'xxxxxxxxxx'"
        for level in 0..<12 {
            source =
                "cel.bind(v\(level), \(source), v\(level) + v\(level) + v\(level) + v\(level) + v\(level)"
                + " + v\(level) + v\(level) + v\(level) + v\(level) + v\(level))"
        }
        #expect {
            try Environment().compile(source, check: false).evaluate()
        } throws: { error in
            (error as? EvalError)?.code == .costLimitExceeded
        }
        let replaced =
            "cel.bind(a, 'aaaaaaaaaaaaaaaaaaaa', cel.bind(b, a.replace('a', a), cel.bind(c, b.replace('a', b), c.replace('a', c))))"
        #expect {
            try Environment().compile(replaced, check: false).evaluate()
        } throws: { error in
            (error as? EvalError)?.message.contains("the result would have 25600000000 characters") == true
        }
    }

    @Test func bindingsAndQualifiedNames() throws {
        let env = Environment(variables: ["a.b": .map(.string, .int), "x": .int])
        let program = try env.compile("a.b.c + x")
        #expect(try program.evaluate(["a.b": .map(MapValue(["c": .int(1)])), "x": .int(2)]).celEquals(.int(3)))
        let containered = Environment(variables: ["pkg.y": .int], container: "pkg")
        #expect(try containered.compile("y + 1").evaluate(["pkg.y": .int(41)]).celEquals(.int(42)))
    }

    @Test func programsAreSharedAcrossTasks() async throws {
        let program = try Environment(variables: ["n": .int]).compile("[1, 2, 3].map(x, x * n).exists(y, y == 6)")
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 1...8 {
                group.addTask { try program.evaluate(["n": .int(Int64(n))]).celEquals(.bool(true)) }
            }
            var r: [Bool] = []
            for try await x in group { r.append(x) }
            return r
        }
        #expect(results.filter { $0 }.count == 3)  // n = 1, 2, 3 give 6 somewhere
    }

    @Test func jsonBindings() throws {
        let request = try Value(
            json: #"{"ref": "refs/heads/main", "approvals": ["alice", "bob"], "tier": "low", "n": 2.5}"#)
        let env = Environment(variables: ["request": .dyn])
        let program = try env.compile(
            "request.ref.startsWith('refs/heads/') && request.approvals.size() >= 2 && request.tier in ['low','medium']"
        )
        #expect(try program.evaluate(["request": request]).celEquals(.bool(true)))
        #expect(throws: JSONError.self) { try Value(json: "{\"a\": }") }
        #expect(throws: JSONError.self) { try Value(json: String(repeating: "[", count: 10_000)) }
    }
}
