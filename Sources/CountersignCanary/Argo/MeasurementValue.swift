internal import CEL
public import CountersignEncoding

/// The value a metric provider returns, bound to `result` in the conditions.
///
/// Prometheus vectors are ``list(_:)`` of numbers (one per series, in the order returned), scalars are
/// ``number(_:)``, matrices are flattened into one list; a web provider's JSON is kept as is.
public indirect enum MeasurementValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([MeasurementValue])
    case map([String: MeasurementValue])

    /// A Prometheus instant vector: one number per series.
    public static func vector(_ values: [Double]) -> MeasurementValue { .list(values.map(MeasurementValue.number)) }

    /// A JSON document as a measurement value.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(MeasurementValue.init))
        case .object: self = .map(json.objectDictionary!.mapValues(MeasurementValue.init))
        }
    }

    /// Nil, an empty list or an empty map: the provider returned no data.
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .list(let l): l.isEmpty
        case .map(let m): m.isEmpty
        default: false
        }
    }

    /// Rendered as Argo stores measurement values: `0.99`, `[0.99]`, `{"ok":true}`.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): String(b)
        case .number(let n): GoFloat.formatG(n)
        case .string(let s): s
        case .list(let l): "[" + l.map(\.quotedDescription).joined(separator: ",") + "]"
        case .map(let m):
            "{" + m.keys.sorted().map { "\"\($0)\":\(m[$0]!.quotedDescription)" }.joined(separator: ",") + "}"
        }
    }

    private var quotedDescription: String {
        if case .string(let s) = self { return "\"\(s)\"" }
        return description
    }

    /// The CEL value: numbers are doubles, maps have string keys.
    var celValue: Value {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .double(n)
        case .string(let s): .string(s)
        case .list(let l): .list(l.map(\.celValue))
        case .map(let m): .map(MapValue(m.mapValues(\.celValue)))
        }
    }
}
