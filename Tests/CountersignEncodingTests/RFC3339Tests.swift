import CountersignEncoding
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2009-02-13T23:31:30Z", 1_234_567_890, 0), ("2009-02-13t23:31:30z", 1_234_567_890, 0),
        ("2023-02-03T23:31:20.123+05:30", 1_675_447_280, 123_000_000),
        ("1969-12-31T23:59:59.999999999Z", -1, 999_999_999), ("0001-01-01T00:00:00Z", -62_135_596_800, 0),
        ("9999-12-31T23:59:59.999999999Z", 253_402_300_799, 999_999_999),
        ("2024-02-29T00:00:00-00:00", 1_709_164_800, 0),
    ])
    func parses(_ text: String, _ seconds: Int64, _ nanos: Int32) throws {
        let t = try RFC3339.parse(text)
        #expect(t.seconds == seconds && t.nanos == nanos)
    }

    @Test(arguments: [
        "", "2026-11-03", "2026-11-03 10:00:00Z", "2026-13-03T10:00:00Z", "2026-11-03T24:00:00Z",
        "2023-02-29T00:00:00Z", "2026-11-03T10:00:60Z", "2026-11-03T10:00:00", "2026-11-03T10:00:00.Z",
        "2026-11-03T10:00:00.1234567890Z", "2026-11-03T10:00:00+24:00", "2026-11-03T10:00:00+0100",
        "２０２６-11-03T10:00:00Z", "2026-11-03T10:00:00Z ",
    ])
    func refuses(_ text: String) {
        #expect(throws: RFC3339.ParseError(isOutOfRange: false)) { try RFC3339.parse(text) }
    }

    @Test(arguments: ["0000-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01"])
    func refusesTimesOutOfRange(_ text: String) {
        #expect(throws: RFC3339.ParseError(isOutOfRange: true)) { try RFC3339.parse(text) }
    }

    @Test func writesWhatItReads() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Int64.random(in: RFC3339.minSeconds...RFC3339.maxSeconds, using: &rng)
            let nanos = Int32.random(in: 0..<1_000_000_000, using: &rng)
            let text = RFC3339.format(seconds: seconds, nanos: nanos)
            let back = try RFC3339.parse(text)
            #expect(back.seconds == seconds && back.nanos == nanos, "\(text)")
            let millis = RFC3339.format(seconds: seconds, nanos: nanos, fraction: .milliseconds)
            #expect(millis.utf8.count == 24, "\(millis)")
            #expect(try RFC3339.parse(millis).nanos == nanos / 1_000_000 * 1_000_000)
        }
        #expect(RFC3339.format(seconds: 0, nanos: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(seconds: 0, nanos: 1_000) == "1970-01-01T00:00:00.000001Z")
        #expect(RFC3339.format(seconds: 0, nanos: 0, fraction: .milliseconds) == "1970-01-01T00:00:00.000Z")
    }

    /// Dates at the ends of the range are written as times that read again, never as the year 10000.
    @Test func datesAtTheEndsOfTheRange() {
        let last = Date(timeIntervalSince1970: Double(RFC3339.maxSeconds) + 0.9999999)
        for fraction in [RFC3339.Fraction.shortest, .milliseconds] {
            let text = RFC3339.string(last, fraction: fraction)
            #expect(text.hasPrefix("9999-12-31T23:59:59.999"), "\(text)")
            #expect(RFC3339.date(text) != nil)
        }
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1e12)) == "invalid")
        #expect(RFC3339.string(Date(timeIntervalSince1970: -1e12), fraction: .milliseconds) == "invalid")
        #expect(
            RFC3339.string(Date(timeIntervalSince1970: -0.001), fraction: .milliseconds) == "1969-12-31T23:59:59.999Z")
    }
}
