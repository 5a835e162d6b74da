public import Foundation

extension LedgerEntry {
    /// Reads a time `formatTime` wrote (`2026-11-03T10:00:00.000Z`) without a date formatter: projections hold
    /// these, and metrics and pages read tens of thousands per answer. `nil` for any other shape.
    public static func parseTime(_ text: String) -> Date? {
        var utf8 = text.utf8.makeIterator()
        var digits: [Int] = []
        digits.reserveCapacity(17)
        var separators = 0
        while let c = utf8.next() {
            if c >= 48 && c <= 57 {
                digits.append(Int(c) - 48)
            } else if c == 90 {  // Z
                break
            } else {
                separators += 1
            }
        }
        guard digits.count == 17, separators == 6 else { return nil }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
        let (y, m, d) = (number(0..<4), number(4..<6), number(6..<8))
        let (hh, mm, ss, ms) = (number(8..<10), number(10..<12), number(12..<14), number(14..<17))
        guard (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60, ss < 61 else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian, UTC.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86_400 + hh * 3_600 + mm * 60 + ss) + Double(ms) / 1_000
        return Date(timeIntervalSince1970: seconds)
    }
}
