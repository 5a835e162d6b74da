/// RFC 8785 JSON Canonicalization Scheme: the exact bytes a ledger entry is hashed and signed as, and the form every
/// API answer is written in.
///
/// Object members sorted by their keys' UTF-16 code units, no insignificant whitespace, strings with the minimal
/// escapes, and numbers in ECMAScript's shortest round-trip form (`1e+21`, `0.000001`, `1e-7`, `-0` as `0`).
extension JSONValue {
    /// The canonical UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeCanonical(to: &out)
        return out
    }

    /// The canonical text.
    public var canonicalString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// Writes into a byte buffer: appending to a `String` scalar by scalar cost most of an append's time.
    public func writeCanonical(to out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .number(let d): out += JSONValue.ecmaScriptNumber(d).utf8
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCanonical(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in JSONValue.sortedMembers(members).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.writeCanonical(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Members in RFC 8785 order; already sorted members (what producers usually build) are not copied to sort.
    static func sortedMembers(_ members: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var i = 1
        while i < members.count {
            if !precedes(members[i - 1].0, members[i].0) {
                return members.sorted { precedes($0.0, $1.0) }
            }
            i += 1
        }
        return members
    }

    /// RFC 8785 order: by UTF-16 code units. UTF-8 byte order agrees with it unless a key holds a character at or
    /// above U+E000 (lead byte 0xEE or more), where surrogate pairs sort differently; only then compare UTF-16.
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        let fast = a.withUTF8 { ua in
            b.withUTF8 { ub -> Bool? in
                if ua.contains(where: { $0 >= 0xEE }) || ub.contains(where: { $0 >= 0xEE }) { return nil }
                return ua.lexicographicallyPrecedes(ub)
            }
        }
        return fast ?? a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    /// A JSON string with the minimal escapes RFC 8785 prescribes (`\"`, `\\`, the short forms, `\u00XX` for the
    /// other control characters; everything else as UTF-8).
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var plain = 0
            for (i, c) in bytes.enumerated() {
                let escape: [UInt8]?
                switch c {
                case UInt8(ascii: "\""): escape = Array("\\\"".utf8)
                case UInt8(ascii: "\\"): escape = Array("\\\\".utf8)
                case 0x08: escape = Array("\\b".utf8)
                case 0x0C: escape = Array("\\f".utf8)
                case 0x0A: escape = Array("\\n".utf8)
                case 0x0D: escape = Array("\\r".utf8)
                case 0x09: escape = Array("\\t".utf8)
                case 0..<0x20:
                    let digits = Array("0123456789abcdef".utf8)
                    escape = Array("\\u00".utf8) + [digits[Int(c >> 4)], digits[Int(c & 0xF)]]
                default: escape = nil
                }
                if let escape {
                    out += bytes[plain..<i]
                    out += escape
                    plain = i + 1
                }
            }
            out += bytes[plain...]
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ECMAScript `Number.prototype.toString()` for finite doubles (ECMA-262 §6.1.6.1.20).
    public static func ecmaScriptNumber(_ d: Double) -> String {
        if d == 0 { return "0" }
        // Integers below 2^53 print as their digits, exactly as the general rule below would print them.
        if d.rounded() == d, d.magnitude < maxExactInteger { return String(Int64(d)) }
        let (negative, digits, n) = ShortestDigits.of(d)
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
