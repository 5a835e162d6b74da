extension Library {
    /// cel-go's set functions over lists (`ext.Sets`): `sets.contains`, `sets.equivalent`, `sets.intersects`, with
    /// CEL equality (`[1].contains… 1.0` holds).
    public static let sets = Library(
        "sets",
        functions: [
            setFunction("sets.contains") { a, b in b.allSatisfy { x in a.contains { $0.celEquals(x) } } },
            setFunction("sets.equivalent") { a, b in
                b.allSatisfy { x in a.contains { $0.celEquals(x) } }
                    && a.allSatisfy { x in b.contains { $0.celEquals(x) } }
            },
            setFunction("sets.intersects") { a, b in a.contains { x in b.contains { $0.celEquals(x) } } },
        ])

    private static func setFunction(_ name: String, _ f: @escaping @Sendable ([Value], [Value]) -> Bool) -> Function {
        let list = CELType.list(.typeParam("A"))
        return Function(
            name,
            [
                Overload(
                    name.replacingDots() + "_list_list", [list, list], .bool,
                    cost: .custom({ args, _ in 1 + args.reduce(1) { $0 * max(1, $1.costSize) } })
                ) { (a, b) throws(EvalError) in
                    guard case .list(let x) = a, case .list(let y) = b else {
                        throw EvalError.noOverload(name, [a, b])
                    }
                    return .bool(f(x, y))
                }
            ])
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
