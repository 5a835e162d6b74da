/// The pooled two-proportion z-test: is the event rate (errors out of requests) of one population different
/// from another's?
///
/// Judging error *counts* or per-minute *rates* with Mann-Whitney goes wrong at low traffic: the counts depend
/// on how much traffic each side got, and sparse per-minute rates are mostly zeros that tie. Summing events and
/// trials over the window and testing the proportions uses every request.
public enum TwoProportionTest {
    /// Tests `events1` of `trials1` (canary) against `events2` of `trials2` (baseline).
    ///
    /// - Throws: `invalidInput` unless 0 ≤ events ≤ trials, trials > 0 and all are finite.
    public static func test(
        events1: Double, trials1: Double, events2: Double, trials2: Double
    ) throws(CanaryError) -> TwoProportionResult {
        for (name, value) in [("events1", events1), ("trials1", trials1), ("events2", events2), ("trials2", trials2)]
        where !value.isFinite || value < 0 {
            throw CanaryError(.invalidInput, "\(name) must be a finite, non-negative count, got \(value)")
        }
        guard trials1 > 0, trials2 > 0 else {
            throw CanaryError(.invalidInput, "each side needs at least one trial")
        }
        guard events1 <= trials1, events2 <= trials2 else {
            throw CanaryError(.invalidInput, "events cannot exceed trials")
        }
        let rate1 = events1 / trials1
        let rate2 = events2 / trials2
        let pooled = (events1 + events2) / (trials1 + trials2)
        let se = (pooled * (1 - pooled) * (1 / trials1 + 1 / trials2)).squareRoot()
        guard se > 0 else {
            // Both rates are 0 (or both 1): nothing distinguishes them.
            return TwoProportionResult(
                rate1: rate1, rate2: rate2, z: 0, pValue: 1, pValueGreater: 1, pValueLess: 1)
        }
        let z = (rate1 - rate2) / se
        return TwoProportionResult(
            rate1: rate1, rate2: rate2, z: z, pValue: Swift.min(1, 2 * NormalDistribution.survival(abs(z))),
            pValueGreater: NormalDistribution.survival(z), pValueLess: NormalDistribution.cdf(z))
    }
}

/// The result of a two-proportion z-test of population 1 (canary) against population 2 (baseline).
public struct TwoProportionResult: Sendable, Hashable, Codable {
    public var rate1: Double
    public var rate2: Double
    public var z: Double
    /// Two-sided p-value.
    public var pValue: Double
    /// One-sided p-value for rate1 > rate2.
    public var pValueGreater: Double
    /// One-sided p-value for rate1 < rate2.
    public var pValueLess: Double
}
