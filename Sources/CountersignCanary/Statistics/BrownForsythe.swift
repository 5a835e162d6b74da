/// The Brown–Forsythe test for a difference in spread: Levene's test on absolute deviations from each sample's
/// median (Brown & Forsythe 1974). With two samples it is the pooled two-sample t test on those deviations (Levene's
/// W is t², on 1 and N − 2 degrees of freedom), so its one-sided p-values say which way the spread moved.
///
/// Why this test. Mann-Whitney and the Hodges–Lehmann interval see location only, and the two-sample KS test is weak
/// against a pure change of spread at small n: with 15 points per side it passed kayenta#780's canary, whose spread had
/// collapsed against the baseline's. Scale tests all take out each sample's centre first; what decides between them is
/// what that does to their level. The mean absolute deviation from the median barely moves when the median is estimated
/// (the derivative of E|X − m| in m vanishes at the median), so Brown–Forsythe keeps its level on skewed samples such
/// as latencies, where the rank-based scale tests do not: on pairs of identical lognormal samples, Fligner–Killeen
/// (median-centred, normal scores) rejected 1.6% at a one-sided 1% level with 15 points per side and 4.8% with 1,000,
/// while Brown–Forsythe rejected 0.6% and 1.2% (Vectors/generate_spread.py --level, whose 1,000-point runs carry ±0.3%
/// of sampling error at two standard errors; normal, exponential, Pareto and Poisson samples likewise stay at 1% within
/// that error, where Fligner–Killeen reaches 3.5% and 6.3% on the skewed ones). It needs no ranks, so ties (a constant
/// canary) are no special case. The t tail is Student's (`StudentT`), not the normal's, which matters at n ≈ 15. Cost:
/// O(n) on sorted samples.
public enum BrownForsythe {
    /// Compares the spread of `x` (canary) with that of `y` (baseline).
    ///
    /// - Throws: `invalidInput` for fewer than two points in a sample or a non-finite value; `undefinedStatistic`
    ///   when every deviation on both sides is the same (both samples constant, say), so there is no spread to
    ///   compare.
    public static func test(_ x: [Double], _ y: [Double]) throws(CanaryError) -> BrownForsytheResult {
        for (name, sample) in [("x", x), ("y", y)] {
            guard sample.count >= 2 else {
                throw CanaryError(.invalidInput, "Brown–Forsythe needs at least two observations in sample \(name)")
            }
            guard sample.allSatisfy(\.isFinite) else {
                throw CanaryError(.invalidInput, "Brown–Forsythe sample \(name) holds a non-finite value")
            }
        }
        return try test(sortedX: x.sorted(), sortedY: y.sorted())
    }

    /// `test` on samples already sorted ascending, finite, two or more points each (the judge's case).
    static func test(sortedX: [Double], sortedY: [Double]) throws(CanaryError) -> BrownForsytheResult {
        let dx = deviations(sortedX)
        let dy = deviations(sortedY)
        let nx = Double(dx.count)
        let ny = Double(dy.count)
        let mx = DescriptiveStatistics.mean(dx)
        let my = DescriptiveStatistics.mean(dy)
        let degrees = nx + ny - 2
        let pooled =
            ((nx - 1) * DescriptiveStatistics.variance(dx, mean: mx)
                + (ny - 1) * DescriptiveStatistics.variance(dy, mean: my)) / degrees
        let t: Double
        if pooled > 0 {
            t = (mx - my) / (pooled * (1 / nx + 1 / ny)).squareRoot()
        } else if mx != my {
            // Every deviation equal within each side but not across: the spreads differ with certainty.
            t = mx > my ? .infinity : -.infinity
        } else {
            throw CanaryError(.undefinedStatistic, "Brown–Forsythe: every deviation from the median is the same")
        }
        let greater = StudentT.survival(t, degreesOfFreedom: degrees)
        let less = StudentT.cdf(t, degreesOfFreedom: degrees)
        return BrownForsytheResult(
            t: t, degreesOfFreedom: degrees, pValue: Swift.min(1, 2 * Swift.min(greater, less)),
            pValueGreater: greater, pValueLess: less, xSpread: mx, ySpread: my, xCount: dx.count, yCount: dy.count)
    }

    /// The median of an ascending sample, as `numpy.median` computes it (the mean of the middle two for even n;
    /// halved before adding, so values near the largest double do not overflow).
    static func median(sorted s: [Double]) -> Double {
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : s[n / 2 - 1] / 2 + s[n / 2] / 2
    }

    private static func deviations(_ sorted: [Double]) -> [Double] {
        let m = median(sorted: sorted)
        return sorted.map { abs($0 - m) }
    }
}

/// The result of `BrownForsythe.test` of x (canary) against y (baseline).
public struct BrownForsytheResult: Sendable, Hashable, Codable {
    /// The pooled two-sample t statistic of x's absolute deviations from its median against y's: positive when x
    /// is more spread out. ±∞ when each side's deviations are all equal but the sides differ.
    public var t: Double
    /// N − 2.
    public var degreesOfFreedom: Double
    /// Two-sided p-value (Levene's W = t² against F(1, N − 2)).
    public var pValue: Double
    /// One-sided p-value for "x is more spread out than y".
    public var pValueGreater: Double
    /// One-sided p-value for "x is less spread out than y".
    public var pValueLess: Double
    /// The mean absolute deviation of x from its median.
    public var xSpread: Double
    /// The mean absolute deviation of y from its median.
    public var ySpread: Double
    public var xCount: Int
    public var yCount: Int
}
