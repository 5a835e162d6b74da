/// A CEL runtime value.
///
/// Values are small and copyable: aggregates are Swift arrays and a copy-on-write map, so passing a value never
/// copies its contents. Errors are not values; evaluation throws ``EvalError`` and the interpreter absorbs errors
/// where the language says so (`&&`, `||`, `all`, `exists`).
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([Value])
    case map(MapValue)
    case timestamp(Timestamp)
    case duration(CELDuration)
    /// A type used as a value: `type(1) == int`.
    case type(CELType)
    /// `optional.of(x)` is `.optional(x)`; `optional.none()` is `.optional(nil)`.
    indirect case optional(Value?)
    /// A value of an extension library type (ip, cidr, url, semver, quantity, …) or a host object.
    case object(any ObjectValue)
}

/// A value whose type is defined outside the core language: extension library types and host objects.
///
/// Host applications expose their own structured data by conforming to this protocol; field selection
/// (`request.ref`) calls ``field(_:)``.
///
/// Conformers must be classes (use immutable `final class`es): a class-bound existential is one pointer plus a
/// witness table, which keeps `Value` at 17 bytes and its copies trivial to inline — measured at twice the
/// evaluation speed of a struct-based existential, whose 40-byte inline buffer forced every `Value` copy
/// through generic value witnesses.
public protocol ObjectValue: AnyObject, Sendable {
    /// The CEL type of this value, e.g. `.opaque("net.IP")` or `.object("countersign.Request")`.
    var celType: CELType { get }
    /// The value of field `name`, or `nil` when the field does not exist (selection then raises `no_such_field`).
    func field(_ name: String) -> Value?
    /// Whether field `name` is set, for `has(x.name)`. Defaults to "the field exists".
    func hasField(_ name: String) -> Bool
    /// Equality with another object value of the same type.
    func isEqual(to other: any ObjectValue) -> Bool
    /// Ordering with another object of the same type, or `nil` when the type is unordered.
    func compare(to other: any ObjectValue) -> Int?
    /// How `string(x)` renders the value, or `nil` when the conversion is not defined.
    var stringValue: String? { get }
}

extension ObjectValue {
    public func field(_ name: String) -> Value? { nil }
    public func hasField(_ name: String) -> Bool { field(name) != nil }
    public func compare(to other: any ObjectValue) -> Int? { nil }
    public var stringValue: String? { nil }
}

extension Value {
    /// The runtime type of the value, as `type(x)` reports it.
    public var celType: CELType {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .uint: return .uint
        case .double: return .double
        case .string: return .string
        case .bytes: return .bytes
        case .list: return .list(.dyn)
        case .map: return .map(.dyn, .dyn)
        case .timestamp: return .timestamp
        case .duration: return .duration
        case .type(let t): return .type(t)
        case .optional: return .optional(.dyn)
        case .object(let o): return o.celType
        }
    }

    /// The name of the runtime type, used in error messages ("no matching overload for size(int)").
    public var typeName: String { celType.runtimeName }
}

extension Value: CustomStringConvertible {
    /// A CEL-literal-like rendering, used by the CLI and in messages.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return Value.formatDouble(d)
        case .string(let s): return Value.quote(s)
        case .bytes(let b): return "b\"" + b.map { Value.escapeByte($0) }.joined() + "\""
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m):
            return "{"
                + m.entries.map { "\($0.0.value.description): \($0.1.description)" }
                .joined(separator: ", ") + "}"
        case .timestamp(let t): return "timestamp(\"\(t.rfc3339)\")"
        case .duration(let d): return "duration(\"\(d.description)\")"
        case .type(let t): return t.runtimeName
        case .optional(let v): return v.map { "optional.of(\($0.description))" } ?? "optional.none()"
        case .object(let o): return o.stringValue ?? "<\(o.celType.runtimeName)>"
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return String(d)
    }

    /// A double-quoted CEL string literal: `\a \b \f \n \r \t \v \\ \"` escaped, other control characters as `\xHH`,
    /// everything printable as is. `strings.quote()` and value printing share it.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\x" + String(c.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    static func escapeByte(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7f && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
            return String(UnicodeScalar(b))
        }
        return "\\x" + String(b, radix: 16).leftPadded(to: 2)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
