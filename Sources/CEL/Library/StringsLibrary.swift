extension Library {
    /// cel-go's string extensions (`ext.Strings`, version 4), the ones Kubernetes enables: `charAt`, `indexOf`,
    /// `lastIndexOf`, `lowerAscii`, `upperAscii`, `replace`, `split`, `substring`, `trim`, `join`, `reverse`,
    /// `format` and `strings.quote`. Indices count code points, like `size()`.
    public static let strings = Library("strings", functions: StringsLibrary.functions)
}

enum StringsLibrary {
    static func text(_ v: Value, _ name: String, _ all: [Value]) throws(EvalError) -> [Unicode.Scalar] {
        guard case .string(let s) = v else { throw EvalError.noOverload(name, all) }
        return Array(s.unicodeScalars)
    }

    static func int(_ v: Value, _ name: String, _ all: [Value]) throws(EvalError) -> Int {
        guard case .int(let i) = v else { throw EvalError.noOverload(name, all) }
        return Int(clamping: i)
    }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> Value {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return .string(String(view))
    }

    static func outOfRange(_ i: Int) -> EvalError { EvalError(.outOfRange, "index out of range: \(i)") }

    /// The first code-point index ≥ `from` where `needle` occurs in `hay`.
    static func index(of needle: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The last code-point index ≤ `from` where `needle` occurs in `hay`.
    static func lastIndex(of needle: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int) -> Int? {
        var i = min(from, hay.count - needle.count)
        while i >= 0 {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    static let s = CELType.string
    /// The largest string a string function may build, in code points; larger results are errors, not allocations.
    static let maxResultSize = 10_000_000

    static let functions: [Function] = [
        Function(
            "charAt",
            [
                Overload("string_char_at_int", member: true, [s, .int], s) { (a, b) throws(EvalError) in
                    let t = try text(a, "charAt", [a, b])
                    let i = try int(b, "charAt", [a, b])
                    guard i >= 0 && i <= t.count else { throw outOfRange(i) }
                    return i == t.count ? .string("") : string([t[i]])
                }
            ]),
        Function(
            "indexOf",
            [
                Overload("string_index_of_string", member: true, [s, s], .int, cost: .linear(0.1)) {
                    (a, b) throws(EvalError) in
                    let t = try text(a, "indexOf", [a, b])
                    let n = try text(b, "indexOf", [a, b])
                    return .int(Int64(index(of: n, in: t, from: 0) ?? -1))
                },
                Overload("string_index_of_string_int", member: true, [s, s, .int], .int, cost: .linear(0.1)) {
                    (a, b, c) throws(EvalError) in
                    let t = try text(a, "indexOf", [a, b, c])
                    let n = try text(b, "indexOf", [a, b, c])
                    let from = try int(c, "indexOf", [a, b, c])
                    guard from >= 0 && from <= t.count else { throw outOfRange(from) }
                    return .int(Int64(index(of: n, in: t, from: from) ?? -1))
                },
            ]),
        Function(
            "lastIndexOf",
            [
                Overload("string_last_index_of_string", member: true, [s, s], .int, cost: .linear(0.1)) {
                    (a, b) throws(EvalError) in
                    let t = try text(a, "lastIndexOf", [a, b])
                    let n = try text(b, "lastIndexOf", [a, b])
                    return .int(Int64(lastIndex(of: n, in: t, from: t.count) ?? -1))
                },
                Overload("string_last_index_of_string_int", member: true, [s, s, .int], .int, cost: .linear(0.1)) {
                    (a, b, c) throws(EvalError) in
                    let t = try text(a, "lastIndexOf", [a, b, c])
                    let n = try text(b, "lastIndexOf", [a, b, c])
                    let from = try int(c, "lastIndexOf", [a, b, c])
                    guard from >= 0 && from <= t.count else { throw outOfRange(from) }
                    return .int(Int64(lastIndex(of: n, in: t, from: from) ?? -1))
                },
            ]),
        Function(
            "lowerAscii",
            [
                Overload("string_lower_ascii", member: true, [s], s, cost: .linear(0.1)) { (a) throws(EvalError) in
                    string(
                        try text(a, "lowerAscii", [a]).map {
                            ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0
                        })
                }
            ]),
        Function(
            "upperAscii",
            [
                Overload("string_upper_ascii", member: true, [s], s, cost: .linear(0.1)) { (a) throws(EvalError) in
                    string(
                        try text(a, "upperAscii", [a]).map {
                            ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0
                        })
                }
            ]),
        Function(
            "replace",
            [
                Overload("string_replace_string_string", member: true, [s, s, s], s, cost: .linear(0.1)) {
                    (a, b, c) throws(EvalError) in try replace([a, b, c, .int(-1)])
                },
                Overload(
                    "string_replace_string_string_int", member: true, [s, s, s, .int], s, cost: .linear(0.1),
                    .variadic(replace)),
            ]),
        Function(
            "split",
            [
                Overload("string_split_string", member: true, [s, s], .list(s), cost: .linear(0.1)) {
                    (a, b) throws(EvalError) in try split(a, b, .int(-1))
                },
                Overload("string_split_string_int", member: true, [s, s, .int], .list(s), cost: .linear(0.1)) {
                    (a, b, c) throws(EvalError) in try split(a, b, c)
                },
            ]),
        Function(
            "substring",
            [
                Overload("string_substring_int", member: true, [s, .int], s) { (a, b) throws(EvalError) in
                    let t = try text(a, "substring", [a, b])
                    let start = try int(b, "substring", [a, b])
                    guard start >= 0 && start <= t.count else { throw outOfRange(start) }
                    return string(t[start...])
                },
                Overload("string_substring_int_int", member: true, [s, .int, .int], s) { (a, b, c) throws(EvalError) in
                    let t = try text(a, "substring", [a, b, c])
                    let start = try int(b, "substring", [a, b, c])
                    let end = try int(c, "substring", [a, b, c])
                    guard start >= 0 && start <= t.count else { throw outOfRange(start) }
                    guard end >= 0 && end <= t.count else { throw outOfRange(end) }
                    guard start <= end else {
                        throw EvalError(.outOfRange, "invalid substring range. start: \(start), end: \(end)")
                    }
                    return string(t[start..<end])
                },
            ]),
        Function(
            "trim",
            [
                Overload("string_trim", member: true, [s], s, cost: .linear(0.1)) { (a) throws(EvalError) in
                    let t = try text(a, "trim", [a])
                    guard let first = t.firstIndex(where: { !$0.properties.isWhitespace }) else { return .string("") }
                    let last = t.lastIndex(where: { !$0.properties.isWhitespace })!
                    return string(t[first...last])
                }
            ]),
        Function(
            "reverse",
            [
                Overload("string_reverse", member: true, [s], s, cost: .linear(0.1)) { (a) throws(EvalError) in
                    string(try text(a, "reverse", [a]).reversed())
                }
            ]),
        Function(
            "join",
            [
                Overload("list_join", member: true, [.list(s)], s, cost: .linear(0.1)) { (l) throws(EvalError) in
                    try join(l, .string(""))
                },
                Overload("list_join_string", member: true, [.list(s), s], s, cost: .linear(0.1)) {
                    (l, sep) throws(EvalError) in try join(l, sep)
                },
            ]),
        Function(
            "format",
            [
                Overload("string_format", member: true, [s, .list(.dyn)], s, cost: .linear(0.1)) {
                    (f, args) throws(EvalError) in
                    guard case .string(let format) = f, case .list(let list) = args else {
                        throw EvalError.noOverload("format", [f, args])
                    }
                    return .string(try StringFormatter.format(format, list))
                }
            ]),
        Function(
            "strings.quote",
            [
                Overload("strings_quote", [s], s, cost: .linear(0.1)) { (a) throws(EvalError) in
                    guard case .string(let text) = a else { throw EvalError.noOverload("strings.quote", [a]) }
                    return .string(Value.quote(text))
                }
            ]),
    ]

    @Sendable static func replace(_ args: [Value]) throws(EvalError) -> Value {
        let t = try text(args[0], "replace", args)
        let old = try text(args[1], "replace", args)
        let new = try text(args[2], "replace", args)
        var limit = try int(args[3], "replace", args)
        if limit < 0 { limit = .max }
        // Check the size of the result before building it: one call could otherwise multiply its inputs.
        var occurrences = 0
        var k = 0
        while k + old.count <= t.count && occurrences < limit {
            if t[k..<(k + old.count)].elementsEqual(old) {
                occurrences += 1
                k += max(old.count, 1)
            } else {
                k += 1
            }
        }
        let projected = t.count + occurrences * (new.count - old.count)
        guard projected <= maxResultSize else {
            throw EvalError(
                .invalidArgument, "replace: the result would have \(projected) characters (limit \(maxResultSize))")
        }
        var out: [Unicode.Scalar] = []
        var i = 0
        var done = 0
        while i <= t.count {
            if done < limit, i + old.count <= t.count, t[i..<(i + old.count)].elementsEqual(old) {
                out += new
                done += 1
                if old.isEmpty {
                    if i < t.count { out.append(t[i]) }
                    i += 1
                } else {
                    i += old.count
                }
            } else {
                if i < t.count { out.append(t[i]) }
                i += 1
            }
        }
        return string(out)
    }

    /// Go's `strings.SplitN`: `n == 0` gives no parts, `n < 0` all, otherwise at most `n`.
    static func split(_ a: Value, _ b: Value, _ c: Value) throws(EvalError) -> Value {
        let t = try text(a, "split", [a, b, c])
        let sep = try text(b, "split", [a, b, c])
        let n = try int(c, "split", [a, b, c])
        if n == 0 { return .list([]) }
        var parts: [Value] = []
        if sep.isEmpty {
            for (k, ch) in t.enumerated() {
                if n > 0 && parts.count == n - 1 {
                    parts.append(string(t[k...]))
                    return .list(parts)
                }
                parts.append(string([ch]))
            }
            return .list(parts)
        }
        var start = 0
        var i = 0
        while i + sep.count <= t.count {
            if n > 0 && parts.count == n - 1 { break }
            if t[i..<(i + sep.count)].elementsEqual(sep) {
                parts.append(string(t[start..<i]))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(string(t[start...]))
        return .list(parts)
    }

    static func join(_ l: Value, _ sep: Value) throws(EvalError) -> Value {
        guard case .list(let list) = l, case .string(let separator) = sep else {
            throw EvalError.noOverload("join", [l, sep])
        }
        var parts: [String] = []
        for item in list {
            guard case .string(let p) = item else { throw EvalError.noOverload("join", [l, sep]) }
            parts.append(p)
        }
        return .string(parts.joined(separator: separator))
    }
}
