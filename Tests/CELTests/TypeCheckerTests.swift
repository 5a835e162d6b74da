import Testing

@testable import CEL

@Suite struct TypeCheckerTests {
    let env = Environment(variables: [
        "request": .map(.string, .dyn), "n": .int, "names": .list(.string), "labels": .map(.string, .string),
        "when": .timestamp,
    ])

    func type(_ source: String) throws -> CELType { try env.compile(source).resultType }

    @Test(
        arguments: [
            ("1 + 2", CELType.int), ("n * 2u", nil), ("names.size()", .int), ("names[0]", .string),
            ("names.map(x, x.size())", .list(.int)), ("labels['a']", .string), ("labels.exists(k, k == 'a')", .bool),
            ("[1, 'a']", .list(.dyn)), ("[[], [[1]]]", .list(.list(.list(.int)))), ("{}", .map(.dyn, .dyn)),
            ("request.tier", .dyn), ("n > 1.5", .bool), ("dyn(n) == 1u", .bool), ("when + duration('1h')", .timestamp),
            ("optional.of(n).orValue(1)", .int), ("labels.?a", .optional(.string)), ("type(n)", .type(.int)),
            ("cel.bind(x, n, x + 1)", .int), ("[1, 2].filter(x, x > 1)", .list(.int)), ("math.greatest(1, 2)", .dyn),
            ("'a'.split(',')", .list(.string)), ("ip('1.2.3.4')", .opaque("net.IP", [])),
        ] as [(String, CELType?)])
    func deducesTypes(_ source: String, _ expected: CELType?) throws {
        if let expected {
            #expect(try type(source) == expected, "\(source)")
        } else {
            #expect(throws: CompileError.self) { try type(source) }
        }
    }

    @Test(arguments: [
        ("1 + 'a'", "found no matching overload for '_+_' applied to '(int, string)'", 3),
        ("missing + 1", "undeclared reference to 'missing'", 1), ("names.nope()", "found no matching overload", 6),
        ("n.field", "does not support field selection", 2), ("1 == 1u", "no matching overload for '_==_'", 3),
        ("[1].all(x, x)", "found no matching overload for '_&&_' applied to '(bool, int)'", 4),
        ("n.map(x, x)", "cannot be the range", 1),
    ])
    func reportsTypeErrors(_ source: String, _ message: String, _ column: Int) {
        do {
            _ = try env.compile(source)
            Issue.record("\(source) should not type-check")
        } catch {
            #expect(error.code == .type)
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.column == column, "\(source): \(error)")
        }
    }

    @Test func requiresTheResultTypeAnEmbedderAsksFor() throws {
        _ = try env.compile("n > 1", resultType: .bool)
        #expect(throws: CompileError.self) { try env.compile("'allow'", resultType: .bool) }
        // `dyn` results are accepted: the value is checked at run time.
        _ = try env.compile("request.allowed", resultType: .bool)
    }

    @Test func resolvesNamesInContainers() throws {
        let scoped = Environment(variables: ["x.y": .bool, "y": .string], container: "x")
        #expect(try scoped.compile("y").resultType == .bool)
        #expect(try scoped.compile(".y").resultType == .string)
        let shadow = Environment(variables: ["x": .int])
        #expect(try shadow.compile("[1.5].map(x, x)").resultType == .list(.double))
    }

    @Test func staticCostEstimateRejectsRunawayExpressions() {
        let big = Environment(variables: ["l": .list(.int)])
        #expect(throws: CompileError.self) {
            try big.compile("l.all(a, l.all(b, l.all(c, a + b + c > 0)))")
        }
        #expect(throws: Never.self) { try big.compile("l.all(a, a > 0)") }
    }
}
