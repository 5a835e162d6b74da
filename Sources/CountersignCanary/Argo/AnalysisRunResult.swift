public import Foundation

/// The outcome of an analysis run: Argo's run phase and message, each metric's phase, counters and kept
/// measurements, and the dry-run metrics reported apart.
public struct AnalysisRunResult: Sendable, Hashable {
    public var phase: AnalysisPhase
    /// Why the run ended as it did, in Argo's words: `Metric "X" assessed Failed due to failed (3) > failureLimit (2)`.
    public var message: String?
    public var metrics: [MetricResult]
    /// Whether the run was terminated (a metric failed, erred or was inconclusive, or the run was cancelled).
    public var terminated: Bool
    public var startedAt: Date
    public var finishedAt: Date

    /// Argo's `runSummary`: the counters of the metrics that decide the run.
    public var runSummary: MetricCounts { summary(dryRun: false) }
    /// Argo's `dryRunSummary`: the counters of the dry-run metrics.
    public var dryRunSummary: MetricCounts { summary(dryRun: true) }

    private func summary(dryRun: Bool) -> MetricCounts {
        var total = MetricCounts()
        for m in metrics where m.dryRun == dryRun {
            total.count += m.counts.count
            total.successful += m.counts.successful
            total.failed += m.counts.failed
            total.inconclusive += m.counts.inconclusive
            total.error += m.counts.error
        }
        return total
    }

    /// The verdict this run contributes to a gate decision; `nil` cannot occur for a finished run.
    public var verdict: CanaryVerdict { phase.verdict ?? .error }
}

/// One metric's outcome in an analysis run.
public struct MetricResult: Sendable, Hashable {
    public var name: String
    public var phase: AnalysisPhase
    public var message: String?
    public var dryRun: Bool
    public var counts: MetricCounts
    /// The last measurements (Argo keeps 10 by default).
    public var measurements: [AnalysisMeasurement]
}
