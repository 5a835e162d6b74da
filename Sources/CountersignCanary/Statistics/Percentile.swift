/// Sample percentiles with the R-7 estimator (linear interpolation between order statistics; the default of R
/// and numpy, and what Kayenta's IQR detector uses).
public enum Percentile {
    /// The `percent`-th percentile (0…100) of `values`; NaN for an empty sample or a percent outside 0…100.
    ///
    /// Sorts a copy; use `r7(sorted:percent:)` when taking several percentiles of one sample.
    public static func r7(_ values: [Double], percent: Double) -> Double {
        r7(sorted: values.sorted(), percent: percent)
    }

    /// The `percent`-th percentile of an ascending sample. The position is 1 + (n − 1)·p/100, interpolated
    /// between its neighbours; this exact arithmetic order reproduces Kayenta's values bit for bit. A percentile of
    /// finite values is finite.
    public static func r7(sorted values: [Double], percent: Double) -> Double {
        let n = values.count
        guard n > 0, percent >= 0, percent <= 100 else { return .nan }
        let p = percent / 100
        let position = p == 1 ? Double(n) : 1 + Double(n - 1) * p
        if position < 1 { return values[0] }
        if position >= Double(n) { return values[n - 1] }
        let floorPosition = position.rounded(.down)
        let index = Int(floorPosition)
        let fraction = position - floorPosition
        let lower = values[index - 1]
        let upper = values[index]
        let interpolated = lower + fraction * (upper - lower)
        if interpolated.isFinite { return interpolated }
        // `upper - lower` overflows when the neighbours lie near opposite ends of the doubles (±1.7e308): the
        // same point, weighted instead of offset, stays finite.
        return lower * (1 - fraction) + upper * fraction
    }
}
