/// Minimum, quartiles and maximum of a sample (R-7 quartiles, as `Percentile` computes them): what a box plot of
/// canary against baseline draws.
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
        q1 = Percentile.r7(sorted: sorted, percent: 25)
        median = Percentile.r7(sorted: sorted, percent: 50)
        q3 = Percentile.r7(sorted: sorted, percent: 75)
    }
}
