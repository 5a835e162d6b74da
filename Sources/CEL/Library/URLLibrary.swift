extension Library {
    /// Kubernetes' URL library: `url()`, `isURL()`, and `getScheme`, `getHost`, `getHostname`, `getPort`,
    /// `getEscapedPath`, `getQuery` (Go's `url.ParseRequestURI` rules: an absolute URI or an absolute path).
    public static let url = Library(
        "url",
        functions: [
            Function(
                "url",
                [
                    Overload("string_to_url", [.string], ParsedURL.type, cost: .linear(0.1)) { (v) throws(EvalError) in
                        guard case .string(let s) = v else { throw EvalError.noOverload("url", [v]) }
                        return .object(try ParsedURL.parse(s))
                    }
                ]),
            Function(
                "isURL",
                [
                    Overload("is_url_string", [.string], .bool, cost: .linear(0.1)) { (v) throws(EvalError) in
                        guard case .string(let s) = v else { throw EvalError.noOverload("isURL", [v]) }
                        return .bool((try? ParsedURL.parse(s)) != nil)
                    }
                ]),
            urlAccessor("getScheme") { .string($0.scheme) },
            urlAccessor("getHost") { .string($0.host) },
            urlAccessor("getHostname") { .string($0.hostname) },
            urlAccessor("getPort") { .string($0.port) },
            urlAccessor("getEscapedPath") { .string($0.escapedPath) },
            Function(
                "getQuery",
                [
                    Overload("url_get_query", member: true, [ParsedURL.type], .map(.string, .list(.string))) {
                        (v) throws(EvalError) in
                        guard case .object(let u as ParsedURL) = v else { throw EvalError.noOverload("getQuery", [v]) }
                        return try u.queryValues()
                    }
                ]),
        ],
        types: ["kubernetes.URL": ParsedURL.type])

    private static func urlAccessor(_ name: String, _ f: @escaping @Sendable (ParsedURL) -> Value) -> Function {
        Function(
            name,
            [
                Overload("url_\(name)", member: true, [ParsedURL.type], .string) { (v) throws(EvalError) in
                    guard case .object(let u as ParsedURL) = v else { throw EvalError.noOverload(name, [v]) }
                    return f(u)
                }
            ])
    }
}
