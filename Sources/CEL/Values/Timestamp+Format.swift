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
        let (y, m, d) = Timestamp.civilFromDays(days)
        return Civil(
            year: y, month: m, day: d, hour: secOfDay / 3600, minute: (secOfDay % 3600) / 60,
            second: secOfDay % 60, nanos: nanos)
    }

    /// Days since 1970-01-01 → (year, month 1–12, day 1–31).
    public static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// (year, month 1–12, day 1–31) → days since 1970-01-01.
    public static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// RFC 3339 in UTC with the shortest fraction CEL uses (0, 3, 6 or 9 digits): `2009-02-13T23:31:30Z`.
    public var rfc3339: String {
        let c = civil()
        var out =
            String(c.year).leftPadded(to: 4) + "-" + String(c.month).leftPadded(to: 2) + "-"
            + String(c.day).leftPadded(to: 2) + "T" + String(c.hour).leftPadded(to: 2) + ":"
            + String(c.minute).leftPadded(to: 2) + ":" + String(c.second).leftPadded(to: 2)
        if nanos != 0 {
            var digits = String(nanos).leftPadded(to: 9)
            while digits.hasSuffix("000") { digits.removeLast(3) }
            out += "." + digits
        }
        return out + "Z"
    }
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
