internal import Foundation

/// Resolves a CEL time-zone argument to a UTC offset for a given instant.
///
/// Accepts fixed offsets (`+05:30`, `-02:30`, `02:00`, `-00:00`) and IANA zone names (`America/New_York`,
/// `UTC`). IANA offsets are looked up for the instant itself, so accessors are correct on both sides of a
/// daylight-saving change. Zone names come from the system tz database (Debian's `tzdata`).
enum TimeZoneOffset {
    static func seconds(at t: Timestamp, in zone: String) throws(EvalError) -> Int64 {
        if let fixed = fixedOffset(zone) { return fixed }
        guard let tz = TimeZone(identifier: zone) else {
            throw EvalError(.invalidArgument, "unknown time zone '\(zone)'")
        }
        let date = Date(timeIntervalSince1970: Double(t.seconds))
        return Int64(tz.secondsFromGMT(for: date))
    }

    /// `±HH:MM` or `HH:MM` (hours 0–23, minutes 0–59).
    static func fixedOffset(_ zone: String) -> Int64? {
        var s = Substring(zone)
        var sign: Int64 = 1
        if s.hasPrefix("+") || s.hasPrefix("-") {
            sign = s.hasPrefix("-") ? -1 : 1
            s = s.dropFirst()
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int64(parts[0]),
            let m = Int64(parts[1]), h < 24, m < 60
        else { return nil }
        return sign * (h * 3600 + m * 60)
    }
}
