/// A Kubernetes resource quantity (`500m`, `1.5Gi`, `2e3`), held exactly as `mantissa × 10^exponent`.
///
/// Binary suffixes multiply the mantissa by powers of 1024, so `1.5Gi` is exactly 1610612736. Arithmetic and
/// comparison are exact; values whose mantissa would leave the 128-bit range are rejected rather than rounded.
public final class Quantity: ObjectValue {
    static let type = CELType.opaque("kubernetes.Quantity", [])

    public let mantissa: Int128
    public let exponent: Int
    private let text: String?

    init(mantissa: Int128, exponent: Int, text: String? = nil) {
        // Normalize: strip trailing decimal zeros so equal quantities have equal representations.
        var m = mantissa
        var e = exponent
        while m != 0 && m % 10 == 0 && e < 0 {
            m /= 10
            e += 1
        }
        self.mantissa = m
        self.exponent = m == 0 ? 0 : e
        self.text = text
    }

    public var celType: CELType { Quantity.type }
    public func isEqual(to other: any ObjectValue) -> Bool { compare(to: other) == 0 }

    public var stringValue: String? {
        if let text { return text }
        if exponent >= 0 { return String(mantissa) + String(repeating: "0", count: exponent) }
        let digits = String(mantissa.magnitude).leftPadded(to: -exponent + 1)
        let cut = digits.index(digits.endIndex, offsetBy: exponent)
        return (mantissa < 0 ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }

    static func invalid(_ s: String) -> EvalError {
        EvalError(
            .invalidArgument,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': '\(s)'")
    }

    public static func parse(_ s: String) throws(EvalError) -> Quantity {
        var b = Substring(s)
        var negative = false
        if b.hasPrefix("+") || b.hasPrefix("-") {
            negative = b.hasPrefix("-")
            b = b.dropFirst()
        }
        let numberEnd = b.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? b.endIndex
        let number = b[..<numberEnd]
        let suffix = b[numberEnd...]
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number.contains(where: \.isNumber) else {
            throw invalid(s)
        }
        var mantissa: Int128 = 0
        var exponent = 0
        var afterPoint = false
        for c in number {
            if c == "." {
                afterPoint = true
                continue
            }
            let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(c.wholeNumberValue!))
            guard !o1, !o2 else { throw invalid(s) }
            mantissa = a
            if afterPoint { exponent -= 1 }
        }
        var binaryPower = 0
        switch suffix {
        case "": break
        case "n": exponent -= 9
        case "u": exponent -= 6
        case "m": exponent -= 3
        case "k": exponent += 3
        case "M": exponent += 6
        case "G": exponent += 9
        case "T": exponent += 12
        case "P": exponent += 15
        case "E": exponent += 18
        case "Ki": binaryPower = 1
        case "Mi": binaryPower = 2
        case "Gi": binaryPower = 3
        case "Ti": binaryPower = 4
        case "Pi": binaryPower = 5
        case "Ei": binaryPower = 6
        default:
            guard suffix.first == "e" || suffix.first == "E", let e = Int(suffix.dropFirst()), abs(e) <= 100 else {
                throw invalid(s)
            }
            exponent += e
        }
        for _ in 0..<binaryPower {
            let (m, o) = mantissa.multipliedReportingOverflow(by: 1024)
            guard !o else { throw invalid(s) }
            mantissa = m
        }
        return Quantity(mantissa: negative ? -mantissa : mantissa, exponent: exponent, text: s)
    }

    /// Both mantissas scaled to the smaller exponent, or `nil` if that overflows.
    private func aligned(with o: Quantity) -> (Int128, Int128, Int)? {
        let e = min(exponent, o.exponent)
        func scale(_ m: Int128, _ by: Int) -> Int128? {
            var r = m
            for _ in 0..<by {
                let (x, overflow) = r.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                r = x
            }
            return r
        }
        guard let a = scale(mantissa, exponent - e), let b = scale(o.mantissa, o.exponent - e) else { return nil }
        return (a, b, e)
    }

    public func compare(to other: any ObjectValue) -> Int? {
        guard let o = other as? Quantity else { return nil }
        if let (a, b, _) = aligned(with: o) { return a < b ? -1 : (a > b ? 1 : 0) }
        // Scaling overflowed: the one scaled up dominates by magnitude.
        let big = exponent > o.exponent ? mantissa : -o.mantissa
        return big.signum() < 0 ? -1 : 1
    }

    func adding(_ o: Quantity, negate: Bool) throws(EvalError) -> Quantity {
        guard let (a, b, e) = aligned(with: o) else { throw EvalError.overflow("quantity") }
        let (r, overflow) = negate ? a.subtractingReportingOverflow(b) : a.addingReportingOverflow(b)
        guard !overflow else { throw EvalError.overflow("quantity") }
        return Quantity(mantissa: r, exponent: e)
    }

    var isInteger: Bool { exponent >= 0 || mantissa == 0 }

    func asInteger() throws(EvalError) -> Int64 {
        guard isInteger else {
            throw EvalError(.invalidArgument, "cannot convert quantity \(stringValue ?? "") to an integer")
        }
        var r = mantissa
        for _ in 0..<exponent {
            let (x, o) = r.multipliedReportingOverflow(by: 10)
            guard !o else { throw EvalError.overflow("quantity to int64") }
            r = x
        }
        guard let i = Int64(exactly: r) else { throw EvalError.overflow("quantity to int64") }
        return i
    }

    var approximateDouble: Double {
        var d = Double(mantissa)
        if exponent >= 0 {
            for _ in 0..<exponent { d *= 10 }
        } else {
            for _ in 0..<(-exponent) { d /= 10 }
        }
        return d
    }
}
