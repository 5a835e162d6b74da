extension Library {
    /// Kubernetes' regex additions: `s.find(re)` (first match or `''`) and `s.findAll(re[, limit])`, run by
    /// ``LinearRegex`` so they stay linear-time.
    public static let regex = Library(
        "regex",
        functions: [
            Function(
                "find",
                [
                    Overload("string_find_string", member: true, [.string, .string], .string, cost: .linear(0.25)) {
                        (s, p) throws(EvalError) in
                        guard case .string(let text) = s, case .string(let pattern) = p else {
                            throw EvalError.noOverload("find", [s, p])
                        }
                        return .string(try RegexCache.shared.regex(pattern).firstMatch(in: text) ?? "")
                    }
                ]),
            Function(
                "findAll",
                [
                    Overload(
                        "string_find_all_string", member: true, [.string, .string], .list(.string), cost: .linear(0.25)
                    ) {
                        (s, p) throws(EvalError) in try findAll(s, p, .int(-1))
                    },
                    Overload(
                        "string_find_all_string_int", member: true, [.string, .string, .int], .list(.string),
                        cost: .linear(0.25)
                    ) { (s, p, n) throws(EvalError) in try findAll(s, p, n) },
                ]),
        ])

    private static func findAll(_ s: Value, _ p: Value, _ n: Value) throws(EvalError) -> Value {
        guard case .string(let text) = s, case .string(let pattern) = p, case .int(let limit) = n else {
            throw EvalError.noOverload("findAll", [s, p, n])
        }
        let matches = try RegexCache.shared.regex(pattern).allMatches(in: text, limit: Int(clamping: limit))
        return .list(matches.map { .string($0) })
    }
}
