extension StandardLibrary {
    static let conversions: [Function] = [
        Function(
            "int",
            [
                Overload("int64_to_int64", [.int], .int) { (v) throws(EvalError) in v },
                Overload("uint64_to_int64", [.uint], .int) { (v) throws(EvalError) in
                    guard case .uint(let u) = v, let i = Int64(exactly: u) else {
                        throw EvalError(.outOfRange, "int64 overflow: \(v)")
                    }
                    return .int(i)
                },
                Overload("double_to_int64", [.double], .int) { (v) throws(EvalError) in
                    guard case .double(let d) = v, d.isFinite, d > -9.223372036854775808e18, d < 9.223372036854775808e18
                    else { throw EvalError(.outOfRange, "int64 overflow: \(v) is out of range") }
                    return .int(Int64(d.rounded(.towardZero)))
                },
                Overload("string_to_int64", [.string], .int) { (v) throws(EvalError) in
                    guard case .string(let s) = v, let i = Int64(s) else {
                        throw EvalError(.invalidArgument, "cannot convert \(v) to int")
                    }
                    return .int(i)
                },
            ]),
        Function(
            "uint",
            [
                Overload("uint64_to_uint64", [.uint], .uint) { (v) throws(EvalError) in v },
                Overload("int64_to_uint64", [.int], .uint) { (v) throws(EvalError) in
                    guard case .int(let i) = v, let u = UInt64(exactly: i) else {
                        throw EvalError(.outOfRange, "uint64 overflow: \(v)")
                    }
                    return .uint(u)
                },
                Overload("double_to_uint64", [.double], .uint) { (v) throws(EvalError) in
                    guard case .double(let d) = v, d.isFinite, d > -1, d < 1.8446744073709551616e19 else {
                        throw EvalError(.outOfRange, "uint64 overflow: \(v) is out of range")
                    }
                    return .uint(UInt64(d.rounded(.towardZero)))
                },
                Overload("string_to_uint64", [.string], .uint) { (v) throws(EvalError) in
                    guard case .string(let s) = v, let u = UInt64(s) else {
                        throw EvalError(.invalidArgument, "cannot convert \(v) to uint")
                    }
                    return .uint(u)
                },
            ]),
        Function(
            "double",
            [
                Overload("double_to_double", [.double], .double) { (v) throws(EvalError) in v },
                Overload("int64_to_double", [.int], .double) { (v) throws(EvalError) in
                    guard case .int(let i) = v else { throw EvalError.noOverload("double", [v]) }
                    return .double(Double(i))
                },
                Overload("uint64_to_double", [.uint], .double) { (v) throws(EvalError) in
                    guard case .uint(let u) = v else { throw EvalError.noOverload("double", [v]) }
                    return .double(Double(u))
                },
                Overload("string_to_double", [.string], .double) { (v) throws(EvalError) in
                    guard case .string(let s) = v, let d = parseDouble(s) else {
                        throw EvalError(.invalidArgument, "cannot convert \(v) to double")
                    }
                    return .double(d)
                },
            ]),
        Function(
            "string",
            [
                Overload("string_to_string", [.string], .string) { (v) throws(EvalError) in v },
                Overload("int64_to_string", [.int], .string) { (v) throws(EvalError) in
                    guard case .int(let i) = v else { throw EvalError.noOverload("string", [v]) }
                    return .string(String(i))
                },
                Overload("uint64_to_string", [.uint], .string) { (v) throws(EvalError) in
                    guard case .uint(let u) = v else { throw EvalError.noOverload("string", [v]) }
                    return .string(String(u))
                },
                Overload("double_to_string", [.double], .string) { (v) throws(EvalError) in
                    guard case .double(let d) = v else { throw EvalError.noOverload("string", [v]) }
                    return .string(GoFloat.formatG(d))
                },
                Overload("bool_to_string", [.bool], .string) { (v) throws(EvalError) in
                    guard case .bool(let b) = v else { throw EvalError.noOverload("string", [v]) }
                    return .string(b ? "true" : "false")
                },
                Overload("bytes_to_string", [.bytes], .string) { (v) throws(EvalError) in
                    guard case .bytes(let b) = v, let s = String(validating: b, as: UTF8.self) else {
                        throw EvalError(.invalidArgument, "invalid UTF-8 in bytes, cannot convert to string")
                    }
                    return .string(s)
                },
            ]),
        Function(
            "bytes",
            [
                Overload("bytes_to_bytes", [.bytes], .bytes) { (v) throws(EvalError) in v },
                Overload("string_to_bytes", [.string], .bytes) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("bytes", [v]) }
                    return .bytes(Array(s.utf8))
                },
            ]),
        Function(
            "bool",
            [
                Overload("bool_to_bool", [.bool], .bool) { (v) throws(EvalError) in v },
                Overload("string_to_bool", [.string], .bool) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("bool", [v]) }
                    switch s {
                    case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
                    case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
                    default: throw EvalError(.invalidArgument, "cannot convert '\(s)' to bool")
                    }
                },
            ]),
        Function("dyn", [Overload("to_dyn", [a], .dyn) { (v) throws(EvalError) in v }]),
        Function("type", [Overload("type", [a], .type(a)) { (v) throws(EvalError) in .type(v.celType) }]),
    ]

    /// Parses a double the way Go's `strconv.ParseFloat` does for CEL: decimal and exponent forms, `inf`,
    /// `infinity` and `nan` in any case, with an optional sign.
    static func parseDouble(_ s: String) -> Double? {
        let lower = s.lowercased()
        switch lower {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        guard !s.isEmpty, s.utf8.allSatisfy({ "0123456789+-.eE".utf8.contains($0) }) else { return nil }
        return Double(s)
    }
}
