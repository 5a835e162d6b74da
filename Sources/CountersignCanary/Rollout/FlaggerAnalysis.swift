/// A Flagger `Canary`'s analysis (reference §4): metric checks with inclusive ranges, run every `interval`,
/// failures counted cumulatively against `threshold`, traffic stepped by `stepWeight` or `stepWeights`.
///
/// Flagger's webhooks and readiness checks belong to Flagger, which calls Countersign; only the metric
/// analysis is judged here.
public struct FlaggerAnalysis: Sendable, Hashable {
    public var name: String
    /// Time between iterations; Flagger's default is 60 s and anything below 10 s is raised to 10 s.
    public var interval: Duration
    /// Failed checks that trigger a rollback; Flagger treats ≤ 0 as 1.
    public var threshold: Int
    public var maxWeight: Int
    /// Linear steps; ignored when ``stepWeights`` is set.
    public var stepWeight: Int
    /// Non-linear steps; the last one is the cap.
    public var stepWeights: [Int]
    public var metrics: [FlaggerMetric]

    public static let minimumInterval: Duration = .seconds(10)

    public init(
        name: String, interval: Duration = .seconds(60), threshold: Int = 1, maxWeight: Int = 100,
        stepWeight: Int = 0, stepWeights: [Int] = [], metrics: [FlaggerMetric]
    ) throws(CanaryError) {
        self.name = name
        self.interval = max(interval, Self.minimumInterval)
        self.threshold = max(threshold, 1)
        self.maxWeight = maxWeight
        self.stepWeight = stepWeight
        self.stepWeights = stepWeights
        self.metrics = metrics
        guard !metrics.isEmpty else { throw CanaryError(.invalidConfiguration, "analysis.metrics: none given") }
        guard stepWeights.isEmpty ? stepWeight > 0 : stepWeights.allSatisfy({ $0 > 0 && $0 <= 100 }) else {
            throw CanaryError(
                .invalidConfiguration, "analysis: stepWeight must be positive, or stepWeights percentages in 1…100")
        }
        guard stepWeights == stepWeights.sorted() else {
            throw CanaryError(.invalidConfiguration, "analysis.stepWeights: must increase")
        }
        guard (1...100).contains(maxWeight) else {
            throw CanaryError(.invalidConfiguration, "analysis.maxWeight: \(maxWeight) is not in 1…100")
        }
    }

    /// The weight after `weight`, or `nil` when the canary is ready for promotion. With linear steps the weight
    /// is checked before the step is added, so it may overshoot `maxWeight` (50 by 20: 20, 40, 60, promote).
    public func nextWeight(after weight: Int) -> Int? {
        if let last = stepWeights.last {
            guard weight < last else { return nil }
            return stepWeights.first { $0 > weight }
        }
        guard weight < maxWeight else { return nil }
        return weight + stepWeight
    }
}

/// One metric check: a PromQL query that must return one number, within an inclusive range.
public struct FlaggerMetric: Sendable, Hashable {
    public var name: String
    /// The query with Flagger's template variables already filled in.
    public var query: PrometheusQuery
    public var min: Double?
    public var max: Double?

    public init(name: String, query: PrometheusQuery, min: Double? = nil, max: Double? = nil) {
        self.name = name
        self.query = query
        self.min = min
        self.max = max
    }

    /// Flagger's pass rule: fail below `min` or above `max`; the bounds themselves pass.
    public func passes(_ value: Double) -> Bool {
        if let min, value < min { return false }
        if let max, value > max { return false }
        return true
    }
}
