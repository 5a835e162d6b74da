public import CEL

/// RFC 8785 JSON Canonicalization Scheme: the exact bytes a ledger entry is hashed and signed as.
///
/// Object members sorted by their keys' UTF-16 code units, no insignificant whitespace, strings with the minimal
/// escapes, and numbers in ECMAScript's shortest round-trip form (`1e+21`, `0.000001`, `1e-7`, `-0` as `0`).
extension JSONValue {
    /// The canonical UTF-8 bytes.
    public var canonicalBytes: [UInt8] { Array(canonicalString.utf8) }

    /// The canonical text.
    public var canonicalString: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += JSONValue.ecmaScriptNumber(d)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let sorted = members.sorted { Array($0.0.utf16).lexicographicallyPrecedes(Array($1.0.utf16)) }
            for (i, (key, value)) in sorted.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
    }

    /// ECMAScript `Number.prototype.toString()` for finite doubles (ECMA-262 §6.1.6.1.20).
    static func ecmaScriptNumber(_ d: Double) -> String {
        if d == 0 { return "0" }
        let (negative, digits, n) = GoFloat.shortestDigits(d)
        let k = digits.count
        var out = negative ? "-" : ""
        if k <= n && n <= 21 {
            out += digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            let i = digits.index(digits.startIndex, offsetBy: n)
            out += digits[..<i] + "." + digits[i...]
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + digits
        } else {
            let e = n - 1
            out += String(digits.first!)
            if k > 1 { out += "." + digits.dropFirst() }
            out += "e" + (e < 0 ? "-" : "+") + String(abs(e))
        }
        return out
    }
}
