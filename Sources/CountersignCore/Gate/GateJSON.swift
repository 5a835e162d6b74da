internal import CEL
public import Foundation

/// The JSON forms of requests, evidence and decisions (docs/policy.md): camelCase keys, times in RFC 3339.
public enum GateJSON {
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "invalid RFC 3339 time '\(text)'"))
            }
            return date
        }
        return d
    }

    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatDate(date))
        }
        return e
    }

    /// RFC 3339 with an optional fraction and any offset.
    public static func parseDate(_ text: String) -> Date? {
        guard let t = try? Timestamp.parse(text) else { return nil }
        return Date(timeIntervalSince1970: Double(t.seconds) + Double(t.nanos) / 1e9)
    }

    /// RFC 3339 in UTC with the fraction the date has, or `invalid` outside 0001–9999. Every date `parseDate`
    /// returns is written back as a time it parses again.
    public static func formatDate(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        guard t.magnitude < 1e15 else { return "invalid" }  // far outside the range, and beyond Int64 nanoseconds
        let seconds = t.rounded(.down)
        let nanos = Int64(((t - seconds) * 1e9).rounded())
        if let stamp = Timestamp(seconds: Int64(seconds), nanos: nanos) { return stamp.rfc3339 }
        // The last instants of 9999-12-31 are the same double as 10000-01-01T00:00:00Z: write the last one a
        // timestamp can hold, rather than a text no reader accepts.
        if Int64(seconds) == Timestamp.maxSeconds + 1, nanos == 0 {
            return Timestamp(seconds: Timestamp.maxSeconds, nanos: 999_999_999)!.rfc3339
        }
        return "invalid"
    }

    /// A decoding failure as one readable line: where in the document and what was wrong.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
            return "'\(path(context.codingPath))': expected \(type)"
        case DecodingError.dataCorrupted(let context):
            return "'\(path(context.codingPath))': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
}
