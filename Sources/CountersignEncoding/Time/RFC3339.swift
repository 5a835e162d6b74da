public import Foundation

/// RFC 3339 times, read and written in one place: policy documents, request bodies, ledger entries, CEL
/// timestamps and every answer use these functions, so a time one part writes is a time every other part reads.
///
/// The range is CEL's and protobuf's, 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999999999Z; the calendar is
/// the proleptic Gregorian one, computed with Howard Hinnant's civil-date algorithms (no Foundation calendar, no
/// formatter: `ISO8601DateFormatter` costs tens of microseconds a call, and the ledger reads tens of thousands of
/// times per answer).
public enum RFC3339 {
    /// Seconds of 0001-01-01T00:00:00Z.
    public static let minSeconds: Int64 = -62_135_596_800
    /// Seconds of 9999-12-31T23:59:59Z.
    public static let maxSeconds: Int64 = 253_402_300_799

    /// Why a text is not a time.
    public struct ParseError: Error, Sendable, Equatable {
        /// Well-formed, but before year 1 or after year 9999 (CEL reports these as `out_of_range`).
        public let isOutOfRange: Bool
        public init(isOutOfRange: Bool) { self.isOutOfRange = isOutOfRange }
    }

    /// How many fraction digits a written time has.
    public enum Fraction: Sendable {
        /// None, 3, 6 or 9 digits, the fewest that hold the nanoseconds exactly (protobuf's JSON form, cel-go).
        case shortest
        /// Always three (`2026-11-03T10:00:00.000Z`): one fixed width, so stored times sort as text in SQL.
        case milliseconds
    }

    /// Parses `2009-02-13T23:31:30Z` or `2023-02-03T23:31:20.123+05:30` (`T` and `Z` in either case, up to nine
    /// fraction digits, any offset below 24 hours) into seconds since the Unix epoch and nanoseconds.
    public static func parse(_ text: String) throws(ParseError) -> (seconds: Int64, nanos: Int32) {
        var text = text
        let result = text.withUTF8 { scan($0) }
        switch result {
        case .time(let seconds, let nanos): return (seconds, nanos)
        case .invalid: throw ParseError(isOutOfRange: false)
        case .outOfRange: throw ParseError(isOutOfRange: true)
        }
    }

    /// The instant `text` names, or nil when it is not an RFC 3339 time in range.
    public static func date(_ text: String) -> Date? {
        guard let (seconds, nanos) = try? parse(text) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
    }

    /// The time in UTC, or `invalid` outside 0001–9999. Every date ``date(_:)`` returns is written back as a time
    /// it reads again: the last instants of 9999-12-31 that round to the year 10000 are written as the last
    /// instant a time can hold.
    public static func string(_ date: Date, fraction: Fraction = .shortest) -> String {
        let t = date.timeIntervalSince1970
        var seconds: Int64
        var nanos: Int64
        switch fraction {
        case .shortest:
            guard t.magnitude < 1e15 else { return "invalid" }  // far outside the range, beyond Int64 nanoseconds
            let whole = t.rounded(.down)
            seconds = Int64(whole)
            nanos = Int64(((t - whole) * 1e9).rounded())
        case .milliseconds:
            let millis = (t * 1_000).rounded()
            guard millis.magnitude < 1e18 else { return "invalid" }
            let (s, ms) = Int64(millis).quotientAndRemainder(dividingBy: 1_000)
            (seconds, nanos) = ms < 0 ? (s - 1, (ms + 1_000) * 1_000_000) : (s, ms * 1_000_000)
        }
        if nanos >= 1_000_000_000 {
            seconds += 1
            nanos -= 1_000_000_000
        }
        if seconds == maxSeconds + 1, nanos == 0 {
            seconds = maxSeconds
            nanos = fraction == .milliseconds ? 999_000_000 : 999_999_999
        }
        guard seconds >= minSeconds, seconds <= maxSeconds else { return "invalid" }
        return format(seconds: seconds, nanos: Int32(nanos), fraction: fraction)
    }

    /// Writes a time in range (seconds within ``minSeconds``...``maxSeconds``, nanos below 10^9) in UTC.
    public static func format(seconds: Int64, nanos: Int32, fraction: Fraction = .shortest) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civilFromDays(days)
        var out: [UInt8] = []
        out.reserveCapacity(30)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: 0x30 + v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        digits(y, 4)
        out.append(UInt8(ascii: "-"))
        digits(m, 2)
        out.append(UInt8(ascii: "-"))
        digits(d, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 3600 / 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        switch fraction {
        case .milliseconds:
            out.append(UInt8(ascii: "."))
            digits(Int64(nanos) / 1_000_000, 3)
        case .shortest where nanos != 0:
            out.append(UInt8(ascii: "."))
            if nanos % 1_000_000 == 0 {
                digits(Int64(nanos) / 1_000_000, 3)
            } else if nanos % 1_000 == 0 {
                digits(Int64(nanos) / 1_000, 6)
            } else {
                digits(Int64(nanos), 9)
            }
        case .shortest: break
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
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

    /// The number of days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private enum Scan {
        case time(Int64, Int32)
        case invalid
        case outOfRange
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Scan {
        func digits(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in at..<(at + n) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[k] - 0x30)
            }
            return v
        }
        func at(_ k: Int, _ c: UInt8) -> Bool { k < b.count && b[k] == c }
        // The year may have more than four digits only to be refused as out of range.
        var i = 0
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        guard i >= 4, i <= 9, let year = digits(0, i), at(i, UInt8(ascii: "-")), let month = digits(i + 1, 2),
            at(i + 3, UInt8(ascii: "-")), let day = digits(i + 4, 2)
        else { return .invalid }
        i += 6
        guard at(i, UInt8(ascii: "T")) || at(i, UInt8(ascii: "t")), let hour = digits(i + 1, 2),
            at(i + 3, UInt8(ascii: ":")), let minute = digits(i + 4, 2), at(i + 6, UInt8(ascii: ":")),
            let second = digits(i + 7, 2)
        else { return .invalid }
        i += 9
        var nanos: Int64 = 0
        if at(i, UInt8(ascii: ".")) {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                guard n < 9 else { return .invalid }
                nanos = nanos * 10 + Int64(b[i] - 0x30)
                n += 1
                i += 1
            }
            guard n > 0 else { return .invalid }
            for _ in n..<9 { nanos *= 10 }
        }
        guard i < b.count else { return .invalid }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), at(i + 3, UInt8(ascii: ":")), let om = digits(i + 4, 2), oh < 24, om < 60
            else { return .invalid }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return .invalid
        }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24,
            minute < 60, second < 60
        else { return .invalid }
        guard year >= 1, year <= 9999 else { return .outOfRange }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard seconds >= minSeconds, seconds <= maxSeconds else { return .outOfRange }
        return .time(seconds, Int32(nanos))
    }
}
