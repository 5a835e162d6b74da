/// The summary Kayenta reports for each transformed series: {min, max, mean, std, count}.
///
/// `std` is the sample standard deviation (n − 1). An empty series gives all zeros, as Kayenta reports it, so a
/// result is always a plain number in JSON.
public struct DescriptiveStatistics: Sendable, Hashable, Codable {
    public var min: Double
    public var max: Double
    public var mean: Double
    public var std: Double
    public var count: Int

    public init(min: Double, max: Double, mean: Double, std: Double, count: Int) {
        self.min = min
        self.max = max
        self.mean = mean
        self.std = std
        self.count = count
    }

    /// Summarises `values`, which should be NaN-free (apply a `NaNStrategy` first).
    public init(_ values: [Double]) {
        guard !values.isEmpty else {
            self.init(min: 0, max: 0, mean: 0, std: 0, count: 0)
            return
        }
        let mean = Self.mean(values)
        self.init(
            min: values.min()!, max: values.max()!, mean: mean,
            std: Self.variance(values, mean: mean).squareRoot(), count: values.count)
    }

    /// The arithmetic mean with a second, corrective pass (as commons-math computes it), which removes most of
    /// the rounding error of a plain sum. NaN for an empty sample.
    public static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let n = Double(values.count)
        var sum = 0.0
        for v in values { sum += v }
        let first = sum / n
        guard first.isFinite else { return first }
        var correction = 0.0
        for v in values { correction += v - first }
        return first + correction / n
    }

    /// The unbiased sample variance (n − 1), two-pass with the compensating term; 0 for one value, NaN for none.
    public static func variance(_ values: [Double], mean: Double? = nil) -> Double {
        guard !values.isEmpty else { return .nan }
        guard values.count > 1 else { return 0 }
        let m = mean ?? Self.mean(values)
        var squares = 0.0
        var deviations = 0.0
        for v in values {
            let d = v - m
            squares += d * d
            deviations += d
        }
        let n = Double(values.count)
        return (squares - deviations * deviations / n) / (n - 1)
    }
}
