internal import CountersignEncoding

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest digits that round-trip, in `%e` form when the
/// decimal exponent is below -4 or at least 6 (the shortest-format precision), else in `%f` form. cel-go prints
/// `string(double)` this way, so Countersign prints the same text for the same value.
public enum GoFloat {
    public static func formatG(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (negative, digits, point) = ShortestDigits.of(d)
        let exp = point - 1
        var out = negative ? "-" : ""
        if exp < -4 || exp >= 6 {
            out.append(digits.first!)
            if digits.count > 1 {
                out += "." + digits.dropFirst()
            }
            out += exp < 0 ? "e-" : "e+"
            out += String(abs(exp)).leftPadded(to: 2)
            return out
        }
        return out + positional(digits, point)
    }

    /// The shortest round-tripping digits in positional notation, never an exponent: `3.14`, `1e20` as
    /// `100000000000000000000` (how `format('%s')` prints doubles).
    public static func plain(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (negative, digits, point) = ShortestDigits.of(d)
        return (negative ? "-" : "") + positional(digits, point)
    }

    private static func positional(_ digits: String, _ point: Int) -> String {
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: point)
        return digits[..<i] + "." + digits[i...]
    }
}
