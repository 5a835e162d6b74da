/// A CEL type, as the checker reasons about it and as `type(x)` returns it at runtime.
///
/// Named `CELType` rather than `Type` because `Type` is a Swift keyword in member position (`X.Type`).
public indirect enum CELType: Sendable, Hashable {
    case null
    case bool
    case int
    case uint
    case double
    case string
    case bytes
    case timestamp
    case duration
    case list(CELType)
    case map(CELType, CELType)
    /// The type of a type value; `type(int)` is `.type(.int)`, a bare `type` is `.type(.dyn)`.
    case type(CELType)
    case optional(CELType)
    /// An abstract (library-defined) type with parameters, e.g. `net.IP`, `k8s.Quantity`.
    case opaque(String, [CELType])
    /// A message (object) type by fully qualified name.
    case object(String)
    /// A type parameter in an overload signature (`A` in `list(A) -> A`).
    case typeParam(String)
    /// Any type; the checker accepts it anywhere.
    case dyn
    /// The checker's type of an expression that is known to fail.
    case error

    /// The name CEL prints and `type()` compares by, e.g. `int`, `list`, `google.protobuf.Timestamp`.
    public var runtimeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .timestamp: return "google.protobuf.Timestamp"
        case .duration: return "google.protobuf.Duration"
        case .list: return "list"
        case .map: return "map"
        case .type: return "type"
        case .optional: return "optional_type"
        case .opaque(let name, _): return name
        case .object(let name): return name
        case .typeParam(let name): return name
        case .dyn: return "dyn"
        case .error: return "*error*"
        }
    }

    /// The runtime identity of the type: parameters are erased (`list(int)` and `list(string)` are both `list`).
    public var erased: CELType {
        switch self {
        case .list: return .list(.dyn)
        case .map: return .map(.dyn, .dyn)
        case .type: return .type(.dyn)
        case .optional: return .optional(.dyn)
        case .opaque(let name, let params): return .opaque(name, params.map { _ in .dyn })
        default: return self
        }
    }

    /// Whether two types are the same at runtime (`type(x) == list`).
    public func sameRuntimeType(as other: CELType) -> Bool { erased == other.erased }
}

extension CELType: CustomStringConvertible {
    /// The checker's notation: `list(int)`, `map(string, dyn)`, `optional_type(int)`.
    public var description: String {
        switch self {
        case .list(let e): return "list(\(e))"
        case .map(let k, let v): return "map(\(k), \(v))"
        case .type(let t): return t == .dyn ? "type" : "type(\(t))"
        case .optional(let t): return "optional_type(\(t))"
        case .opaque(let name, let params):
            return params.isEmpty ? name : "\(name)(" + params.map(\.description).joined(separator: ", ") + ")"
        default: return runtimeName
        }
    }
}
