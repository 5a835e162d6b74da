public import CountersignEncoding

/// A canary configuration in Kayenta's format (`docs/canary-config.md`): the metrics to judge, how to judge each,
/// and the group weights. Both judges read the same document; countersign-v1 reads its extra per-metric settings
/// from `analysisConfigurations.countersign`, a key Kayenta ignores.
///
/// Build one with `CanaryConfiguration.decode(json:)` from a Kayenta document, or directly in code.
public struct CanaryConfiguration: Sendable, Hashable {
    public var id: String?
    public var name: String?
    public var description: String?
    public var configVersion: String?
    public var applications: [String]
    /// `judge.name` as written (e.g. `NetflixACAJudge-v1.0`); informational, the caller picks the judge.
    public var judgeName: String?
    public var metrics: [CanaryMetricConfiguration]
    /// Named query templates, kept for the metric provider.
    public var templates: [String: String]
    /// `classifier.groupWeights`: the weight (out of 100) of each metric group in the summary score.
    public var groupWeights: [String: Double]
    /// `classifier.scoreThresholds`. Kayenta ignores it (thresholds come with each execution request); kept so a
    /// caller can use it as a default.
    public var scoreThresholds: ScoreThresholds?
    /// Values the decoder replaced by Kayenta's defaults (an unknown `direction`, say), in document order.
    public var warnings: [String]

    public init(
        metrics: [CanaryMetricConfiguration], groupWeights: [String: Double] = [:], name: String? = nil,
        scoreThresholds: ScoreThresholds? = nil
    ) {
        self.id = nil
        self.name = name
        self.description = nil
        self.configVersion = nil
        self.applications = []
        self.judgeName = nil
        self.metrics = metrics
        self.templates = [:]
        self.groupWeights = groupWeights
        self.scoreThresholds = scoreThresholds
        self.warnings = []
    }
}

/// One metric of a canary configuration (`metrics[]`).
public struct CanaryMetricConfiguration: Sendable, Hashable {
    /// The metric's name; samples are looked up under it.
    public var name: String
    /// The provider-specific query, verbatim (`query`, with its `type`).
    public var query: JSONValue
    public var groups: [String]
    public var scopeName: String?
    /// `analysisConfigurations.canary`.
    public var analysis: MetricAnalysisConfiguration
    /// `analysisConfigurations.countersign`: countersign-v1's settings; Kayenta's judge ignores them.
    public var countersign: CountersignMetricConfiguration

    public init(
        name: String, groups: [String], analysis: MetricAnalysisConfiguration = .init(),
        countersign: CountersignMetricConfiguration = .init(), query: JSONValue = .object([:]),
        scopeName: String? = "default"
    ) {
        self.name = name
        self.query = query
        self.groups = groups
        self.scopeName = scopeName
        self.analysis = analysis
        self.countersign = countersign
    }
}

/// Kayenta's per-metric settings (`analysisConfigurations.canary`), with Kayenta's real defaults.
public struct MetricAnalysisConfiguration: Sendable, Hashable {
    public var direction: MetricDirection
    public var nanStrategy: NaNStrategy
    /// A failing critical metric fails the whole canary.
    public var critical: Bool
    /// Missing data counts as a failure rather than being left out.
    public var mustHaveData: Bool
    /// Classified and reported, but left out of all scoring.
    public var muted: Bool
    public var effectSize: EffectSizeConfiguration
    public var outliers: OutlierConfiguration

    public init(
        direction: MetricDirection = .either, nanStrategy: NaNStrategy = .remove, critical: Bool = false,
        mustHaveData: Bool = false, muted: Bool = false, effectSize: EffectSizeConfiguration = .init(),
        outliers: OutlierConfiguration = .init()
    ) {
        self.direction = direction
        self.nanStrategy = nanStrategy
        self.critical = critical
        self.mustHaveData = mustHaveData
        self.muted = muted
        self.effectSize = effectSize
        self.outliers = outliers
    }
}

/// Which way of change may fail a metric.
public enum MetricDirection: String, Sendable, Hashable, Codable, CaseIterable {
    case increase, decrease, either

    var allowsIncrease: Bool { self != .decrease }
    var allowsDecrease: Bool { self != .increase }
}

/// How the effect size is measured, and the gates it must pass for a High/Low (`allowed…`) and a critical
/// (`critical…`) failure. Unset gates take the measure's neutral value: 1.0 for a mean ratio, 0.5 for CLES.
public struct EffectSizeConfiguration: Sendable, Hashable {
    public enum Measure: String, Sendable, Hashable, Codable, CaseIterable {
        case meanRatio, cles

        var neutral: Double { self == .cles ? 0.5 : 1.0 }
    }

    public var measure: Measure
    public var allowedIncrease: Double
    public var allowedDecrease: Double
    public var criticalIncrease: Double
    public var criticalDecrease: Double

    public init(
        measure: Measure = .meanRatio, allowedIncrease: Double? = nil, allowedDecrease: Double? = nil,
        criticalIncrease: Double? = nil, criticalDecrease: Double? = nil
    ) {
        self.measure = measure
        self.allowedIncrease = allowedIncrease ?? measure.neutral
        self.allowedDecrease = allowedDecrease ?? measure.neutral
        self.criticalIncrease = criticalIncrease ?? measure.neutral
        self.criticalDecrease = criticalDecrease ?? measure.neutral
    }
}

/// Outlier handling (`outliers`): Kayenta keeps them by default; `remove` drops points outside IQR fences
/// widened to at least p1/p99.
public struct OutlierConfiguration: Sendable, Hashable {
    public enum Strategy: String, Sendable, Hashable, Codable, CaseIterable {
        case keep, remove
    }

    public var strategy: Strategy
    public var outlierFactor: Double

    public init(strategy: Strategy = .keep, outlierFactor: Double = 3.0) {
        self.strategy = strategy
        self.outlierFactor = outlierFactor
    }

    /// `values` after this handling.
    func apply(_ values: [Double]) -> [Double] {
        guard strategy == .remove else { return values }
        return IQROutlierDetector(factor: outlierFactor, reducedSensitivity: true).removeOutliers(values)
    }
}

/// countersign-v1's per-metric settings (`analysisConfigurations.countersign`). Every field is optional; unset
/// ones take `CountersignJudge.Configuration`'s defaults.
public struct CountersignMetricConfiguration: Sendable, Hashable {
    /// What the metric's series hold.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Measurements (latency, CPU): compared by location and distribution shape.
        case continuous
        /// Event counts per step (errors), judged as a proportion of `denominator` (requests) per step.
        case proportion
    }

    public var kind: Kind
    /// For `proportion`: the name of the series holding the trials (requests) per step.
    public var denominator: String?
    /// Allowed change relative to the baseline's magnitude (0.1 = 10%).
    public var tolerance: Double?
    /// Allowed change in the metric's own units, for metrics whose baseline is near 0.
    public var absoluteTolerance: Double?
    /// Fewer points than this on either side (after NaN handling) gives Inconclusive.
    public var minimumSamples: Int?
    /// For `proportion`: fewer trials than this on either side gives Inconclusive.
    public var minimumTrials: Double?

    public init(
        kind: Kind = .continuous, denominator: String? = nil, tolerance: Double? = nil,
        absoluteTolerance: Double? = nil, minimumSamples: Int? = nil, minimumTrials: Double? = nil
    ) {
        self.kind = kind
        self.denominator = denominator
        self.tolerance = tolerance
        self.absoluteTolerance = absoluteTolerance
        self.minimumSamples = minimumSamples
        self.minimumTrials = minimumTrials
    }
}

/// Score thresholds of one execution: a score ≥ `pass` passes, ≥ `marginal` is marginal, anything lower fails.
public struct ScoreThresholds: Sendable, Hashable, Codable {
    public var pass: Double
    public var marginal: Double

    /// - Precondition: marginal ≤ pass; contradictory thresholds are a programming error.
    public init(pass: Double, marginal: Double) {
        precondition(marginal <= pass, "the marginal threshold must not exceed the pass threshold")
        self.pass = pass
        self.marginal = marginal
    }

    /// Argo Rollouts' and Kayenta's usual example values.
    public static let standard = ScoreThresholds(pass: 90, marginal: 75)

    /// Classifies a summary score.
    public func classify(_ score: Double) -> ScoreClassification {
        if score >= pass { return .pass }
        if score >= marginal { return .marginal }
        return .fail
    }
}

extension ScoreThresholds {
    private enum CodingKeys: String, CodingKey { case pass, marginal }

    /// Decodes and rejects contradictory thresholds instead of trapping.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let pass = try container.decode(Double.self, forKey: .pass)
        let marginal = try container.decode(Double.self, forKey: .marginal)
        guard marginal <= pass else {
            throw DecodingError.dataCorruptedError(
                forKey: .marginal, in: container, debugDescription: "marginal (\(marginal)) exceeds pass (\(pass))")
        }
        self.init(pass: pass, marginal: marginal)
    }
}
