internal import Foundation

/// Go-style durations as Argo writes them: `30s`, `5m`, `1h`, `1h30m`, `500ms`, `1.5s`; a bare number is seconds.
public enum AnalysisDuration {
    /// Parses `text`, or returns `nil` when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        if let seconds = Double(s) {
            // A bare number of seconds, within what Duration's nanoseconds hold (like the unit form below).
            guard seconds >= 0, seconds * 1e9 < 9.2e18 else { return nil }
            return .nanoseconds(Int64(seconds * 1e9))
        }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var total = 0.0
        var rest = Substring(s)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) })
            else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        guard total.isFinite, total < 9.2e18 else { return nil }
        return .nanoseconds(Int64(total))
    }
}
