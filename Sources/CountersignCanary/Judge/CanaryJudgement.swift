public import CountersignEncoding
public import Foundation

/// Judges a canary against its baseline, metric by metric, and scores the result.
///
/// A judge is a pure function of its inputs: no clock, no I/O, no unseeded randomness, so a judgement can be
/// recomputed from the recorded samples. Samples are keyed by metric name (and, for proportion metrics, by the
/// denominator's series name); NaN marks a missing point. A metric whose series is absent is judged as having no
/// data. Judging never throws: a metric that cannot be judged is classified `error`.
public protocol CanaryJudge: Sendable {
    /// The judge's name as reported in results (`NetflixACAJudge-v1.0`, `countersign-v1`).
    var name: String { get }

    func judge(
        config: CanaryConfiguration, canary: [String: [Double]], baseline: [String: [Double]],
        thresholds: ScoreThresholds
    ) -> CanaryJudgement
}

/// The result of one judgement: every metric's classification, the group scores and the summary.
public struct CanaryJudgement: Sendable, Hashable, Codable {
    public var judgeName: String
    /// One result per configured metric, in configuration order (muted ones included).
    public var metrics: [MetricJudgement]
    public var groups: [GroupScore]
    /// The summary score, 0…100, rounded to two decimals.
    public var score: Double
    /// The score against the thresholds.
    public var classification: ScoreClassification
    /// Why the score is what it is when a rule overrode the weighted sum ("Canary Failed: …").
    public var reason: String?
    /// The judgement's outcome. For Kayenta's judge it mirrors `classification`; countersign-v1 also yields
    /// `inconclusive` and lets a broken critical metric fail the canary.
    public var verdict: CanaryVerdict
    /// Conditions worth a look that did not change the verdict (weights not adding up to 100, few data points).
    public var warnings: [String]

    public init(
        judgeName: String, metrics: [MetricJudgement], groups: [GroupScore], score: Double,
        classification: ScoreClassification, reason: String?, verdict: CanaryVerdict, warnings: [String] = []
    ) {
        self.judgeName = judgeName
        self.metrics = metrics
        self.groups = groups
        self.score = score
        self.classification = classification
        self.reason = reason
        self.verdict = verdict
        self.warnings = warnings
    }
}

extension CanaryJudgement {
    /// The judgement as JSON. Statistics of empty or all-missing series are NaN and a ratio over a zero mean is
    /// infinite, which JSON has no number for: they are written as the strings "NaN", "Infinity" and "-Infinity"
    /// (as `metrics --output json` does), so encoding cannot fail after the judgement was recorded.
    public var json: JSONValue {
        // Only non-finite numbers make a synthesized encoding throw, and they are strings here.
        (try? JSONValueEncoder(nonFiniteNumbers: .strings).encode(self)) ?? .object([])
    }
}

/// The classification of one metric, with the statistics behind it.
public struct MetricJudgement: Sendable, Hashable, Codable {
    public var name: String
    public var groups: [String]
    public var classification: MetricClassification
    public var reason: String?
    /// Whether this result fails the whole canary (Kayenta's `critical` flag on a result).
    public var critical: Bool
    public var muted: Bool
    /// Statistics of the canary series after NaN and outlier handling.
    public var canaryStatistics: DescriptiveStatistics
    public var baselineStatistics: DescriptiveStatistics
    /// mean(canary) / mean(baseline) (Kayenta's `resultMetadata.ratio`); NaN when a mean is 0, 1.0 for no data.
    public var ratio: Double
    /// The tests run and their numbers, for explaining the classification.
    public var evidence: MetricEvidence

    public init(
        name: String, groups: [String], classification: MetricClassification, reason: String? = nil,
        critical: Bool = false, muted: Bool = false, canaryStatistics: DescriptiveStatistics = .init([]),
        baselineStatistics: DescriptiveStatistics = .init([]), ratio: Double = 1, evidence: MetricEvidence = .init()
    ) {
        self.name = name
        self.groups = groups
        self.classification = classification
        self.reason = reason
        self.critical = critical
        self.muted = muted
        self.canaryStatistics = canaryStatistics
        self.baselineStatistics = baselineStatistics
        self.ratio = ratio
        self.evidence = evidence
    }
}

/// The numbers behind a metric's classification; absent tests were not run.
public struct MetricEvidence: Sendable, Hashable, Codable {
    /// The location test: U, p-value, interval and Hodges–Lehmann estimate of canary − baseline.
    public var mannWhitney: MannWhitneyResult?
    /// The effect size gated on (mean ratio or CLES, per the configuration).
    public var effectSize: Double?
    /// The band a shift had to leave to count: ±bound around 0.
    public var bound: Double?
    /// countersign-v1's distribution-shape test.
    public var shape: KolmogorovSmirnovResult?
    /// countersign-v1's spread test (Brown–Forsythe, canary against baseline).
    public var spread: BrownForsytheResult?
    /// countersign-v1's proportion test, for proportion metrics.
    public var proportion: TwoProportionResult?
    /// Kayenta only: whether Gaussian noise was added because both series were constant.
    public var noiseAdded: Bool

    public init(
        mannWhitney: MannWhitneyResult? = nil, effectSize: Double? = nil, bound: Double? = nil,
        shape: KolmogorovSmirnovResult? = nil, spread: BrownForsytheResult? = nil,
        proportion: TwoProportionResult? = nil, noiseAdded: Bool = false
    ) {
        self.mannWhitney = mannWhitney
        self.effectSize = effectSize
        self.bound = bound
        self.shape = shape
        self.spread = spread
        self.proportion = proportion
        self.noiseAdded = noiseAdded
    }
}

/// The score of one metric group: the percentage of its scored metrics that passed.
public struct GroupScore: Sendable, Hashable, Codable {
    public var name: String
    public var score: Double
    /// No metric of the group was scored (all Nodata/Error); Kayenta then counts the group as 100 in the sum.
    public var noData: Bool
    /// The weight the group carried in the summary (after countersign-v1's normalisation, if any).
    public var weight: Double

    public init(name: String, score: Double, noData: Bool, weight: Double) {
        self.name = name
        self.score = score
        self.noData = noData
        self.weight = weight
    }
}
