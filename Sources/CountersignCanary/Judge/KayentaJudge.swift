/// Kayenta's `NetflixACAJudge-v1.0`, re-implemented to give the same classifications and scores.
///
/// Per metric: NaN handling, optional IQR outlier removal, then the Mann-Whitney classifier (reference §1.4) at
/// tolerance 0.25 and 98% confidence; then `WeightedSumScorer`. Kept as a reference mode, quirks included: the
/// band is 25% of the shift's own estimate rather than of the metric's level, the solver's absolute 1e-4
/// tolerance, a broken critical metric is ignored by the score.
///
/// Two things Kayenta leaves undefined are defined here: the Gaussian noise it adds to two constant series comes
/// from a seeded generator (`noiseSeed`, mixed with the metric's name), so a judgement is reproducible; and a
/// series with infinite values, or longer than `maximumSamples`, is classified `Error` instead of feeding
/// undefined arithmetic or stalling the judge.
public struct KayentaJudge: CanaryJudge {
    public var name: String { "NetflixACAJudge-v1.0" }
    /// The band around zero a shift must leave, as a fraction of the shift estimate. Kayenta hardcodes 0.25.
    public var tolerance: Double
    /// The confidence level of the interval. Kayenta hardcodes 0.98.
    public var confidence: Double
    public var noiseSeed: UInt64
    public var maximumSamples: Int

    /// - Precondition: 0 < confidence < 1, tolerance ≥ 0, maximumSamples > 0.
    public init(
        tolerance: Double = 0.25, confidence: Double = 0.98, noiseSeed: UInt64 = 0,
        maximumSamples: Int = 1_000_000
    ) {
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        precondition(tolerance >= 0, "tolerance must not be negative")
        precondition(maximumSamples > 0, "maximumSamples must be positive")
        self.tolerance = tolerance
        self.confidence = confidence
        self.noiseSeed = noiseSeed
        self.maximumSamples = maximumSamples
    }

    public func judge(
        config: CanaryConfiguration, canary: [String: [Double]], baseline: [String: [Double]],
        thresholds: ScoreThresholds
    ) -> CanaryJudgement {
        let results = config.metrics.map { metric in
            classify(metric, canary: canary[metric.name] ?? [], baseline: baseline[metric.name] ?? [])
        }
        let summary = WeightedSumScorer(groupWeights: config.groupWeights).score(results)
        let classification = thresholds.classify(summary.score)
        return CanaryJudgement(
            judgeName: name, metrics: results, groups: summary.groups, score: summary.score,
            classification: classification, reason: summary.reason, verdict: CanaryVerdict(classification),
            warnings: config.warnings)
    }

    /// Classifies one metric from its raw series (NaN = missing point).
    public func classify(
        _ metric: CanaryMetricConfiguration, canary rawCanary: [Double], baseline rawBaseline: [Double]
    ) -> MetricJudgement {
        let settings = metric.analysis
        var result = MetricJudgement(
            name: metric.name, groups: metric.groups, classification: .error, muted: settings.muted)
        if let problem = SampleCheck.problem(canary: rawCanary, baseline: rawBaseline, limit: maximumSamples) {
            result.reason = "Metric Classification Failed: \(problem.message)"
            return result
        }
        let experiment = settings.outliers.apply(settings.nanStrategy.apply(rawCanary))
        let control = settings.outliers.apply(settings.nanStrategy.apply(rawBaseline))
        result.canaryStatistics = DescriptiveStatistics(experiment)
        result.baselineStatistics = DescriptiveStatistics(control)
        do {
            var generator = SeededGaussian(seed: noiseSeed ^ SeededGaussian.stableHash(metric.name))
            let outcome = try KayentaClassifier(
                tolerance: tolerance, confidence: confidence, direction: settings.direction,
                nanStrategy: settings.nanStrategy, effectSize: settings.effectSize, critical: settings.critical,
                mustHaveData: settings.mustHaveData
            ).classify(name: metric.name, control: control, experiment: experiment, noise: &generator)
            result.classification = outcome.classification
            result.reason = outcome.reason
            result.critical = outcome.critical
            result.ratio = outcome.deviation
            result.evidence = outcome.evidence
        } catch {
            // Kayenta records the failure and leaves `critical` false, so the scorer ignores the metric.
            result.reason = "Metric Classification Failed: \(error.message)"
        }
        return result
    }
}

/// The checks both judges make before any statistic: bounded size, no infinities.
enum SampleCheck {
    static func problem(canary: [Double], baseline: [Double], limit: Int) -> CanaryError? {
        for (side, series) in [("canary", canary), ("baseline", baseline)] {
            if series.count > limit {
                return CanaryError(
                    .tooManySamples, "the \(side) series has \(series.count) points, more than the limit of \(limit)")
            }
            if series.contains(where: \.isInfinite) {
                return CanaryError(.invalidInput, "the \(side) series holds an infinite value")
            }
        }
        return nil
    }
}

/// Kayenta's MannWhitneyClassifier.classify (reference §1.4), step for step.
struct KayentaClassifier {
    var tolerance: Double
    var confidence: Double
    var direction: MetricDirection
    var nanStrategy: NaNStrategy
    var effectSize: EffectSizeConfiguration
    var critical: Bool
    var mustHaveData: Bool

    struct Outcome {
        var classification: MetricClassification
        var reason: String?
        var critical: Bool
        var deviation: Double
        var evidence = MetricEvidence()
    }

    func classify(
        name: String, control: [Double], experiment: [Double], noise: inout SeededGaussian
    ) throws(CanaryError) -> Outcome {
        if experiment.isEmpty || control.isEmpty {
            let reason = "Missing data for \(name)"
            if nanStrategy == .replace {
                return Outcome(classification: .pass, reason: reason, critical: false, deviation: 1)
            }
            if mustHaveData && !critical {
                return Outcome(classification: .nodataFailMetric, reason: reason, critical: false, deviation: 1)
            }
            return Outcome(classification: .nodata, reason: reason, critical: critical, deviation: 1)
        }
        if experiment.sorted() == control.sorted() {
            return Outcome(
                classification: .pass, reason: "The Canary and Baseline data are identical", critical: false,
                deviation: 1)
        }
        let union = Set(experiment).union(control)
        if union.count == 1 {
            return Outcome(classification: .pass, reason: nil, critical: false, deviation: 1)
        }

        var x = experiment
        var y = control
        var noiseAdded = false
        if Set(x).count == 1 && Set(y).count == 1 {
            // Two different constants: Kayenta jitters both at the 1e-5 scale (a zero constant stays put).
            x = x.map { $0 + noise.nextGaussian(standardDeviation: abs($0) * 1e-5) }
            y = y.map { $0 + noise.nextGaussian(standardDeviation: abs($0) * 1e-5) }
            noiseAdded = true
        }
        let test = try MannWhitney.test(x, y, confidence: confidence, rootTolerance: .kayenta)
        let bound = tolerance * abs(test.estimate)
        let deviation = EffectSize.meanRatio(control: y, experiment: x)
        let effect =
            effectSize.measure == .cles ? EffectSize.cles(control: y, experiment: x) : deviation
        var outcome = Outcome(
            classification: .pass, reason: nil, critical: false, deviation: deviation,
            evidence: MetricEvidence(mannWhitney: test, effectSize: effect, bound: bound, noiseAdded: noiseAdded))

        if direction.allowsIncrease && test.lowerBound > bound && (effect.isNaN || effect >= effectSize.allowedIncrease)
        {
            outcome.classification = .high
            outcome.reason = "\(name) was classified as High"
            outcome.critical = critical && (effect.isNaN || effect >= effectSize.criticalIncrease)
        } else if direction.allowsDecrease && test.upperBound < -bound
            && (effect.isNaN || effect <= effectSize.allowedDecrease)
        {
            outcome.classification = .low
            outcome.reason = "\(name) was classified as Low"
            outcome.critical = critical && (effect.isNaN || effect <= effectSize.criticalDecrease)
        }
        return outcome
    }
}
