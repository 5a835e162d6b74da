public import Foundation

/// One metric's progress through an analysis run: Argo's counters (reference §3.3), the measurements kept, and
/// when the next one is due.
struct MetricRunState: Sendable {
    let metric: AnalysisMetric
    let spec: MetricProviderSpec
    let evaluator: MeasurementEvaluator
    let dryRun: Bool
    var counts = MetricCounts()
    var measurements: [AnalysisMeasurement] = []
    /// When the next measurement may start; the run sets the first from its start and `initialDelay`.
    var nextDue = Date.distantPast

    /// Argo's default `measurementRetention`: older measurements are dropped, the counters keep everything.
    static let retention = 10

    init(metric: AnalysisMetric, spec: MetricProviderSpec, dryRun: Bool) throws(CanaryError) {
        self.metric = metric
        self.spec = spec
        self.dryRun = dryRun
        self.evaluator = try MeasurementEvaluator(
            successCondition: metric.successCondition, failureCondition: metric.failureCondition)
    }

    mutating func record(_ m: AnalysisMeasurement) {
        switch m.phase {
        case .successful:
            counts.count += 1
            counts.successful += 1
            counts.consecutiveSuccess += 1
            counts.consecutiveError = 0
        case .failed, .inconclusive:
            counts.count += 1
            if m.phase == .failed { counts.failed += 1 } else { counts.inconclusive += 1 }
            counts.consecutiveSuccess = 0
            counts.consecutiveError = 0
        case .error:
            // An Error is not counted: the measurement is retried, and only a run of them trips the limit.
            counts.error += 1
            counts.consecutiveError += 1
            counts.consecutiveSuccess = 0
        case .running, .pending:
            return
        }
        measurements.append(m)
        if measurements.count > Self.retention { measurements.removeFirst(measurements.count - Self.retention) }
        let wait = m.phase == .error ? AnalysisMetric.errorRetryInterval : (metric.interval ?? .zero)
        nextDue = m.finishedAt.addingTimeInterval(wait.timeInterval)
    }

    /// Argo's `assessMetricStatus`, in its order: no data, then the limits (a later one overrides an earlier),
    /// the consecutive-success limit, the count, and finally running or (when terminating) successful.
    func assess(terminating: Bool) -> (phase: AnalysisPhase, message: String?) {
        let c = counts
        if c.count == 0 && c.error == 0 {
            return (terminating ? .successful : .pending, nil)
        }
        var limit: (AnalysisPhase, String)?
        if metric.failureLimit >= 0 && c.failed > metric.failureLimit {
            limit = (.failed, "failed (\(c.failed)) > failureLimit (\(metric.failureLimit))")
        }
        if c.inconclusive > metric.inconclusiveLimit {
            limit = (
                .inconclusive, "inconclusive (\(c.inconclusive)) > inconclusiveLimit (\(metric.inconclusiveLimit))"
            )
        }
        if c.consecutiveError > metric.consecutiveErrorLimit {
            limit = (
                .error,
                "consecutiveErrors (\(c.consecutiveError)) > consecutiveErrorLimit (\(metric.consecutiveErrorLimit))"
            )
        }
        if let limit { return limit }
        let successLimit = metric.consecutiveSuccessLimit
        if successLimit > 0 && c.consecutiveSuccess >= successLimit { return (.successful, nil) }
        if let effective = metric.effectiveCount, c.count >= effective {
            switch (metric.failureLimit >= 0, successLimit > 0) {
            case (true, true):
                return (
                    .inconclusive,
                    "count (\(c.count)) reached with neither failureLimit (\(metric.failureLimit)) nor "
                        + "consecutiveSuccessLimit (\(successLimit)) reached"
                )
            case (false, true):
                return (.failed, "count (\(c.count)) reached before consecutiveSuccessLimit (\(successLimit))")
            default:
                return (.successful, nil)
            }
        }
        return (terminating ? .successful : .running, nil)
    }
}

/// Argo's `runSummary` counters for one metric (or summed over a run).
public struct MetricCounts: Sendable, Hashable, Codable {
    /// Measurements that were not Error.
    public var count = 0
    public var successful = 0
    public var failed = 0
    public var inconclusive = 0
    public var error = 0
    public var consecutiveError = 0
    public var consecutiveSuccess = 0
    public init() {}
}

extension Duration {
    /// The duration in (fractional) seconds, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        let (s, atto) = components
        return TimeInterval(s) + TimeInterval(atto) / 1e18
    }
}
