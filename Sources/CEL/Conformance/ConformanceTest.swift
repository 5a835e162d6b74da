/// One test of cel-spec's `SimpleTestFile` format, decoded from text format.
public struct ConformanceTest: Sendable {
    /// `file/section/test`, the id skip lists use.
    public let id: String
    public let expr: String
    public let disableMacros: Bool
    public let disableCheck: Bool
    public let checkOnly: Bool
    public let container: String
    /// Declared variables (`type_env` idents).
    public let variables: [String: CELType]
    /// Functions declared by the test (`type_env` functions): signatures only, for check-only tests.
    public let functions: [Function]
    public let bindings: [String: Value]
    public let expectation: Expectation
    /// Why this test needs protobuf message types, or `nil` when it doesn't.
    public let protobufReason: String?

    public enum Expectation: Sendable {
        case value(Value)
        case typedValue(Value, CELType)
        case evalError
        case unknown
        /// No matcher: the result must be `true`.
        case isTrue
    }
}

/// Converts the cel-spec protos (`cel.expr.Value`, `cel.expr.Type`, `Decl`) in text format into CEL values and
/// types, noting anything that would need protobuf message support.
struct ConformanceDecoder {
    /// Set when the decoded data needs protobuf message types.
    var protobufReason: String?

    static let messageMarkers = [
        "TestAllTypes", "NestedTestAllTypes", "GlobalEnum", "NestedEnum", "TestRequired", "proto2.", "proto3.",
        "google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
        "google.protobuf.NullValue", "google.protobuf.FieldMask", "google.protobuf.Empty",
        "Value{", "Int32Value", "Int64Value", "UInt32Value", "UInt64Value", "FloatValue", "DoubleValue",
        "BoolValue", "StringValue", "BytesValue", "google.protobuf.Timestamp{", "google.protobuf.Duration{",
        "Timestamp{", "Duration{", "ext.", "int32_ext", "nested_ext", "repeated_test_all_types",
    ]

    mutating func needsProtobuf(_ reason: String) {
        if protobufReason == nil { protobufReason = reason }
    }

    mutating func test(_ m: TextProtoMessage, id: String) -> ConformanceTest {
        let expr = m.string("expr") ?? ""
        if let marker = ConformanceDecoder.messageMarkers.first(where: { expr.contains($0) }) {
            needsProtobuf("expression uses protobuf message type or field (\(marker))")
        }
        let container = m.string("container") ?? ""
        if container.hasPrefix("cel.expr.conformance") || container == "google.protobuf" {
            needsProtobuf("resolves names in protobuf package \(container)")
        }
        var variables: [String: CELType] = [:]
        var functions: [Function] = []
        for case .message(let decl) in m.all("type_env") {
            guard let name = decl.string("name") else { continue }
            if let ident = decl.message("ident"), let t = ident.message("type") {
                variables[name] = type(t)
            } else if let f = decl.message("function") {
                functions.append(function(name, f))
            }
        }
        var bindings: [String: Value] = [:]
        for case .message(let entry) in m.all("bindings") {
            guard let key = entry.string("key"), let ev = entry.message("value") else { continue }
            if let v = ev.message("value") { bindings[key] = value(v) }
        }
        let expectation: ConformanceTest.Expectation
        if let v = m.message("value") {
            expectation = .value(value(v))
        } else if let tr = m.message("typed_result") {
            let v = tr.message("result").map { value($0) } ?? .null
            let t = tr.message("deduced_type").map { type($0) } ?? .dyn
            expectation = .typedValue(v, t)
        } else if m.first("eval_error") != nil || m.first("any_eval_errors") != nil {
            expectation = .evalError
        } else if m.first("unknown") != nil || m.first("any_unknowns") != nil {
            expectation = .unknown
        } else {
            expectation = .isTrue
        }
        return ConformanceTest(
            id: id, expr: expr, disableMacros: m.bool("disable_macros"), disableCheck: m.bool("disable_check"),
            checkOnly: m.bool("check_only"), container: container, variables: variables, functions: functions,
            bindings: bindings,
            expectation: expectation, protobufReason: protobufReason)
    }

    /// A declared function: its overloads' signatures, with an implementation that reports it has none.
    mutating func function(_ name: String, _ f: TextProtoMessage) -> Function {
        var overloads: [Overload] = []
        for case .message(let o) in f.all("overloads") {
            let params = o.all("params").compactMap { p -> CELType? in
                if case .message(let t) = p { return type(t) } else { return nil }
            }
            let result = o.message("result_type").map { type($0) } ?? .dyn
            overloads.append(
                Overload(
                    o.string("overload_id") ?? name, member: o.bool("is_instance_function"), params, result,
                    .variadic({ (args) throws(EvalError) in
                        throw EvalError(.unsupported, "function \(name) is declared for type-checking only")
                    })))
        }
        return Function(name, overloads)
    }

    mutating func value(_ m: TextProtoMessage) -> Value {
        guard let (name, field) = m.fields.first else { return .null }
        switch (name, field) {
        case ("null_value", _): return .null
        case ("bool_value", .token(let t)): return .bool(t == "true")
        case ("int64_value", .token(let t)): return .int(Int64(t) ?? 0)
        case ("uint64_value", .token(let t)): return .uint(UInt64(t) ?? 0)
        case ("double_value", .token(let t)): return .double(ConformanceDecoder.double(t))
        case ("string_value", .string(let b)): return .string(String(decoding: b, as: UTF8.self))
        case ("bytes_value", .string(let b)): return .bytes(b)
        case ("list_value", .message(let l)):
            return .list(
                l.all("values").compactMap { if case .message(let v) = $0 { return value(v) } else { return nil } })
        case ("map_value", .message(let mv)):
            var map = MapValue()
            for case .message(let entry) in mv.all("entries") {
                guard let k = entry.message("key"), let v = entry.message("value"), let key = MapKey(value(k)) else {
                    continue
                }
                map.set(key, value(v))
            }
            return .map(map)
        case ("type_value", .string(let b)):
            let name = String(decoding: b, as: UTF8.self)
            if let t = Planner.builtinTypes[name] { return .type(t) }
            needsProtobuf("expects the message type \(name)")
            return .type(.object(name))
        case ("enum_value", _):
            needsProtobuf("uses a protobuf enum value")
            return .null
        case ("object_value", .message(let any)):
            return object(any)
        default:
            needsProtobuf("uses value kind \(name)")
            return .null
        }
    }

    mutating func object(_ any: TextProtoMessage) -> Value {
        guard let (url, field) = any.fields.first, case .message(let body) = field else { return .null }
        let seconds = Int64(body.string("seconds") ?? "0") ?? 0
        let nanos = Int64(body.string("nanos") ?? "0") ?? 0
        switch url {
        case "[type.googleapis.com/google.protobuf.Timestamp]":
            if let t = Timestamp(seconds: seconds, nanos: nanos) { return .timestamp(t) }
        case "[type.googleapis.com/google.protobuf.Duration]":
            if let d = CELDuration(seconds: seconds, nanos: nanos) { return .duration(d) }
        default:
            break
        }
        needsProtobuf("uses the message \(url.dropFirst().dropLast())")
        return .null
    }

    mutating func type(_ m: TextProtoMessage) -> CELType {
        guard let (name, field) = m.fields.first else { return .dyn }
        switch (name, field) {
        case ("primitive", .token(let t)):
            switch t {
            case "BOOL": return .bool
            case "INT64": return .int
            case "UINT64": return .uint
            case "DOUBLE": return .double
            case "STRING": return .string
            case "BYTES": return .bytes
            default: return .dyn
            }
        case ("well_known", .token(let t)):
            switch t {
            case "TIMESTAMP": return .timestamp
            case "DURATION": return .duration
            default:
                needsProtobuf("uses the well-known type \(t)")
                return .dyn
            }
        case ("list_type", .message(let l)):
            return .list(l.message("elem_type").map { type($0) } ?? .dyn)
        case ("map_type", .message(let mt)):
            return .map(
                mt.message("key_type").map { type($0) } ?? .dyn, mt.message("value_type").map { type($0) } ?? .dyn)
        case ("type", .message(let inner)):
            return .type(inner.fields.isEmpty ? .dyn : type(inner))
        case ("null", _): return .null
        case ("dyn", _): return .dyn
        case ("error", _): return .error
        case ("type_param", .string(let b)): return .typeParam(String(decoding: b, as: UTF8.self))
        case ("abstract_type", .message(let a)):
            let name = a.string("name") ?? ""
            let params = a.all("parameter_types").compactMap { f -> CELType? in
                if case .message(let p) = f { return type(p) } else { return nil }
            }
            if name == "optional_type" { return .optional(params.first ?? .dyn) }
            return .opaque(name, params)
        case ("wrapper", _):
            needsProtobuf("uses a protobuf wrapper type")
            return .dyn
        case ("message_type", .string(let b)):
            let n = String(decoding: b, as: UTF8.self)
            if n == "google.protobuf.Timestamp" { return .timestamp }
            if n == "google.protobuf.Duration" { return .duration }
            needsProtobuf("uses the message type \(n)")
            return .object(n)
        default:
            return .dyn
        }
    }

    static func double(_ t: String) -> Double {
        switch t.lowercased() {
        case "inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: return Double(t) ?? Double(t.hasSuffix("f") ? String(t.dropLast()) : t) ?? .nan
        }
    }
}
