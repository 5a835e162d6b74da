extension Library {
    /// Kubernetes resource quantities (`quantity('1.5Gi')`): exact decimal arithmetic and comparison,
    /// `isQuantity`, `isLessThan`, `isGreaterThan`, `compareTo`, `add`, `sub`, `asInteger`,
    /// `asApproximateFloat`, `sign`, `isInteger`.
    public static let quantity = Library(
        "quantity",
        functions: [
            Function(
                "quantity",
                [
                    Overload("string_to_quantity", [.string], Quantity.type) { (v) throws(EvalError) in
                        guard case .string(let s) = v else { throw EvalError.noOverload("quantity", [v]) }
                        return .object(try Quantity.parse(s))
                    }
                ]),
            Function(
                "isQuantity",
                [
                    Overload("is_quantity_string", [.string], .bool) { (v) throws(EvalError) in
                        guard case .string(let s) = v else { throw EvalError.noOverload("isQuantity", [v]) }
                        return .bool((try? Quantity.parse(s)) != nil)
                    }
                ]),
            quantityComparison("isLessThan", .bool) { .bool($0 < 0) },
            quantityComparison("isGreaterThan", .bool) { .bool($0 > 0) },
            quantityComparison("compareTo", .int) { .int(Int64($0)) },
            quantityArithmetic("add", subtract: false),
            quantityArithmetic("sub", subtract: true),
            Function(
                "asInteger",
                [
                    Overload("quantity_as_integer", member: true, [Quantity.type], .int) { (v) throws(EvalError) in
                        .int(try quantityArgument(v, "asInteger").asInteger())
                    }
                ]),
            Function(
                "asApproximateFloat",
                [
                    Overload("quantity_as_float", member: true, [Quantity.type], .double) { (v) throws(EvalError) in
                        .double(try quantityArgument(v, "asApproximateFloat").approximateDouble)
                    }
                ]),
            Function(
                "sign",
                [
                    Overload("quantity_sign", member: true, [Quantity.type], .int) { (v) throws(EvalError) in
                        .int(Int64(try quantityArgument(v, "sign").mantissa.signum()))
                    }
                ]),
            Function(
                "isInteger",
                [
                    Overload("quantity_is_integer", member: true, [Quantity.type], .bool) { (v) throws(EvalError) in
                        .bool(try quantityArgument(v, "isInteger").isInteger)
                    }
                ]),
        ],
        types: ["kubernetes.Quantity": Quantity.type])

    private static func quantityArgument(_ v: Value, _ name: String) throws(EvalError) -> Quantity {
        switch v {
        case .object(let q as Quantity): return q
        case .int(let i): return Quantity(mantissa: Int128(i), exponent: 0)
        default: throw EvalError.noOverload(name, [v])
        }
    }

    private static func quantityComparison(
        _ name: String, _ result: CELType, _ f: @escaping @Sendable (Int) -> Value
    ) -> Function {
        Function(
            name,
            [
                Overload("quantity_\(name)", member: true, [Quantity.type, Quantity.type], result) {
                    (a, b) throws(EvalError) in
                    f(try quantityArgument(a, name).compare(to: try quantityArgument(b, name)) ?? 0)
                }
            ])
    }

    private static func quantityArithmetic(_ name: String, subtract: Bool) -> Function {
        Function(
            name,
            [Quantity.type, CELType.int].map { other in
                Overload(
                    "quantity_\(name)_\(other == .int ? "int" : "quantity")", member: true, [Quantity.type, other],
                    Quantity.type
                ) { (a, b) throws(EvalError) in
                    .object(try quantityArgument(a, name).adding(try quantityArgument(b, name), negate: subtract))
                }
            })
    }
}
