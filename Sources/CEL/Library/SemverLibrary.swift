extension Library {
    /// Kubernetes' semantic versions (SemVer 2.0.0): `semver(s[, normalize])`, `isSemver(s[, normalize])`,
    /// `major()`, `minor()`, `patch()`, `isLessThan`, `isGreaterThan`, `compareTo`. With `normalize`, a `v`
    /// prefix, missing minor/patch and leading zeros are accepted (`v1.02` is 1.2.0).
    public static let semver = Library(
        "semver",
        functions: [
            Function(
                "semver",
                [
                    Overload("string_to_semver", [.string], SemanticVersion.type) { (v) throws(EvalError) in
                        .object(try semverArgument(v, .bool(false)))
                    },
                    Overload("string_bool_to_semver", [.string, .bool], SemanticVersion.type) {
                        (v, n) throws(EvalError) in .object(try semverArgument(v, n))
                    },
                ]),
            Function(
                "isSemver",
                [
                    Overload("is_semver_string", [.string], .bool) { (v) throws(EvalError) in
                        .bool((try? semverArgument(v, .bool(false))) != nil)
                    },
                    Overload("is_semver_string_bool", [.string, .bool], .bool) { (v, n) throws(EvalError) in
                        .bool((try? semverArgument(v, n)) != nil)
                    },
                ]),
            semverField("major") { $0.major },
            semverField("minor") { $0.minor },
            semverField("patch") { $0.patch },
            semverComparison("isLessThan", .bool) { .bool($0 < 0) },
            semverComparison("isGreaterThan", .bool) { .bool($0 > 0) },
            semverComparison("compareTo", .int) { .int(Int64($0)) },
        ],
        types: ["kubernetes.Semver": SemanticVersion.type])

    private static func semverArgument(_ v: Value, _ normalize: Value) throws(EvalError) -> SemanticVersion {
        guard case .string(let s) = v, case .bool(let n) = normalize else {
            throw EvalError.noOverload("semver", [v, normalize])
        }
        return try SemanticVersion.parse(s, normalize: n)
    }

    private static func semverField(_ name: String, _ f: @escaping @Sendable (SemanticVersion) -> Int64) -> Function {
        Function(
            name,
            [
                Overload("semver_\(name)", member: true, [SemanticVersion.type], .int) { (v) throws(EvalError) in
                    guard case .object(let s as SemanticVersion) = v else { throw EvalError.noOverload(name, [v]) }
                    return .int(f(s))
                }
            ])
    }

    private static func semverComparison(
        _ name: String, _ result: CELType, _ f: @escaping @Sendable (Int) -> Value
    ) -> Function {
        Function(
            name,
            [
                Overload("semver_\(name)", member: true, [SemanticVersion.type, SemanticVersion.type], result) {
                    (a, b) throws(EvalError) in
                    guard case .object(let x as SemanticVersion) = a, case .object(let y as SemanticVersion) = b else {
                        throw EvalError.noOverload(name, [a, b])
                    }
                    return f(x.compare(to: y) ?? 0)
                }
            ])
    }
}
