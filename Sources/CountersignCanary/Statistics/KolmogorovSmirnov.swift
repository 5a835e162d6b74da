import Foundation

/// The two-sample Kolmogorov–Smirnov test: the largest gap between the two empirical CDFs.
///
/// Mann-Whitney only sees a shift of location; a canary whose spread blows up around the same median passes it.
/// KS compares whole distributions, and its one-sided statistics say which way the gap runs, so a widened upper
/// tail (latency) can fail a metric whose direction is `increase` without a narrowed one doing so.
/// p-values are asymptotic: Kolmogorov's distribution with Stephens' small-sample correction for the two-sided
/// test, Smirnov's exp(−2·nₑ·D²) for the one-sided ones (nₑ = n·m/(n + m)).
public enum KolmogorovSmirnov {
    /// Compares `x` (canary) with `y` (baseline). Ties are handled exactly (the CDFs jump together).
    ///
    /// - Throws: `invalidInput` for an empty sample or NaN.
    public static func test(_ x: [Double], _ y: [Double]) throws(CanaryError) -> KolmogorovSmirnovResult {
        guard !x.isEmpty, !y.isEmpty else {
            throw CanaryError(.invalidInput, "Kolmogorov–Smirnov needs at least one observation in each sample")
        }
        guard !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else {
            throw CanaryError(.invalidInput, "Kolmogorov–Smirnov samples must not contain NaN")
        }
        let sx = x.sorted()
        let sy = y.sorted()
        let n = Double(sx.count)
        let m = Double(sy.count)
        var i = 0
        var j = 0
        var greater = 0.0  // sup (F_y − F_x): x has more mass above some point
        var less = 0.0  // sup (F_x − F_y)
        while i < sx.count || j < sy.count {
            let v = i < sx.count && (j >= sy.count || sx[i] <= sy[j]) ? sx[i] : sy[j]
            while i < sx.count, sx[i] == v { i += 1 }
            while j < sy.count, sy[j] == v { j += 1 }
            let difference = Double(j) / m - Double(i) / n
            greater = Swift.max(greater, difference)
            less = Swift.max(less, -difference)
        }
        let effective = n * m / (n + m)
        let d = Swift.max(greater, less)
        let sqrtN = effective.squareRoot()
        let lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d
        return KolmogorovSmirnovResult(
            d: d, dGreater: greater, dLess: less, pValue: kolmogorovSurvival(lambda),
            pValueGreater: Swift.min(1, exp(-2 * effective * greater * greater)),
            pValueLess: Swift.min(1, exp(-2 * effective * less * less)), xCount: sx.count, yCount: sy.count)
    }

    /// Q(λ) = P(K > λ) for Kolmogorov's distribution, by whichever of its two series converges fast at λ.
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda <= 0 { return 1 }
        if lambda < 1.18 {
            // 1 − (√(2π)/λ) Σ exp(−(2k−1)²π²/(8λ²))
            let factor = -Double.pi * Double.pi / (8 * lambda * lambda)
            var sum = 0.0
            for k in 1...8 {
                let odd = Double(2 * k - 1)
                sum += exp(factor * odd * odd)
            }
            return Swift.min(1, Swift.max(0, 1 - (2 * Double.pi).squareRoot() / lambda * sum))
        }
        // 2 Σ (−1)^(k−1) exp(−2k²λ²)
        var sum = 0.0
        var sign = 1.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += sign * term
            if term < 1e-17 { break }
            sign = -sign
        }
        return Swift.min(1, Swift.max(0, 2 * sum))
    }
}

/// The statistics of a two-sample Kolmogorov–Smirnov test of x (canary) against y (baseline).
public struct KolmogorovSmirnovResult: Sendable, Hashable, Codable {
    /// sup |F_x − F_y|.
    public var d: Double
    /// sup (F_y − F_x): how far x's CDF runs below y's, i.e. x is larger somewhere.
    public var dGreater: Double
    /// sup (F_x − F_y): x is smaller somewhere.
    public var dLess: Double
    /// Two-sided p-value.
    public var pValue: Double
    /// One-sided p-value for "x is larger somewhere".
    public var pValueGreater: Double
    /// One-sided p-value for "x is smaller somewhere".
    public var pValueLess: Double
    public var xCount: Int
    public var yCount: Int
}
