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

    /// Found by the `canary` fuzz target (Fuzz/corpus/canary/crash-canary-summary): between neighbours near opposite
    /// ends of the doubles, interpolation overflowed to infinity, which reached the `canary.judged` payload.
    @Test func quartilesOfFiniteValuesAreFinite() {
        let s = FiveNumberSummary([-1.7e308, 1.7e308])
        let quartiles = [s.min, s.q1, s.median, s.q3, s.max]
        let allFinite = quartiles.allSatisfy { $0.isFinite }
        #expect(allFinite, "\(quartiles)")
        #expect(s.median == 0)
        #expect(Percentile.r7([-1.7e308, 1.7e308, 1.7e308], percent: 25).isFinite)
    }

    @Test func anEmptySampleHasNoQuartiles() {
        let s = FiveNumberSummary([.nan])
        #expect(s.count == 0)
        #expect(s.median.isNaN && s.min.isNaN)
    }
}
