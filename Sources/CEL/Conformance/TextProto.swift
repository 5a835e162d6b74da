/// A generic protobuf text-format message: an ordered list of fields, repeated fields appearing repeatedly.
///
/// Enough of the format for the cel-spec conformance files: `#` comments, `name: value` and `name { … }` (colon
/// optional before messages, `{}` or `<>`), single- and double-quoted strings with C escapes (bytes, as the format
/// defines them) and adjacent-literal concatenation, numbers, identifiers (enums, `inf`, `nan`), `[a, b]` lists,
/// and `[type.googleapis.com/…] { … }` Any expansions.
public struct TextProtoMessage: Sendable {
    public indirect enum Field: Sendable {
        case string([UInt8])
        /// A number or identifier token, as written (`42`, `-1.5e3`, `inf`, `INT64`, `true`).
        case token(String)
        case message(TextProtoMessage)
    }

    public var fields: [(name: String, value: Field)] = []

    public init() {}

    /// All values of field `name`.
    public func all(_ name: String) -> [Field] { fields.filter { $0.name == name }.map(\.value) }
    /// The first value of field `name`.
    public func first(_ name: String) -> Field? { fields.first { $0.name == name }?.value }
    /// The first message value of field `name`.
    public func message(_ name: String) -> TextProtoMessage? {
        if case .message(let m)? = first(name) { return m }
        return nil
    }
    /// The first value of `name` as a UTF-8 string (strings) or the token text.
    public func string(_ name: String) -> String? {
        switch first(name) {
        case .string(let b)?: return String(decoding: b, as: UTF8.self)
        case .token(let t)?: return t
        default: return nil
        }
    }
    public func bool(_ name: String) -> Bool { string(name) == "true" }

    /// Parses text format.
    public static func parse(_ text: String) throws(TextProtoError) -> TextProtoMessage {
        var reader = TextProtoReader(bytes: Array(text.utf8))
        let m = try reader.parseFields(until: nil, depth: 0)
        return m
    }
}

/// A text-format syntax error with its line.
public struct TextProtoError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public var description: String { "text proto line \(line): \(message)" }
}

private struct TextProtoReader {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ message: String) -> TextProtoError {
        TextProtoError(message: message, line: bytes[..<min(i, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 })
    }

    mutating func skip() {
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                i += 1
            } else if c == UInt8(ascii: "#") {
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            } else {
                break
            }
        }
    }

    func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E
            || c == 0x2D || c == 0x2B
    }

    mutating func parseFields(until close: UInt8?, depth: Int) throws(TextProtoError) -> TextProtoMessage {
        guard depth < 100 else { throw fail("nesting too deep") }
        var m = TextProtoMessage()
        while true {
            skip()
            guard let c = peek() else {
                if close != nil { throw fail("unexpected end of input") }
                return m
            }
            if c == close {
                i += 1
                return m
            }
            var name: String
            if c == UInt8(ascii: "[") {
                i += 1
                let start = i
                while i < bytes.count && bytes[i] != UInt8(ascii: "]") { i += 1 }
                guard i < bytes.count else { throw fail("unterminated [type url]") }
                name = "[" + String(decoding: bytes[start..<i], as: UTF8.self) + "]"
                i += 1
            } else {
                let start = i
                while i < bytes.count && TextProtoReader.isNameByte(bytes[i]) { i += 1 }
                guard i > start else { throw fail("expected a field name, found '\(UnicodeScalar(c))'") }
                name = String(decoding: bytes[start..<i], as: UTF8.self)
            }
            skip()
            var sawColon = false
            if peek() == UInt8(ascii: ":") {
                i += 1
                sawColon = true
                skip()
            }
            guard let v = peek() else { throw fail("missing value for \(name)") }
            if v == UInt8(ascii: "{") || v == UInt8(ascii: "<") {
                i += 1
                let closing = v == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
                m.fields.append((name, .message(try parseFields(until: closing, depth: depth + 1))))
            } else if v == UInt8(ascii: "[") && sawColon {
                i += 1
                while true {
                    skip()
                    if peek() == UInt8(ascii: "]") {
                        i += 1
                        break
                    }
                    if peek() == UInt8(ascii: "{") {
                        i += 1
                        m.fields.append((name, .message(try parseFields(until: UInt8(ascii: "}"), depth: depth + 1))))
                    } else {
                        m.fields.append((name, try parseScalar()))
                    }
                    skip()
                    if peek() == UInt8(ascii: ",") { i += 1 }
                }
            } else {
                guard sawColon else { throw fail("expected ':' after \(name)") }
                m.fields.append((name, try parseScalar()))
            }
            skip()
            if peek() == UInt8(ascii: ",") || peek() == UInt8(ascii: ";") { i += 1 }
        }
    }

    mutating func parseScalar() throws(TextProtoError) -> TextProtoMessage.Field {
        guard let c = peek() else { throw fail("missing value") }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            var out: [UInt8] = []
            while let q = peek(), q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                out += try parseString(quote: q)
                skip()
            }
            return .string(out)
        }
        let start = i
        while i < bytes.count && TextProtoReader.isNameByte(bytes[i]) { i += 1 }
        guard i > start else { throw fail("unexpected character '\(UnicodeScalar(c))'") }
        return .token(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    mutating func parseString(quote: UInt8) throws(TextProtoError) -> [UInt8] {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            i += 1
            if c == quote { return out }
            if c == 0x0A { throw fail("newline in string") }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                var v = 0
                var n = 0
                while n < 2, i < bytes.count, let d = hexValue(bytes[i]) {
                    v = v * 16 + d
                    i += 1
                    n += 1
                }
                guard n > 0 else { throw fail("invalid \\x escape") }
                out.append(UInt8(v))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = Int(e - 0x30)
                var n = 1
                while n < 3, i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x37 {
                    v = v * 8 + Int(bytes[i] - 0x30)
                    i += 1
                    n += 1
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "u") ? 4 : 8
                var v: UInt32 = 0
                for _ in 0..<n {
                    guard i < bytes.count, let d = hexValue(bytes[i]) else { throw fail("invalid \\u escape") }
                    v = v * 16 + UInt32(d)
                    i += 1
                }
                guard let s = Unicode.Scalar(v) else { throw fail("invalid code point") }
                out += Array(String(s).utf8)
            default:
                out.append(e)  // \\ \' \" \? and anything else taken literally
            }
        }
    }

    func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }
}
