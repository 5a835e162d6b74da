internal import CountersignEncoding
internal import Foundation

/// `string.format(list)`: cel-go's formatting clauses `%s %d %f %e %b %o %x %X` (with `.N` precision) and `%%`,
/// producing the same text and the same errors.
enum StringFormatter {
    static func fail(_ message: String) -> EvalError {
        EvalError(.invalidArgument, "error during formatting: \(message)")
    }

    static func format(_ format: String, _ args: [Value]) throws(EvalError) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argIndex = 0
        var i = 0
        while i < f.count {
            let c = f[i]
            i += 1
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard i < f.count else {
                throw EvalError(.invalidArgument, "could not parse formatting clause: missing verb")
            }
            if f[i] == "%" {
                out += "%"
                i += 1
                continue
            }
            var precision: Int? = nil
            if f[i] == "." {
                i += 1
                var p = 0
                var digits = 0
                while i < f.count, let d = f[i].asciiDigit {
                    p = min(p * 10 + Int(d), 1000)
                    digits += 1
                    i += 1
                }
                guard digits > 0 else {
                    throw EvalError(.invalidArgument, "could not parse formatting clause: invalid precision")
                }
                precision = p
            }
            guard i < f.count else {
                throw EvalError(.invalidArgument, "could not parse formatting clause: missing verb")
            }
            let verb = f[i]
            i += 1
            guard "sdfeboxX".unicodeScalars.contains(verb) else {
                throw EvalError(
                    .invalidArgument, "could not parse formatting clause: unrecognized formatting clause \"\(verb)\"")
            }
            guard argIndex < args.count else { throw EvalError(.outOfRange, "index \(argIndex) out of range") }
            let arg = args[argIndex]
            argIndex += 1
            out += try clause(verb, precision, arg)
        }
        return out
    }

    static func clause(_ verb: Unicode.Scalar, _ precision: Int?, _ arg: Value) throws(EvalError) -> String {
        switch verb {
        case "s": return try string(arg)
        case "d":
            switch arg {
            case .int(let i): return String(i)
            case .uint(let u): return String(u)
            case .double(let d) where !d.isFinite: return special(d)
            default: throw fail("decimal clause can only be used on integers, was given \(arg.typeName)")
            }
        case "f", "e":
            let d: Double
            switch arg {
            case .double(let x): d = x
            case .int(let x): d = Double(x)
            case .uint(let x): d = Double(x)
            default:
                throw fail(
                    "\(verb == "f" ? "fixed-point" : "scientific") clause can only be used on doubles, was given \(arg.typeName)"
                )
            }
            if !d.isFinite { return special(d) }
            return String(format: "%.\(precision ?? 6)\(verb)", d)
        case "b":
            switch arg {
            case .int(let i): return i < 0 ? "-" + String(i.magnitude, radix: 2) : String(i, radix: 2)
            case .uint(let u): return String(u, radix: 2)
            case .bool(let b): return b ? "1" : "0"
            default: throw fail("only integers and bools can be formatted as binary, was given \(arg.typeName)")
            }
        case "o":
            switch arg {
            case .int(let i): return i < 0 ? "-" + String(i.magnitude, radix: 8) : String(i, radix: 8)
            case .uint(let u): return String(u, radix: 8)
            default: throw fail("octal clause can only be used on integers, was given \(arg.typeName)")
            }
        default:  // x, X
            let upper = verb == "X"
            let hex: String
            switch arg {
            case .int(let i): hex = i < 0 ? "-" + String(i.magnitude, radix: 16) : String(i, radix: 16)
            case .uint(let u): hex = String(u, radix: 16)
            case .string(let s): hex = Hex.encode(s.utf8)
            case .bytes(let b): hex = Hex.encode(b)
            default:
                throw fail(
                    "only integers, byte buffers, and strings can be formatted as hex, was given \(arg.typeName)")
            }
            return upper ? hex.uppercased() : hex
        }
    }

    static func special(_ d: Double) -> String {
        d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity")
    }

    /// `%s`: values as text, lists and maps recursively (map entries sorted by their formatted key).
    static func string(_ v: Value) throws(EvalError) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return GoFloat.plain(d)
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .timestamp(let t): return t.rfc3339
        case .duration(let d): return d.description
        case .type(let t): return t.runtimeName
        case .list(let l):
            var parts: [String] = []
            for e in l { parts.append(try string(e)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .map(let m):
            var parts: [(String, String)] = []
            for (k, value) in m.entries { parts.append((try string(k.value), try string(value))) }
            parts.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return "{" + parts.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        case .optional, .object:
            throw fail(
                "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given \(v.typeName)"
            )
        }
    }
}
