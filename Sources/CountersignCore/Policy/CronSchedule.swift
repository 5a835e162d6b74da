/// A five-field cron expression (`minute hour day-of-month month day-of-week`): `*`, lists, ranges, steps,
/// and month and weekday names (`0 12 * * FRI`). As in cron, when both day fields are restricted a day matches
/// if either does.
public struct CronSchedule: Sendable, Hashable {
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    public let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public init(parsing text: String) throws(CronError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            throw CronError("cron '\(text)' must have 5 fields: minute hour day month weekday")
        }
        minutes = try CronSchedule.field(fields[0], 0...59, [:], text)
        hours = try CronSchedule.field(fields[1], 0...23, [:], text)
        daysOfMonth = try CronSchedule.field(fields[2], 1...31, [:], text)
        months = try CronSchedule.field(
            fields[3], 1...12,
            [
                "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10,
                "NOV": 11, "DEC": 12,
            ], text)
        let dow = try CronSchedule.field(
            fields[4], 0...7, ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6], text)
        daysOfWeek = Set(dow.map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    /// Whether the schedule fires on this calendar day.
    func matchesDay(dayOfMonth: Int, month: Int, dayOfWeek: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dom = daysOfMonth.contains(dayOfMonth)
        let dow = daysOfWeek.contains(dayOfWeek)
        if dayOfMonthRestricted && dayOfWeekRestricted { return dom || dow }
        return dom && dow
    }

    private static func field(
        _ text: Substring, _ range: ClosedRange<Int>, _ names: [String: Int], _ whole: String
    ) throws(CronError) -> Set<Int> {
        func value(_ s: Substring) throws(CronError) -> Int {
            if let n = Int(s), range.contains(n) { return n }
            if let n = names[s.uppercased()] { return n }
            throw CronError("cron '\(whole)': '\(s)' is not a valid value (\(range.lowerBound)-\(range.upperBound))")
        }
        var result: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var base = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                base = part[..<slash]
                guard let s = Int(part[part.index(after: slash)...]), s > 0 else {
                    throw CronError("cron '\(whole)': invalid step in '\(part)'")
                }
                step = s
            }
            var lo = range.lowerBound
            var hi = range.upperBound
            if base != "*" {
                if let dash = base.firstIndex(of: "-") {
                    lo = try value(base[..<dash])
                    hi = try value(base[base.index(after: dash)...])
                    guard lo <= hi else { throw CronError("cron '\(whole)': empty range '\(base)'") }
                } else {
                    lo = try value(base)
                    hi = part.contains("/") ? range.upperBound : lo
                }
            }
            for v in stride(from: lo, through: hi, by: step) { result.insert(v) }
        }
        return result
    }
}

/// A malformed cron expression.
public struct CronError: Error, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
