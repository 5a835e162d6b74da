internal import CountersignEncoding

extension Timestamp {
    /// Parses RFC 3339 (`2009-02-13T23:31:30Z`, `2023-02-03T23:31:20.123+05:30`; `t`/`z` in either case, up to
    /// nine fraction digits) with the one reader every part of Countersign uses. Outside 0001-01-01..9999-12-31 is
    /// an `out_of_range` error.
    public static func parse(_ text: String) throws(EvalError) -> Timestamp {
        do {
            let (seconds, nanos) = try RFC3339.parse(text)
            return Timestamp(seconds: seconds, nanos: Int64(nanos))!
        } catch {
            if error.isOutOfRange {
                throw EvalError(.outOfRange, "timestamp '\(text)' is out of range (years 0001 to 9999)")
            }
            throw EvalError(.invalidArgument, "invalid timestamp '\(text)': expected RFC 3339")
        }
    }
}

extension CELDuration {
    /// Parses Go's duration syntax as CEL does: an optional sign, then one or more decimal numbers (with optional
    /// fraction) each followed by a unit `h`, `m`, `s`, `ms`, `us`/`µs`, `ns`; or just `0`. No days. The result
    /// must fit in an int64 count of nanoseconds (about ±292 years).
    public static func parse(_ text: String) throws(EvalError) -> CELDuration {
        func bad() -> EvalError { EvalError(.invalidArgument, "invalid duration '\(text)'") }
        func range() -> EvalError { EvalError(.outOfRange, "duration '\(text)' is out of range") }
        var s = Array(text.unicodeScalars)
        var negative = false
        if let f = s.first, f == "-" || f == "+" {
            negative = f == "-"
            s.removeFirst()
        }
        if s == ["0"] { return CELDuration(nanoseconds: 0) }
        guard !s.isEmpty else { throw bad() }
        var total: Int64 = 0
        var i = 0
        while i < s.count {
            var whole: Int64 = 0
            var fraction: Int64 = 0
            var scale: Int64 = 1
            var sawDigit = false
            while i < s.count, let d = s[i].asciiDigit {
                sawDigit = true
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                guard !o1, !o2 else { throw range() }
                whole = a
                i += 1
            }
            if i < s.count, s[i] == "." {
                i += 1
                while i < s.count, let d = s[i].asciiDigit {
                    sawDigit = true
                    if scale < 1_000_000_000_000_000 {
                        fraction = fraction * 10 + d
                        scale *= 10
                    }
                    i += 1
                }
            }
            guard sawDigit else { throw bad() }
            var unit = ""
            while i < s.count, s[i].asciiDigit == nil, s[i] != "." {
                unit.unicodeScalars.append(s[i])
                i += 1
            }
            let perUnit: Int64
            switch unit {
            case "h": perUnit = 3_600_000_000_000
            case "m": perUnit = 60_000_000_000
            case "s": perUnit = 1_000_000_000
            case "ms": perUnit = 1_000_000
            case "us", "µs", "μs": perUnit = 1_000
            case "ns": perUnit = 1
            case "": throw EvalError(.invalidArgument, "invalid duration '\(text)': missing unit")
            default: throw EvalError(.invalidArgument, "invalid duration '\(text)': unknown unit '\(unit)'")
            }
            let (w, o1) = whole.multipliedReportingOverflow(by: perUnit)
            let f = Int64((Double(fraction) / Double(scale) * Double(perUnit)).rounded(.down))
            let (sum1, o2) = total.addingReportingOverflow(w)
            let (sum2, o3) = sum1.addingReportingOverflow(f)
            guard !o1, !o2, !o3 else { throw range() }
            total = sum2
        }
        return CELDuration(nanoseconds: negative ? -total : total)
    }
}

extension Unicode.Scalar {
    /// The value of an ASCII decimal digit, or `nil`.
    var asciiDigit: Int64? { ("0"..."9").contains(self) ? Int64(value - 48) : nil }
}
