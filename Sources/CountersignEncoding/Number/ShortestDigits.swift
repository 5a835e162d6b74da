/// The shortest decimal digits that read back as the same double: what both RFC 8785 (ECMAScript's
/// `Number.prototype.toString`) and Go's `strconv.FormatFloat(f, 'g', -1, 64)` (cel-go's `string(double)`) print
/// from, each in its own layout.
public enum ShortestDigits {
    /// Sign, significant digits (no leading or trailing zeros) and decimal point position:
    /// `d = 0.DIGITS × 10^point`. Swift's `description` already prints the shortest round-tripping digits; this
    /// re-reads them.
    public static func of(_ d: Double) -> (negative: Bool, digits: String, point: Int) {
        var text = d.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (d.sign == .minus, digits, point)
    }
}
