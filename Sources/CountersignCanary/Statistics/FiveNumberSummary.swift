/// Minimum, quartiles and maximum of a sample (quantiles by linear interpolation between order statistics, as
/// R's type 7 and NumPy's default compute them): what a box plot of canary against baseline draws.
public struct FiveNumberSummary: Sendable, Hashable, Codable {
    public var count: Int
    public var min: Double
    public var q1: Double
    public var median: Double
    public var q3: Double
    public var max: Double

    /// Summarises the finite values of `values`; NaN and infinities are left out, as the judges leave them out.
    public init(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        count = sorted.count
        guard let first = sorted.first, let last = sorted.last else {
            (min, q1, median, q3, max) = (.nan, .nan, .nan, .nan, .nan)
            return
        }
        min = first
        max = last
        q1 = Self.quantile(sorted, 0.25)
        median = Self.quantile(sorted, 0.5)
        q3 = Self.quantile(sorted, 0.75)
    }

    /// The `p` quantile of an ascending, non-empty sample.
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lower = Int(h.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}
