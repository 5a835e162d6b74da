/// The two-sample Mann-Whitney U (Wilcoxon rank-sum) test with the normal approximation, continuity and tie
/// corrections, and — following R's `wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE)`, as
/// Kayenta does — the confidence interval and Hodges–Lehmann estimate of the shift of x relative to y.
///
/// Costs: the p-value sorts once, O(n log n). The interval and estimate solve W(mu) = ±z and W(mu) = 0 with
/// R's `zeroin`; each evaluation of W merges the two pre-sorted samples in O(n), so a full test is
/// O(n log n + k·n) for k solver steps (tens), not O(n²).
public enum MannWhitney {
    /// The p-value of the two-sided test only, as
    /// `scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=…)`.
    ///
    /// Infinities are allowed (they only take part through their ranks); NaN and empty samples are not. When
    /// every observation is tied the test has no information and the p-value is 1.
    public static func pValue(
        _ x: [Double], _ y: [Double], continuityCorrection: Bool = true
    ) throws(CanaryError) -> MannWhitneyPValue {
        try validate(x, y, allowInfinite: true)
        let sx = x.sorted()
        let sy = y.sorted()
        return significance(sx, sy, continuityCorrection: continuityCorrection)
    }

    /// The full test: U and p-value, the `confidence` interval for the shift of x relative to y, and its
    /// Hodges–Lehmann estimate.
    ///
    /// `rootTolerance` is the solver's tolerance: `.kayenta` (absolute 1e-4) reproduces Kayenta and R; it makes
    /// bounds for small-magnitude metrics mostly solver noise, which `.relative` avoids.
    ///
    /// - Throws: `invalidInput` for an empty sample, NaN or infinite values, or a confidence outside (0, 1);
    ///   `undefinedStatistic` when the interval cannot be computed because every shifted observation ties.
    public static func test(
        _ x: [Double], _ y: [Double], confidence: Double = 0.95, rootTolerance: RootTolerance = .kayenta
    ) throws(CanaryError) -> MannWhitneyResult {
        try validate(x, y, allowInfinite: false)
        guard confidence > 0, confidence < 1 else {
            throw CanaryError(.invalidInput, "confidence must lie in (0, 1), got \(confidence)")
        }
        let sx = x.sorted()
        let sy = y.sorted()
        let significance = significance(sx, sy, continuityCorrection: true)

        let z = NormalDistribution.quantile((1 - confidence) / 2)  // negative
        let muMin = sx[0] - sy[sy.count - 1]
        let muMax = sx[sx.count - 1] - sy[0]
        let tolerance = rootTolerance.absoluteTolerance(span: muMax - muMin)
        let w = { (mu: Double, zq: Double) throws(CanaryError) -> Double in
            try wilcoxonDifference(mu: mu, zq: zq, sortedX: sx, sortedY: sy)
        }
        func root(_ zq: Double) throws(CanaryError) -> Double {
            let fLower = try w(muMin, zq)
            if fLower <= 0 { return muMin }
            let fUpper = try w(muMax, zq)
            if fUpper >= 0 { return muMax }
            return try Zeroin.root(muMin, muMax, fa: fLower, fb: fUpper, tolerance: tolerance) {
                (mu) throws(CanaryError) in try w(mu, zq)
            }
        }
        let lower = try root(-z)
        let upper = try root(z)
        let estimate = try Zeroin.root(
            muMin, muMax, fa: try w(muMin, 0), fb: try w(muMax, 0), tolerance: tolerance
        ) { (mu) throws(CanaryError) in try w(mu, 0) }
        return MannWhitneyResult(
            u: significance.u, z: significance.z, pValue: significance.pValue, confidence: confidence,
            lowerBound: lower, upperBound: upper, estimate: estimate, xCount: x.count, yCount: y.count)
    }

    /// W(mu, zq) of R's `wilcox.test`: the continuity-corrected, tie-corrected standardised rank statistic of
    /// x − mu against y, minus zq. It steps down as mu grows; the interval bounds are its roots at zq = ±z.
    ///
    /// - Throws: `undefinedStatistic` when every value of (x − mu) ++ y ties, so the statistic has no spread.
    static func wilcoxonDifference(
        mu: Double, zq: Double, sortedX: [Double], sortedY: [Double]
    ) throws(CanaryError) -> Double {
        let nx = Double(sortedX.count)
        let ny = Double(sortedY.count)
        let ranks = RankSum.ofFirst(sortedX, sortedY, shift: mu)
        let dz = ranks.rankSum - nx * (nx + 1) / 2 - nx * ny / 2
        let correction = dz > 0 ? 0.5 : dz < 0 ? -0.5 : 0
        let n = nx + ny
        let sigma = ((nx * ny / 12) * ((n + 1) - ranks.tieTerm / (n * (n - 1)))).squareRoot()
        guard sigma > 0 else {
            throw CanaryError(.undefinedStatistic, "cannot compute confidence interval when all observations are tied")
        }
        return (dz - correction) / sigma - zq
    }

    private static func significance(
        _ sx: [Double], _ sy: [Double], continuityCorrection: Bool
    ) -> MannWhitneyPValue {
        let n1 = Double(sx.count)
        let n2 = Double(sy.count)
        let ranks = RankSum.ofFirst(sx, sy)
        let u1 = ranks.rankSum - n1 * (n1 + 1) / 2
        let u2 = n1 * n2 - u1
        let n = n1 + n2
        // Two-sided: the larger U against its upper tail, doubled (scipy's arrangement of the same test).
        let s = (n1 * n2 / 12 * ((n + 1) - ranks.tieTerm / (n * (n - 1)))).squareRoot()
        var numerator = Swift.max(u1, u2) - n1 * n2 / 2
        if continuityCorrection { numerator -= 0.5 }
        guard s > 0 else { return MannWhitneyPValue(u: u1, z: 0, pValue: 1) }
        let z = numerator / s
        let p = Swift.min(1, Swift.max(0, 2 * NormalDistribution.survival(z)))
        return MannWhitneyPValue(u: u1, z: z, pValue: p)
    }

    private static func validate(_ x: [Double], _ y: [Double], allowInfinite: Bool) throws(CanaryError) {
        guard !x.isEmpty, !y.isEmpty else {
            throw CanaryError(.invalidInput, "Mann-Whitney needs at least one observation in each sample")
        }
        for v in x where !v.isFinite {
            if v.isNaN || !allowInfinite { throw CanaryError(.invalidInput, "sample x holds a non-finite value \(v)") }
        }
        for v in y where !v.isFinite {
            if v.isNaN || !allowInfinite { throw CanaryError(.invalidInput, "sample y holds a non-finite value \(v)") }
        }
    }
}

/// How precisely the interval and estimate roots are solved.
public enum RootTolerance: Sendable, Hashable {
    /// An absolute tolerance, in the metric's units.
    case absolute(Double)
    /// A fraction of the span of possible shifts, max(x) − min(y) − (min(x) − max(y)): scale-free, so a metric
    /// measured in 1e-6 units is solved as precisely as one in milliseconds.
    case relative(Double)

    /// Kayenta's and R's fixed absolute 1e-4.
    public static let kayenta = RootTolerance.absolute(1e-4)

    func absoluteTolerance(span: Double) -> Double {
        switch self {
        case .absolute(let t): t
        case .relative(let r): Swift.max(r * span, Double.leastNormalMagnitude)
        }
    }
}

/// U, z and the two-sided p-value of a Mann-Whitney test.
public struct MannWhitneyPValue: Sendable, Hashable, Codable {
    /// U of the first sample (x): the number of (x, y) pairs with x > y, ties counting half.
    public var u: Double
    /// The standardised, continuity-corrected statistic of the larger U (≥ −0.5/σ; 0 when all tie).
    public var z: Double
    /// The two-sided p-value in [0, 1].
    public var pValue: Double
}

/// The result of `MannWhitney.test`. The interval is reported as computed: with Kayenta's absolute solver
/// tolerance it can come out inverted (`lowerBound > upperBound`) for tiny shifts, which is why it is not a
/// `ClosedRange`.
public struct MannWhitneyResult: Sendable, Hashable, Codable {
    public var u: Double
    public var z: Double
    public var pValue: Double
    /// The confidence level the interval was computed at.
    public var confidence: Double
    /// The lower bound of the interval for the shift of x relative to y.
    public var lowerBound: Double
    /// The upper bound.
    public var upperBound: Double
    /// The Hodges–Lehmann estimate of the shift (the median of the pairwise differences x − y).
    public var estimate: Double
    public var xCount: Int
    public var yCount: Int
}
