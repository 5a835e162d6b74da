extension Library {
    /// cel-go's list extensions (`ext.Lists`, version 3: `slice`, `flatten`, `distinct`, `reverse`, `lists.range`,
    /// `sort`, `sortBy`, `first`, `last`) and Kubernetes' list library (`isSorted`, `sum`, `min`, `max`, `indexOf`,
    /// `lastIndexOf`). Element equality is CEL's (`1 == 1u == 1.0`).
    public static let lists = Library("lists", functions: ListsLibrary.functions)
}

enum ListsLibrary {
    static let a = CELType.typeParam("A")
    static let listA = CELType.list(.typeParam("A"))

    static func list(_ v: Value, _ name: String, _ args: [Value]) throws(EvalError) -> [Value] {
        guard case .list(let l) = v else { throw EvalError.noOverload(name, args) }
        return l
    }

    static func int(_ v: Value, _ name: String, _ args: [Value]) throws(EvalError) -> Int {
        guard case .int(let i) = v else { throw EvalError.noOverload(name, args) }
        return Int(clamping: i)
    }

    /// Sorts orderable values of one kind (numbers mix); anything else is an error, never a silent order.
    static func sorted(_ values: [Value], by keys: [Value], _ name: String) throws(EvalError) -> [Value] {
        for k in keys.dropFirst() where keys[0].compare(k) == nil && !(keys[0].isNumber && k.isNumber) {
            throw EvalError(.invalidArgument, "\(name): list elements must have the same orderable type")
        }
        if let k = keys.first, k.compare(k) == nil, !k.isNumber {
            throw EvalError(.invalidArgument, "\(name): list elements of type \(k.typeName) are not orderable")
        }
        let order = keys.indices.sorted { (keys[$0].compare(keys[$1]) ?? 0) < 0 }
        return order.map { values[$0] }
    }

    static func flatten(_ l: [Value], depth: Int) -> [Value] {
        var out: [Value] = []
        for v in l {
            if case .list(let inner) = v, depth > 0 {
                out += flatten(inner, depth: depth - 1)
            } else {
                out.append(v)
            }
        }
        return out
    }

    static func aggregate(_ name: String, _ pick: @escaping @Sendable (Int) -> Bool) -> Function {
        Function(
            name,
            [
                Overload("list_\(name)", member: true, [listA], a, cost: .linear(1)) { (v) throws(EvalError) in
                    let l = try list(v, name, [v])
                    guard var best = l.first else { throw EvalError(.invalidArgument, "\(name) of an empty list") }
                    for x in l.dropFirst() {
                        guard let c = x.compare(best) else { throw EvalError.noOverload(name, [v]) }
                        if pick(c) { best = x }
                    }
                    return best
                }
            ])
    }

    static let functions: [Function] = [
        Function(
            "slice",
            [
                Overload("list_slice", member: true, [listA, .int, .int], listA, cost: .linear(1)) {
                    (v, s, e) throws(EvalError) in
                    let l = try list(v, "slice", [v, s, e])
                    let start = try int(s, "slice", [v, s, e])
                    let end = try int(e, "slice", [v, s, e])
                    guard start >= 0, end >= 0 else {
                        throw EvalError(.outOfRange, "cannot slice(\(start), \(end)), negative indexes not supported")
                    }
                    guard start <= end else {
                        throw EvalError(
                            .outOfRange,
                            "cannot slice(\(start), \(end)), start index must be less than or equal to end index")
                    }
                    guard end <= l.count else {
                        throw EvalError(.outOfRange, "cannot slice(\(start), \(end)), list is length \(l.count)")
                    }
                    return .list(Array(l[start..<end]))
                }
            ]),
        Function(
            "flatten",
            [
                Overload("list_flatten", member: true, [.list(.dyn)], .list(.dyn), cost: .linear(1)) {
                    (v) throws(EvalError) in .list(flatten(try list(v, "flatten", [v]), depth: 1))
                },
                Overload("list_flatten_int", member: true, [.list(.dyn), .int], .list(.dyn), cost: .linear(1)) {
                    (v, d) throws(EvalError) in
                    let depth = try int(d, "flatten", [v, d])
                    guard depth >= 0 else { throw EvalError(.invalidArgument, "level must be non-negative") }
                    return .list(flatten(try list(v, "flatten", [v, d]), depth: depth))
                },
            ]),
        Function(
            "distinct",
            [
                Overload(
                    "list_distinct", member: true, [listA], listA,
                    cost: .custom({ args, _ in
                        let n = args.first?.costSize ?? 1
                        return 1 + n * n
                    })
                ) { (v) throws(EvalError) in
                    var out: [Value] = []
                    for x in try list(v, "distinct", [v]) where !out.contains(where: { $0.celEquals(x) }) {
                        out.append(x)
                    }
                    return .list(out)
                }
            ]),
        Function(
            "reverse",
            [
                Overload("list_reverse", member: true, [listA], listA, cost: .linear(1)) { (v) throws(EvalError) in
                    .list(try list(v, "reverse", [v]).reversed())
                }
            ]),
        Function(
            "lists.range",
            [
                Overload("lists_range", [.int], .list(.int), cost: .custom({ _, r in 1 + r.costSize })) {
                    (n) throws(EvalError) in
                    let count = try int(n, "lists.range", [n])
                    guard count <= 1_000_000 else {
                        throw EvalError(.invalidArgument, "lists.range(\(count)) is too large")
                    }
                    return .list(count <= 0 ? [] : (0..<count).map { .int(Int64($0)) })
                }
            ]),
        Function(
            "sort",
            [
                Overload("list_sort", member: true, [listA], listA, cost: .linear(2)) { (v) throws(EvalError) in
                    let l = try list(v, "sort", [v])
                    return .list(try sorted(l, by: l, "sort"))
                }
            ]),
        Function(
            "@sortByAssociatedKeys",
            [
                Overload("list_sortByAssociatedKeys", member: true, [listA, .list(.dyn)], listA, cost: .linear(2)) {
                    (v, k) throws(EvalError) in
                    let l = try list(v, "sortBy", [v, k])
                    let keys = try list(k, "sortBy", [v, k])
                    guard l.count == keys.count else { throw EvalError(.invalidArgument, "sortBy: key count mismatch") }
                    return .list(try sorted(l, by: keys, "sortBy"))
                }
            ]),
        Function(
            "first",
            [
                Overload("list_first", member: true, [listA], .optional(a)) { (v) throws(EvalError) in
                    .optional(try list(v, "first", [v]).first)
                }
            ]),
        Function(
            "last",
            [
                Overload("list_last", member: true, [listA], .optional(a)) { (v) throws(EvalError) in
                    .optional(try list(v, "last", [v]).last)
                }
            ]),
        Function(
            "isSorted",
            [
                Overload("list_is_sorted", member: true, [listA], .bool, cost: .linear(1)) { (v) throws(EvalError) in
                    let l = try list(v, "isSorted", [v])
                    for i in l.indices.dropFirst() {
                        guard let c = l[i - 1].compare(l[i]) else { throw EvalError.noOverload("isSorted", [v]) }
                        if c > 0 { return .bool(false) }
                    }
                    return .bool(true)
                }
            ]),
        Function(
            "sum",
            [
                Overload("list_sum", member: true, [listA], a, cost: .linear(1)) { (v) throws(EvalError) in
                    let l = try list(v, "sum", [v])
                    guard var total = l.first else { return .int(0) }
                    for x in l.dropFirst() {
                        guard let r = try Arithmetic.apply(.add, total, x), total.isNumber || r.isNumber else {
                            throw EvalError.noOverload("sum", [v])
                        }
                        total = r
                    }
                    return total
                }
            ]),
        aggregate("min") { $0 < 0 },
        aggregate("max") { $0 > 0 },
        Function(
            "indexOf",
            [
                Overload("list_index_of", member: true, [listA, a], .int, cost: .linear(1)) {
                    (v, x) throws(EvalError) in
                    .int(Int64(try list(v, "indexOf", [v, x]).firstIndex { $0.celEquals(x) } ?? -1))
                }
            ]),
        Function(
            "lastIndexOf",
            [
                Overload("list_last_index_of", member: true, [listA, a], .int, cost: .linear(1)) {
                    (v, x) throws(EvalError) in
                    .int(Int64(try list(v, "lastIndexOf", [v, x]).lastIndex { $0.celEquals(x) } ?? -1))
                }
            ]),
    ]
}
