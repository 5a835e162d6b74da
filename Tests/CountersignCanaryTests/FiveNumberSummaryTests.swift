import Testing

@testable import CountersignCanary

@Suite struct FiveNumberSummaryTests {
    @Test func quartilesMatchR7AndSkipNonFiniteValues() {
        // numpy.percentile([1, 3, 7, 10], [25, 50, 75]) == [2.5, 5, 7.75]
        let s = FiveNumberSummary([7, 1, 3, .nan, 10, .infinity])
        #expect(s.count == 4)
        #expect([s.min, s.q1, s.median, s.q3, s.max] == [1, 2.5, 5, 7.75, 10])
        let outlier = FiveNumberSummary([1, 2, 3, 4, 100])
        #expect([outlier.q1, outlier.median, outlier.q3] == [2, 3, 4])
    }

    @Test func anEmptySampleHasNoQuartiles() {
        let s = FiveNumberSummary([.nan])
        #expect(s.count == 0)
        #expect(s.median.isNaN && s.min.isNaN)
    }
}
