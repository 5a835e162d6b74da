/// Rank statistics of two pooled samples, computed by merging them sorted instead of sorting the pool.
///
/// Both inputs must be ascending and NaN-free. Shifting the first sample by `mu` keeps it ascending (IEEE
/// subtraction is monotone), so one O(n) walk yields the average-rank sum of the first sample and the tie term
/// Σ(t³ − t) exactly as ranking the pooled vector `(x − mu) ++ y` would: ties are decided on the shifted values
/// as computed, including values that only become equal through rounding.
struct RankSum {
    /// The sum of the average ranks (1-based) of the first sample's points.
    var rankSum: Double
    /// Σ over groups of tied values of t³ − t.
    var tieTerm: Double

    static func ofFirst(_ x: [Double], _ y: [Double], shift mu: Double = 0) -> RankSum {
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in compute(xs, ys, mu) }
        }
    }

    private static func compute(
        _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, _ mu: Double
    ) -> RankSum {
        let nx = x.count
        let ny = y.count
        var i = 0
        var j = 0
        var position = 0.0  // ranks assigned so far
        var rankSum = 0.0
        var tieTerm = 0.0
        while i < nx || j < ny {
            let xv = i < nx ? x[i] - mu : .infinity
            let yv = j < ny ? y[j] : .infinity
            // The value of the next group; when both sides are exhausted on one end, +∞ stands in, and the
            // explicit bounds below keep a real +∞ from being confused with the sentinel.
            let v: Double
            if i >= nx {
                v = yv
            } else if j >= ny {
                v = xv
            } else {
                v = Swift.min(xv, yv)
            }
            var cx = 0
            while i < nx, x[i] - mu == v {
                cx += 1
                i += 1
            }
            var cy = 0
            while j < ny, y[j] == v {
                cy += 1
                j += 1
            }
            let t = Double(cx + cy)
            // The group occupies ranks position+1 … position+t; each gets their mean.
            rankSum += Double(cx) * (position + (t + 1) / 2)
            if t > 1 { tieTerm += t * t * t - t }
            position += t
        }
        return RankSum(rankSum: rankSum, tieTerm: tieTerm)
    }
}
