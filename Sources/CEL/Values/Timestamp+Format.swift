internal import CountersignEncoding

extension Timestamp {
    /// Civil date and time fields in UTC, computed with Howard Hinnant's days-from-civil algorithm (no Foundation,
    /// proleptic Gregorian calendar, valid over CEL's whole range).
    public struct Civil: Sendable, Equatable {
        public var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64
        public var nanos: Int32
    }

    /// The UTC civil fields of this timestamp, shifted by `offsetSeconds` (for time-zone accessors).
    public func civil(offsetSeconds: Int64 = 0) -> Civil {
        let s = seconds + offsetSeconds
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let secOfDay = s - days * 86_400
        let (y, m, d) = RFC3339.civilFromDays(days)
        return Civil(
            year: y, month: m, day: d, hour: secOfDay / 3600, minute: (secOfDay % 3600) / 60,
            second: secOfDay % 60, nanos: nanos)
    }

    /// RFC 3339 in UTC with the shortest fraction CEL uses (0, 3, 6 or 9 digits): `2009-02-13T23:31:30Z`.
    public var rfc3339: String { RFC3339.format(seconds: seconds, nanos: nanos) }
}

extension CELDuration: CustomStringConvertible {
    /// Seconds with the shortest exact fraction and an `s` suffix, as `string(duration)` prints: `1.5s`, `-3600s`.
    public var description: String {
        let negative = nanoseconds < 0
        let magnitude = nanoseconds.magnitude
        var out = (negative ? "-" : "") + String(magnitude / 1_000_000_000)
        let frac = magnitude % 1_000_000_000
        if frac != 0 {
            var digits = String(frac).leftPadded(to: 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return out + "s"
    }
}
