/// A CEL token.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case int(Int64)  // magnitude may be 2^63 for a negated literal; see `bigInt`
        case bigInt  // 9223372036854775808, valid only after unary minus
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case ident(String)
        case quotedIdent(String)  // `a-b`
        case keyword(String)  // true false null in
        case punct(String)
        case eof
    }
    let kind: Kind
    let offset: Int
}

/// Splits CEL source into tokens. Operates on Unicode scalars so positions are scalar offsets.
struct Lexer {
    let source: Source
    var i = 0
    var s: [Unicode.Scalar] { source.scalars }

    init(source: Source) { self.source = source }

    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ]

    func error(_ message: String, at offset: Int) -> CompileError {
        CompileError(.syntax, "Syntax error: \(message)", source: source, offset: offset)
    }

    mutating func skipTrivia() {
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                i += 1
            } else if c == "/" && i + 1 < s.count && s[i + 1] == "/" {
                while i < s.count && s[i] != "\n" { i += 1 }
            } else {
                break
            }
        }
    }

    mutating func next() throws(CompileError) -> Token {
        skipTrivia()
        guard i < s.count else { return Token(kind: .eof, offset: i) }
        let start = i
        let c = s[i]
        if c.isIdentStart {
            var name = String.UnicodeScalarView()
            while i < s.count && s[i].isIdentPart {
                name.append(s[i])
                i += 1
            }
            let word = String(name)
            // String and bytes prefixes: r, b, rb, br (any case).
            if i < s.count, s[i] == "\"" || s[i] == "'" {
                let lower = word.lowercased()
                if ["r", "b", "rb", "br"].contains(lower) {
                    return try lexString(start: start, raw: lower.contains("r"), bytes: lower.contains("b"))
                }
            }
            switch word {
            case "true", "false", "null", "in": return Token(kind: .keyword(word), offset: start)
            default: return Token(kind: .ident(word), offset: start)
            }
        }
        if c.isDigit || (c == "." && i + 1 < s.count && s[i + 1].isDigit) {
            return try lexNumber(start: start)
        }
        if c == "\"" || c == "'" {
            return try lexString(start: start, raw: false, bytes: false)
        }
        if c == "`" {
            i += 1
            var name = String.UnicodeScalarView()
            while i < s.count && s[i] != "`" {
                let ch = s[i]
                guard ch.isIdentPart || ch == "-" || ch == "." || ch == "/" || ch == " " else {
                    throw error("invalid character '\(ch)' in quoted identifier", at: i)
                }
                name.append(ch)
                i += 1
            }
            guard i < s.count else { throw error("unterminated quoted identifier", at: start) }
            i += 1
            guard !name.isEmpty else { throw error("empty quoted identifier", at: start) }
            return Token(kind: .quotedIdent(String(name)), offset: start)
        }
        let two = i + 1 < s.count ? String(String.UnicodeScalarView([c, s[i + 1]])) : ""
        if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
            i += 2
            return Token(kind: .punct(two), offset: start)
        }
        if "+-*/%!<>?:.,()[]{}".unicodeScalars.contains(c) {
            i += 1
            return Token(kind: .punct(String(c)), offset: start)
        }
        throw error("token recognition error at: '\(c)'", at: start)
    }

    mutating func lexNumber(start: Int) throws(CompileError) -> Token {
        // Hex integers.
        if s[i] == "0", i + 1 < s.count, s[i + 1] == "x" || s[i + 1] == "X" {
            i += 2
            var digits = ""
            while i < s.count, s[i].isHexDigit {
                digits.unicodeScalars.append(s[i])
                i += 1
            }
            guard !digits.isEmpty else { throw error("invalid hex literal", at: start) }
            return try integer(digits, radix: 16, start: start)
        }
        var text = ""
        var isDouble = false
        while i < s.count, s[i].isDigit {
            text.unicodeScalars.append(s[i])
            i += 1
        }
        if i < s.count, s[i] == ".", i + 1 < s.count, s[i + 1].isDigit {
            isDouble = true
            text += "."
            i += 1
            while i < s.count, s[i].isDigit {
                text.unicodeScalars.append(s[i])
                i += 1
            }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, s[j].isDigit {
                isDouble = true
                text += "e"
                i += 1
                if s[i] == "+" || s[i] == "-" {
                    text.unicodeScalars.append(s[i])
                    i += 1
                }
                while i < s.count, s[i].isDigit {
                    text.unicodeScalars.append(s[i])
                    i += 1
                }
            }
        }
        if isDouble {
            if text.hasPrefix(".") { text = "0" + text }
            guard let d = Double(text) else { throw error("invalid double literal '\(text)'", at: start) }
            return Token(kind: .double(d), offset: start)
        }
        return try integer(text, radix: 10, start: start)
    }

    mutating func integer(_ digits: String, radix: Int, start: Int) throws(CompileError) -> Token {
        if i < s.count, s[i] == "u" || s[i] == "U" {
            i += 1
            guard let u = UInt64(digits, radix: radix) else { throw error("invalid uint literal", at: start) }
            return Token(kind: .uint(u), offset: start)
        }
        if let v = Int64(digits, radix: radix) { return Token(kind: .int(v), offset: start) }
        if UInt64(digits, radix: radix) == 9_223_372_036_854_775_808 { return Token(kind: .bigInt, offset: start) }
        throw error("invalid int literal", at: start)
    }

    mutating func lexString(start: Int, raw: Bool, bytes: Bool) throws(CompileError) -> Token {
        while i < s.count, s[i] != "\"" && s[i] != "'" { i += 1 }  // skip prefix
        let q = s[i]
        let triple = i + 2 < s.count && s[i + 1] == q && s[i + 2] == q
        i += triple ? 3 : 1
        var out: [UInt8] = []
        var scalars = String.UnicodeScalarView()
        func emit(_ scalar: Unicode.Scalar) {
            if bytes { out.append(contentsOf: Array(String(scalar).utf8)) } else { scalars.append(scalar) }
        }
        while true {
            guard i < s.count else { throw error("unterminated string literal", at: start) }
            let c = s[i]
            if triple {
                if c == q && i + 2 < s.count && s[i + 1] == q && s[i + 2] == q {
                    i += 3
                    break
                }
            } else {
                if c == q {
                    i += 1
                    break
                }
                if c == "\n" || c == "\r" { throw error("newline in string literal", at: i) }
            }
            if c == "\\" && !raw {
                let escStart = i
                i += 1
                guard i < s.count else { throw error("unterminated escape sequence", at: escStart) }
                let e = s[i]
                i += 1
                switch e {
                case "\\", "?", "\"", "'", "`": emit(e)
                case "a": emit("\u{07}")
                case "b": emit("\u{08}")
                case "f": emit("\u{0C}")
                case "n": emit("\n")
                case "r": emit("\r")
                case "t": emit("\t")
                case "v": emit("\u{0B}")
                case "x", "X":
                    let v = try hexDigits(2, at: escStart)
                    if bytes { out.append(UInt8(v)) } else { emit(Unicode.Scalar(UInt8(v))) }
                case "u", "U":
                    guard !bytes else { throw error("\\\(e) escapes are not allowed in bytes literals", at: escStart) }
                    let v = try hexDigits(e == "u" ? 4 : 8, at: escStart)
                    guard let scalar = Unicode.Scalar(v) else {
                        throw error("invalid unicode code point in escape sequence", at: escStart)
                    }
                    emit(scalar)
                case "0"..."3":
                    guard i + 1 < s.count, s[i].isOctal, s[i + 1].isOctal else {
                        throw error("invalid octal escape sequence", at: escStart)
                    }
                    let v = (e.value - 48) * 64 + (s[i].value - 48) * 8 + (s[i + 1].value - 48)
                    i += 2
                    if bytes { out.append(UInt8(v)) } else { emit(Unicode.Scalar(UInt8(v))) }
                default:
                    throw error("invalid escape sequence '\\\(e)'", at: escStart)
                }
                continue
            }
            emit(c)
            i += 1
        }
        if bytes { return Token(kind: .bytes(out), offset: start) }
        return Token(kind: .string(String(scalars)), offset: start)
    }

    mutating func hexDigits(_ n: Int, at escStart: Int) throws(CompileError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<n {
            guard i < s.count, let d = s[i].hexValue else { throw error("invalid hex escape sequence", at: escStart) }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}

extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }
    var isOctal: Bool { ("0"..."7").contains(self) }
    var isHexDigit: Bool { hexValue != nil }
    var hexValue: UInt32? {
        switch self {
        case "0"..."9": return value - 48
        case "a"..."f": return value - 87
        case "A"..."F": return value - 55
        default: return nil
        }
    }
    var isIdentStart: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
    var isIdentPart: Bool { isIdentStart || isDigit }
}
