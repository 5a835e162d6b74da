extension Timestamp {
    /// Parses RFC 3339 (`2009-02-13T23:31:30Z`, `2023-02-03T23:31:20.123+05:30`; `t`/`z` in either case, up to
    /// nine fraction digits). Outside 0001-01-01..9999-12-31 is an `out_of_range` error.
    public static func parse(_ text: String) throws(EvalError) -> Timestamp {
        let b = Array(text.utf8)
        func bad() -> EvalError { EvalError(.invalidArgument, "invalid timestamp '\(text)': expected RFC 3339") }
        func digits(_ at: Int, _ n: Int) throws(EvalError) -> Int64 {
            guard at + n <= b.count else { throw bad() }
            var v: Int64 = 0
            for k in at..<(at + n) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { throw bad() }
                v = v * 10 + Int64(b[k] - 0x30)
            }
            return v
        }
        // The year may have more than four digits only to be rejected as out of range.
        var i = 0
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        guard i >= 4, i <= 9 else { throw bad() }
        let year = try digits(0, i)
        guard i < b.count, b[i] == UInt8(ascii: "-") else { throw bad() }
        let month = try digits(i + 1, 2)
        guard i + 3 < b.count, b[i + 3] == UInt8(ascii: "-") else { throw bad() }
        let day = try digits(i + 4, 2)
        i += 6
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") else { throw bad() }
        let hour = try digits(i + 1, 2)
        guard i + 3 < b.count, b[i + 3] == UInt8(ascii: ":") else { throw bad() }
        let minute = try digits(i + 4, 2)
        guard i + 6 < b.count, b[i + 6] == UInt8(ascii: ":") else { throw bad() }
        let second = try digits(i + 7, 2)
        i += 9
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                guard n < 9 else { throw bad() }
                nanos = nanos * 10 + Int64(b[i] - 0x30)
                n += 1
                i += 1
            }
            guard n > 0 else { throw bad() }
            for _ in n..<9 { nanos *= 10 }
        }
        guard i < b.count else { throw bad() }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            let oh = try digits(i + 1, 2)
            guard i + 3 < b.count, b[i + 3] == UInt8(ascii: ":") else { throw bad() }
            let om = try digits(i + 4, 2)
            guard oh < 24, om < 60 else { throw bad() }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            throw bad()
        }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24,
            minute < 60, second < 60
        else { throw bad() }
        guard year >= 1, year <= 9999 else {
            throw EvalError(.outOfRange, "timestamp '\(text)' is out of range (years 0001 to 9999)")
        }
        let days = daysFromCivil(year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard let t = Timestamp(seconds: seconds, nanos: nanos) else {
            throw EvalError(.outOfRange, "timestamp '\(text)' is out of range (years 0001 to 9999)")
        }
        return t
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
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
