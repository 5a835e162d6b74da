internal import CountersignEncoding

extension VerificationResult {
    /// The result as one JSON object: `reference`, `digest`, `policy`, `policyHash`, `verdict`, `checks[]`
    /// (`name`, `kind`, `passed`, `detail`), `signers`, `builder`, `reasons`.
    public var json: String {
        JSONValue.object([
            ("reference", .string(reference)), ("digest", digest.map { .string($0.description) } ?? .null),
            ("policy", .string(policy)), ("policyHash", .string(policyHash)), ("verdict", .string(verdict.rawValue)),
            (
                "checks",
                .array(
                    checks.map {
                        .object([
                            ("name", .string($0.name)), ("kind", .string($0.kind.rawValue)),
                            ("passed", .bool($0.passed)),
                            ("detail", .string($0.detail)),
                        ])
                    })
            ),
            ("signers", .array(signers.map { .string($0) })), ("builder", builder.map { .string($0) } ?? .null),
            ("reasons", .array(reasons.map { .string($0) })),
        ]).canonicalString
    }
}
