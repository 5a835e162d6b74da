extension JSONValue {
    /// Reads one JSON document (RFC 8259) strictly, as signed and policy-deciding documents need:
    ///
    /// - duplicate object keys are refused, since two readers could otherwise see two different documents in one
    ///   signed payload (I-JSON, RFC 7493 §2.3);
    /// - the bytes must be UTF-8, a `\u` escape may not leave a lone surrogate, and nothing may follow the value;
    /// - nesting and size are bounded by `limits`;
    /// - a number must be kept as written: an integer literal beyond ±2^53 is accepted only when the double it
    ///   becomes writes back as the same text (`100000000000000000000` does; `9007199254740993` would be
    ///   rounded, so it is refused), and a magnitude beyond the double range is refused rather than made
    ///   infinite or zero.
    public init(parsing bytes: [UInt8], limits: JSONLimits = .default) throws(JSONError) {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(.tooLarge, "the document of \(bytes.count) bytes exceeds \(limits.maxBytes) bytes")
        }
        var reader = JSONReader(bytes: bytes, maxDepth: limits.maxDepth)
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.i == bytes.count else { throw reader.fail(.syntax, "unexpected data after the document") }
        self = value
    }

    /// Reads one JSON document from text; see ``init(parsing:limits:)-([UInt8],_)``.
    public init(parsing text: String, limits: JSONLimits = .default) throws(JSONError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

/// The reader behind ``JSONValue/init(parsing:limits:)``: one pass over the bytes, no intermediate strings.
private struct JSONReader {
    let bytes: [UInt8]
    let maxDepth: Int
    var i = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ code: JSONError.Code, _ message: String) -> JSONError { JSONError(code, message, offset: i) }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        skipSpace()
        guard i < bytes.count else { throw fail(.syntax, "unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return .number(try number())
        }
    }

    mutating func object(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < maxDepth else { throw fail(.tooDeep, "nesting deeper than \(maxDepth)") }
        i += 1
        var members: [(String, JSONValue)] = []
        var seen: Set<String> = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail(.syntax, "expected a string key") }
            let keyOffset = i
            let key = try string()
            guard seen.insert(key).inserted else {
                throw JSONError(.duplicateKey, "duplicate key '\(key.prefix(60))'", offset: keyOffset)
            }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail(.syntax, "expected ':'") }
            i += 1
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard i < bytes.count else { throw fail(.syntax, "unterminated object") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"):
                i += 1
                return .object(members)
            default: throw fail(.syntax, "expected ',' or '}'")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < maxDepth else { throw fail(.tooDeep, "nesting deeper than \(maxDepth)") }
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw fail(.syntax, "unterminated array") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"):
                i += 1
                return .array(items)
            default: throw fail(.syntax, "expected ',' or ']'")
            }
        }
    }

    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw fail(.syntax, "unexpected character") }
        let matches = word.withUTF8Buffer { w in (0..<count).allSatisfy { bytes[i + $0] == w[$0] } }
        guard matches else { throw fail(.syntax, "unexpected character") }
        i += count
        return value
    }

    mutating func number() throws(JSONError) -> Double {
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        guard i > intStart else { throw fail(.syntax, "unexpected character") }
        if bytes[intStart] == UInt8(ascii: "0") && i - intStart > 1 {
            throw JSONError(.syntax, "leading zeros are not allowed", offset: intStart)
        }
        var integer = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            integer = false
            i += 1
            let f = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            guard i > f else { throw fail(.syntax, "expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integer = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            guard i > e else { throw fail(.syntax, "expected exponent digits") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw JSONError(.inexactNumber, "the number \(text.prefix(40)) is beyond the double range", offset: start)
        }
        if d == 0, bytes[start..<i].contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
            // Only digits of the exponent may be non-zero in a literal that is zero ("0e5"): check the mantissa.
            let mantissaEnd = bytes[start..<i].firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? i
            if bytes[start..<mantissaEnd].contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
                throw JSONError(
                    .inexactNumber, "the number \(text.prefix(40)) is below the double range", offset: start)
            }
        }
        if integer, d.magnitude >= JSONValue.maxExactInteger, JSONValue.ecmaScriptNumber(d) != text {
            throw JSONError(
                .inexactNumber,
                "the integer \(text.prefix(40)) cannot be kept exactly (beyond 2^53, it would become "
                    + "\(JSONValue.ecmaScriptNumber(d)))",
                offset: start)
        }
        return d
    }

    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// A string at `i` (which is its opening quote). Runs without escapes are copied as they are, after checking
    /// they are UTF-8 when they hold any byte above ASCII.
    mutating func string() throws(JSONError) -> String {
        i += 1
        var out: [UInt8] = []
        var runStart = i
        var runIsASCII = true
        func flush(_ reader: JSONReader, _ end: Int, _ ascii: Bool) throws(JSONError) {
            guard end > runStart else { return }
            let run = reader.bytes[runStart..<end]
            if !ascii, String(validating: run, as: UTF8.self) == nil {
                throw JSONError(.invalidUTF8, "a string is not valid UTF-8", offset: runStart)
            }
            out.append(contentsOf: run)
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                if out.isEmpty {
                    // The common case: no escapes, one run.
                    let run = bytes[runStart..<i]
                    if !runIsASCII, String(validating: run, as: UTF8.self) == nil {
                        throw JSONError(.invalidUTF8, "a string is not valid UTF-8", offset: runStart)
                    }
                    i += 1
                    return String(decoding: run, as: UTF8.self)
                }
                try flush(self, i, runIsASCII)
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw fail(.syntax, "control character in string") }
            if c >= 0x80 { runIsASCII = false }
            if c == UInt8(ascii: "\\") {
                try flush(self, i, runIsASCII)
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                        else { throw fail(.syntax, "lone surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail(.syntax, "lone surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail(.syntax, "lone surrogate") }
                    out.append(contentsOf: UTF8.encode(scalar)!)
                default: throw fail(.syntax, "invalid escape")
                }
                runStart = i
                runIsASCII = true
                continue
            }
            i += 1
        }
        throw fail(.syntax, "unterminated string")
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail(.syntax, "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x37)
            case 0x61...0x66: d = UInt32(c - 0x57)
            default: throw fail(.syntax, "invalid \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
