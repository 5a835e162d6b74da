import CountersignTesting
import Testing

@testable import CEL

@Suite struct TimeTests {
    @Test(arguments: [
        ("2009-02-13T23:31:30Z", 1_234_567_890 as Int64, 0 as Int32),
        ("2009-02-13t23:31:30.5z", 1_234_567_890, 500_000_000),
        ("2009-02-14T01:31:30+02:00", 1_234_567_890, 0), ("0001-01-01T00:00:00Z", -62_135_596_800, 0),
        ("9999-12-31T23:59:59.999999999Z", 253_402_300_799, 999_999_999), ("1970-01-01T00:00:00.000000001Z", 0, 1),
    ])
    func parsesRFC3339(_ text: String, _ seconds: Int64, _ nanos: Int32) throws {
        let t = try Timestamp.parse(text)
        #expect(t.seconds == seconds && t.nanos == nanos)
        #expect(try Timestamp.parse(t.rfc3339) == t, "formatting round-trips")
    }

    @Test(arguments: [
        "2009-02-13", "2009-02-13T23:31:30", "2009-13-01T00:00:00Z", "2009-02-30T00:00:00Z", "0000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z", "2009-02-13T24:00:00Z", "2009-02-13T23:31:30.1234567891Z", "2009-02-13T23:31:30+25:00",
    ])
    func rejectsBadTimestamps(_ text: String) {
        #expect(throws: EvalError.self) { try Timestamp.parse(text) }
    }

    @Test(arguments: [
        ("1h2m3.5s", 3_723_500_000_000 as Int64), ("-1.5h", -5_400_000_000_000), ("100ns", 100), ("1µs", 1_000),
        ("1us", 1_000), ("2ms", 2_000_000), ("0", 0), ("+3s", 3_000_000_000), ("1.000000001s", 1_000_000_001),
    ])
    func parsesDurations(_ text: String, _ nanoseconds: Int64) throws {
        #expect(try CELDuration.parse(text).nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "1", "1d", "h", ".h", "--1s", "320000000000s", "1s2"])
    func rejectsBadDurations(_ text: String) {
        #expect(throws: EvalError.self) { try CELDuration.parse(text) }
    }

    @Test(arguments: [
        // 2021-03-14T06:59:59Z is 01:59:59 EST; one second later is 03:00:00 EDT (spring forward).
        ("timestamp('2021-03-14T06:59:59Z').getHours('America/New_York')", 1 as Int64),
        ("timestamp('2021-03-14T07:00:00Z').getHours('America/New_York')", 3),
        // Europe/Berlin leaves summer time at 2021-10-31T01:00:00Z (03:00 CEST → 02:00 CET).
        ("timestamp('2021-10-31T00:59:59Z').getHours('Europe/Berlin')", 2),
        ("timestamp('2021-10-31T01:00:00Z').getHours('Europe/Berlin')", 2),
        ("timestamp('2021-10-31T01:00:00Z').getMinutes('+05:30')", 30),
        ("timestamp('2024-02-29T12:00:00Z').getDayOfYear()", 59),
        ("timestamp('2024-03-03T00:00:00Z').getDayOfWeek()", 0),
        ("timestamp('2024-12-31T23:00:00Z').getFullYear('+01:00')", 2025), ("duration('90m').getHours()", 1),
        ("duration('-1.5s').getMilliseconds()", -500),
    ])
    func accessorsFollowTimeZonesAcrossDaylightSaving(_ source: String, _ expected: Int64) throws {
        #expect(try Environment().compile(source).evaluate().celEquals(.int(expected)), "\(source)")
    }

    @Test func rejectsUnknownZonesAndOverflow() {
        #expect(throws: EvalError.self) { try evaluate("timestamp(0).getHours('Mars/Olympus')") }
        #expect(throws: EvalError.self) { try evaluate("timestamp('9999-12-31T23:59:59Z') + duration('1s')") }
        #expect(throws: EvalError.self) { try evaluate("duration('-9223372036s') - duration('1s')") }
    }

    @Test func randomTimestampsRoundTrip() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<2_000 {
            let span = UInt64(Timestamp.maxSeconds - Timestamp.minSeconds)
            let seconds = Timestamp.minSeconds + Int64(rng.next() % span)
            let t = try #require(Timestamp(seconds: seconds, nanos: Int64(rng.next() % 1_000_000_000)))
            #expect(try Timestamp.parse(t.rfc3339) == t)
        }
    }
}
