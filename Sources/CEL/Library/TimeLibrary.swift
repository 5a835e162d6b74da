internal import CountersignEncoding

extension Library {
    /// Timestamps and durations: construction and conversion, range-checked arithmetic and comparison, and the
    /// calendar accessors (`getFullYear`, `getDayOfWeek`, …) in UTC or a time zone given by IANA name or offset.
    public static let time = Library(
        "time",
        functions: TimeLibrary.conversions + TimeLibrary.operators + TimeLibrary.accessors,
        types: ["google.protobuf.Timestamp": .timestamp, "google.protobuf.Duration": .duration])
}

enum TimeLibrary {
    static let conversions: [Function] = [
        Function(
            "timestamp",
            [
                Overload("string_to_timestamp", [.string], .timestamp, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("timestamp", [v]) }
                    return .timestamp(try Timestamp.parse(s))
                },
                Overload("int64_to_timestamp", [.int], .timestamp) { (v) throws(EvalError) in
                    guard case .int(let i) = v, let t = Timestamp(seconds: i) else {
                        throw EvalError(.outOfRange, "timestamp \(v) is out of range")
                    }
                    return .timestamp(t)
                },
                Overload("timestamp_to_timestamp", [.timestamp], .timestamp) { (v) throws(EvalError) in v },
            ]),
        Function(
            "duration",
            [
                Overload("string_to_duration", [.string], .duration, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("duration", [v]) }
                    return .duration(try CELDuration.parse(s))
                },
                Overload("duration_to_duration", [.duration], .duration) { (v) throws(EvalError) in v },
            ]),
        Function(
            "string",
            [
                Overload("timestamp_to_string", [.timestamp], .string) { (v) throws(EvalError) in
                    guard case .timestamp(let t) = v else { throw EvalError.noOverload("string", [v]) }
                    return .string(t.rfc3339)
                },
                Overload("duration_to_string", [.duration], .string) { (v) throws(EvalError) in
                    guard case .duration(let d) = v else { throw EvalError.noOverload("string", [v]) }
                    return .string(d.description)
                },
            ]),
        Function(
            "int",
            [
                Overload("timestamp_to_int64", [.timestamp], .int) { (v) throws(EvalError) in
                    guard case .timestamp(let t) = v else { throw EvalError.noOverload("int", [v]) }
                    return .int(t.seconds)
                }
            ]),
    ]

    static func timestamp(_ seconds: Int64, _ nanos: Int64) throws(EvalError) -> Value {
        guard let t = Timestamp(seconds: seconds, nanos: nanos) else {
            throw EvalError(.outOfRange, "timestamp arithmetic result is out of range")
        }
        return .timestamp(t)
    }

    static func duration(_ a: Int64, _ b: Int64, subtract: Bool) throws(EvalError) -> Value {
        let (r, o) = subtract ? a.subtractingReportingOverflow(b) : a.addingReportingOverflow(b)
        guard !o else { throw EvalError(.outOfRange, "duration arithmetic result is out of range") }
        return .duration(CELDuration(nanoseconds: r))
    }

    static let operators: [Function] = {
        let add: @Sendable (Value, Value) throws(EvalError) -> Value = { (x, y) throws(EvalError) in
            switch (x, y) {
            case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
                return try timestamp(t.seconds, Int64(t.nanos) + d.nanoseconds)
            case (.duration(let a), .duration(let b)):
                return try duration(a.nanoseconds, b.nanoseconds, subtract: false)
            default: throw EvalError.noOverload("_+_", [x, y])
            }
        }
        let subtract: @Sendable (Value, Value) throws(EvalError) -> Value = { (x, y) throws(EvalError) in
            switch (x, y) {
            case (.timestamp(let t), .duration(let d)):
                guard d.nanoseconds != .min else { throw EvalError(.outOfRange, "duration out of range") }
                return try timestamp(t.seconds, Int64(t.nanos) - d.nanoseconds)
            case (.timestamp(let a), .timestamp(let b)):
                guard let seconds = CELDuration(seconds: a.seconds - b.seconds, nanos: Int64(a.nanos) - Int64(b.nanos))
                else { throw EvalError(.outOfRange, "timestamp difference is out of the duration range") }
                return .duration(seconds)
            case (.duration(let a), .duration(let b)):
                return try duration(a.nanoseconds, b.nanoseconds, subtract: true)
            default: throw EvalError.noOverload("_-_", [x, y])
            }
        }
        var functions = [
            Function(
                Operator.add,
                [
                    Overload("add_timestamp_duration", [.timestamp, .duration], .timestamp, .binary(add)),
                    Overload("add_duration_timestamp", [.duration, .timestamp], .timestamp, .binary(add)),
                    Overload("add_duration_duration", [.duration, .duration], .duration, .binary(add)),
                ]),
            Function(
                Operator.subtract,
                [
                    Overload("subtract_timestamp_duration", [.timestamp, .duration], .timestamp, .binary(subtract)),
                    Overload("subtract_timestamp_timestamp", [.timestamp, .timestamp], .duration, .binary(subtract)),
                    Overload("subtract_duration_duration", [.duration, .duration], .duration, .binary(subtract)),
                ]),
            Function(
                Operator.negate,
                [
                    Overload("negate_duration", [.duration], .duration) { (x) throws(EvalError) in
                        guard case .duration(let d) = x, d.nanoseconds != .min else {
                            throw EvalError(.outOfRange, "duration negation is out of range")
                        }
                        return .duration(CELDuration(nanoseconds: -d.nanoseconds))
                    }
                ]),
        ]
        let relations: [(String, String, Relation)] = [
            (Operator.less, "less", .less), (Operator.lessEquals, "less_equals", .lessEquals),
            (Operator.greater, "greater", .greater), (Operator.greaterEquals, "greater_equals", .greaterEquals),
        ]
        for (name, prefix, relation) in relations {
            let compare: @Sendable (Value, Value) throws(EvalError) -> Value = { (x, y) throws(EvalError) in
                guard let c = x.compare(y) else { throw EvalError.noOverload(name, [x, y]) }
                return .bool(relation.holds(c))
            }
            functions.append(
                Function(
                    name,
                    [
                        Overload("\(prefix)_timestamp", [.timestamp, .timestamp], .bool, .binary(compare)),
                        Overload("\(prefix)_duration", [.duration, .duration], .bool, .binary(compare)),
                    ]))
        }
        return functions
    }()

    /// The calendar fields of a timestamp, in UTC or the given zone.
    static func civil(_ v: Value, _ zone: Value?) throws(EvalError) -> Timestamp.Civil {
        guard case .timestamp(let t) = v else { throw EvalError.noOverload("timestamp accessor", [v]) }
        var offset: Int64 = 0
        if let zone {
            guard case .string(let name) = zone else { throw EvalError.noOverload("timestamp accessor", [v, zone]) }
            offset = try TimeZoneOffset.seconds(at: t, in: name)
        }
        return t.civil(offsetSeconds: offset)
    }

    static func timestampAccessor(
        _ name: String, _ field: @escaping @Sendable (Timestamp.Civil) -> Int64
    ) -> Function {
        Function(
            name,
            [
                Overload("timestamp_to_\(name)", member: true, [.timestamp], .int) { (t) throws(EvalError) in
                    .int(field(try civil(t, nil)))
                },
                Overload("timestamp_to_\(name)_with_tz", member: true, [.timestamp, .string], .int) {
                    (t, z) throws(EvalError) in .int(field(try civil(t, z)))
                },
            ])
    }

    static let accessors: [Function] = {
        @Sendable func dayOfYear(_ c: Timestamp.Civil) -> Int64 {
            RFC3339.daysFromCivil(c.year, c.month, c.day) - RFC3339.daysFromCivil(c.year, 1, 1)
        }
        @Sendable func dayOfWeek(_ c: Timestamp.Civil) -> Int64 {
            let days = RFC3339.daysFromCivil(c.year, c.month, c.day)
            return ((days % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday (4)
        }
        var functions = [
            timestampAccessor("getFullYear") { $0.year },
            timestampAccessor("getMonth") { $0.month - 1 },
            timestampAccessor("getDate") { $0.day },
            timestampAccessor("getDayOfMonth") { $0.day - 1 },
            timestampAccessor("getDayOfWeek", dayOfWeek),
            timestampAccessor("getDayOfYear", dayOfYear),
        ]
        // Shared by timestamps (calendar field) and durations (whole units in the span).
        let timeFields: [(String, @Sendable (Timestamp.Civil) -> Int64, Int64)] = [
            ("getHours", { $0.hour }, 3_600_000_000_000), ("getMinutes", { $0.minute }, 60_000_000_000),
            ("getSeconds", { $0.second }, 1_000_000_000), ("getMilliseconds", { Int64($0.nanos) / 1_000_000 }, -1),
        ]
        for (name, field, unit) in timeFields {
            var f = timestampAccessor(name, field)
            f.overloads.append(
                Overload("duration_to_\(name)", member: true, [.duration], .int) { (v) throws(EvalError) in
                    guard case .duration(let d) = v else { throw EvalError.noOverload(name, [v]) }
                    // getMilliseconds is the millisecond part of the duration (cel-go's behaviour, as tested).
                    if unit < 0 { return .int(Int64(d.nanos) / 1_000_000) }
                    return .int(d.nanoseconds / unit)
                })
            functions.append(f)
        }
        return functions
    }()
}
