extension StandardLibrary {
    static func stringPredicate(
        _ name: String, _ id: String, _ test: @escaping @Sendable (String, String) -> Bool
    ) -> Function {
        Function(
            name,
            [
                Overload(id, member: true, [.string, .string], .bool, cost: .linear(0.1)) {
                    (s, t) throws(EvalError) in
                    guard case .string(let x) = s, case .string(let y) = t else {
                        throw EvalError.noOverload(name, [s, t])
                    }
                    return .bool(test(x, y))
                }
            ])
    }

    static let strings: [Function] = [
        stringPredicate("contains", "contains_string") { s, t in
            t.isEmpty || s.utf8.firstRange(of: t.utf8) != nil
        },
        stringPredicate("startsWith", "starts_with_string") { s, t in s.utf8HasPrefix(t) },
        stringPredicate("endsWith", "ends_with_string") { s, t in s.utf8HasSuffix(t) },
        Function(
            "matches",
            [
                Overload("matches", [.string, .string], .bool, cost: .linear(0.25), .binary(matches)),
                Overload(
                    "matches_string", member: true, [.string, .string], .bool, cost: .linear(0.25), .binary(matches)),
            ]),
    ]

    /// RE2 semantics in linear time: a substring match unless the pattern is anchored.
    @Sendable static func matches(_ s: Value, _ p: Value) throws(EvalError) -> Value {
        guard case .string(let text) = s, case .string(let pattern) = p else {
            throw EvalError.noOverload("matches", [s, p])
        }
        return .bool(try RegexCache.shared.regex(pattern).matches(text))
    }
}
