import Testing

@testable import CountersignCanary

/// `BrownForsythe` against scipy (1.17.1): W and the two-sided p from `scipy.stats.levene(x, y, center='median')`,
/// t and the one-sided p-values from `scipy.stats.ttest_ind` on the absolute deviations from each sample's median
/// (`alternative='greater'` / `'less'`), written out by `python3 Vectors/generate_spread.py`.
@Suite struct BrownForsytheTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var x: [Double]
        var y: [Double]
        var t: Double
        var w: Double
        var p: Double
        var pGreater: Double
        var pLess: Double
        var xSpread: Double
        var ySpread: Double
        var testDescription: String { name }
    }

    static let kayenta780Canary = [
        10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 17.0, 17.1, 17.2, 17.3, 17.4, 17.5, 17.6, 17.7,
    ]
    static let kayenta780Baseline = [1.0, 100, 4, 101, 5, 102, 6, 103, 7, 104, 8, 105, 9, 106, 17]

    static let cases: [Case] = [
        Case(
            name: "kayenta#780, canary against baseline", x: kayenta780Canary, y: kayenta780Baseline,
            t: -4.1148180956582925, w: 16.931727960356938, p: 0.0003086302890885738, pGreater: 0.9998456848554557,
            pLess: 0.0001543151445442869, xSpread: 3.3133333333333335, ySpread: 45.4),
        Case(
            name: "kayenta#780 swapped", x: kayenta780Baseline, y: kayenta780Canary, t: 4.1148180956582925,
            w: 16.931727960356938, p: 0.0003086302890885738, pGreater: 0.0001543151445442869,
            pLess: 0.9998456848554557, xSpread: 45.4, ySpread: 3.3133333333333335),
        Case(
            name: "spinnaker#6278, a constant baseline", x: Array(repeating: 100, count: 7) + [1, 1, 1],
            y: Array(repeating: 1, count: 10), t: 1.9639610121239313, w: 3.857142857142857, p: 0.06516948808048839,
            pGreater: 0.032584744040244244, pLess: 0.9674152559597557, xSpread: 29.7, ySpread: 0),
        Case(
            name: "a constant canary", x: Array(repeating: 5, count: 12),
            y: [3.1, 4.7, 5.0, 5.2, 6.9, 4.4, 5.8, 2.5, 7.3, 5.1, 4.9, 6.2], t: -3.7025147781579766,
            w: 13.708615682478207, p: 0.0012424941309234366, pGreater: 0.9993787529345383,
            pLess: 0.0006212470654617169, xSpread: 0, ySpread: 0.9916666666666664),
        Case(
            name: "ties, unequal sizes, even n", x: [1, 2, 2, 3, 3, 3, 4, 9], y: [2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 2],
            t: 1.0151283876381694, w: 1.0304856433888692, p: 0.3242754090501882, pGreater: 0.16213770452509396,
            pLess: 0.837862295474906, xSpread: 1.375, ySpread: 0.7272727272727273),
    ]

    @Test(arguments: cases)
    func matchesScipy(_ c: Case) throws {
        let r = try BrownForsythe.test(c.x, c.y)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * Swift.max(abs(b), 1e-300) }
        #expect(close(r.t, c.t), "t \(r.t)")
        #expect(close(r.t * r.t, c.w), "W \(r.t * r.t)")
        #expect(r.degreesOfFreedom == Double(c.x.count + c.y.count - 2))
        #expect(close(r.pValue, c.p), "p \(r.pValue)")
        #expect(close(r.pValueGreater, c.pGreater), "p> \(r.pValueGreater)")
        #expect(close(r.pValueLess, c.pLess), "p< \(r.pValueLess)")
        #expect(abs(r.xSpread - c.xSpread) <= 1e-12 && abs(r.ySpread - c.ySpread) <= 1e-12)
        #expect(r.xCount == c.x.count && r.yCount == c.y.count)
    }

    @Test func orderDoesNotMatterAndResultsRepeat() throws {
        let a = try BrownForsythe.test(Self.kayenta780Canary, Self.kayenta780Baseline)
        let rotated = Array(Self.kayenta780Baseline[5...] + Self.kayenta780Baseline[..<5])
        let b = try BrownForsythe.test(Self.kayenta780Canary.reversed(), rotated)
        #expect(a == b)
    }

    @Test func degenerateInputs() {
        #expect(throws: CanaryError(.invalidInput, "")) { try BrownForsythe.test([1], [1, 2, 3]) }
        #expect(throws: CanaryError(.invalidInput, "")) { try BrownForsythe.test([1, .nan], [1, 2, 3]) }
        #expect(throws: CanaryError(.invalidInput, "")) { try BrownForsythe.test([1, .infinity], [1, 2, 3]) }
        // Both constant: no spread on either side to compare.
        #expect(throws: CanaryError(.undefinedStatistic, "")) { try BrownForsythe.test([4, 4, 4], [7, 7]) }
        // Every deviation equal within each side but not across: the spreads differ with certainty.
        let certain = try? BrownForsythe.test([1, 3], [5, 5, 5])
        #expect(certain?.t == .infinity && certain?.pValueGreater == 0 && certain?.pValueLess == 1)
        // The median of values near the largest double: halved before adding, so it does not overflow.
        #expect(BrownForsythe.median(sorted: [1.7e308, 1.79e308]) == 1.745e308)
        #expect(BrownForsythe.median(sorted: [1, 2, 4]) == 2 && BrownForsythe.median(sorted: [1, 2, 4, 8]) == 3)
    }
}
