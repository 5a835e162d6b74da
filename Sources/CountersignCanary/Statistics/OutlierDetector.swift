/// Flags outliers in a NaN-free sample; `detect` returns one flag per value, in order.
public protocol OutlierDetector: Sendable {
    func detect(_ values: [Double]) -> [Bool]
}

extension OutlierDetector {
    /// `values` without the points this detector flags, order kept.
    public func removeOutliers(_ values: [Double]) -> [Double] {
        zip(values, detect(values)).compactMap { $1 ? nil : $0 }
    }
}

/// Tukey's fences: a point is an outlier when it lies strictly outside [p25 − f·IQR, p75 + f·IQR] (R-7 quartiles).
///
/// With `reducedSensitivity` (what Kayenta's judge uses) the fences are widened to at least p1 and p99, so a
/// tight, well-behaved series loses at most its extreme percent rather than every point off the median.
public struct IQROutlierDetector: OutlierDetector, Hashable {
    public var factor: Double
    public var reducedSensitivity: Bool

    public init(factor: Double = 1.5, reducedSensitivity: Bool = false) {
        self.factor = factor
        self.reducedSensitivity = reducedSensitivity
    }

    public func detect(_ values: [Double]) -> [Bool] {
        guard !values.isEmpty else { return [] }
        let sorted = values.sorted()
        let p25 = Percentile.r7(sorted: sorted, percent: 25)
        let p75 = Percentile.r7(sorted: sorted, percent: 75)
        let iqr = p75 - p25
        var lower = p25 - factor * iqr
        var upper = p75 + factor * iqr
        if reducedSensitivity {
            lower = Swift.min(Percentile.r7(sorted: sorted, percent: 1), lower)
            upper = Swift.max(Percentile.r7(sorted: sorted, percent: 99), upper)
        }
        return values.map { $0 > upper || $0 < lower }
    }
}

/// A point is an outlier when |x − mean| > k·σ, with σ the population standard deviation. Kayenta ships it but
/// its judge never uses it; kept for callers that prefer it and for the reference vectors.
public struct KSigmaOutlierDetector: OutlierDetector, Hashable {
    public var k: Double

    public init(k: Double = 3) { self.k = k }

    public func detect(_ values: [Double]) -> [Bool] {
        guard !values.isEmpty else { return [] }
        let mean = DescriptiveStatistics.mean(values)
        var squares = 0.0
        for v in values { squares += (v - mean) * (v - mean) }
        let sigma = (squares / Double(values.count)).squareRoot()
        return values.map { abs($0 - mean) > k * sigma }
    }
}
