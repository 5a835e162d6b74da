import CountersignLedger
import CountersignTesting
import Foundation
import Testing

@Suite struct LedgerTimeTests {
    @Test func parseTimeInvertsFormatTime() {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<2_000 {
            // Millisecond times from 1900 to 2200, before and after the epoch.
            let millis = Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &rng)
            let date = Date(timeIntervalSince1970: Double(millis) / 1_000)
            let text = LedgerEntry.formatTime(date)
            let parsed = LedgerEntry.parseTime(text)
            #expect(parsed.map { Int64(($0.timeIntervalSince1970 * 1_000).rounded()) } == millis, "\(text)")
        }
    }

    @Test func refusesOtherShapes() {
        for text in [
            "", "2026-11-03", "2026-11-03T10:00:00Z", "2026-13-03T10:00:00.000Z", "2026-11-03T25:00:00.000Z",
            "2026-11-03T10:00:00.000+01:00", "not a time at all 12345678901234567",
        ] {
            #expect(LedgerEntry.parseTime(text) == nil, "\(text)")
        }
    }
}
