/// countersign-v1: Kayenta's per-metric model and config, judged so that a verdict means what it says.
///
/// Differences from `KayentaJudge`, each a documented Kayenta failure mode (docs/canary.md):
/// - **Pass means harm is ruled out.** A continuous metric passes only when its shift interval's harmful end, its
///   mean and its harmful tail all lie within the band; it fails only when harm beyond the band is established;
///   anything between is `Inconclusive` (`CountersignJudge+Continuous.swift`). Kayenta passes whatever it cannot
///   prove worse: a canary mean 70 times the baseline's at n = 10 (spinnaker#6278), a collapsed spread (kayenta#780).
/// - **Deterministic.** No noise: two constant series are compared directly.
/// - **Tolerance relative to the metric's level.** The band is `tolerance × |baseline mean|` (or
///   `absoluteTolerance`), not 25% of the shift's own estimate, so large samples no longer fail on trivial shifts;
///   the interval is solved to a relative tolerance, so metrics measured in 1e-5 units are not solver noise.
/// - **Proportions.** Metrics of kind `proportion` (errors out of requests) are summed over the window and judged
///   with a two-proportion z-test.
/// - **Distribution shape and spread.** A one-sided Kolmogorov–Smirnov test with a tail check, and the
///   Brown–Forsythe spread test with a tail check, catch what Mann-Whitney cannot see: a spread that exploded or
///   collapsed.
/// - **Broken critical metrics fail.** A critical metric classified `Error` or `NodataFailMetric` fails the canary;
///   a critical metric without enough data makes it inconclusive.
/// - **Too few samples or too little traffic → Inconclusive**, never a confident Pass or Fail; and a canary with any
///   `Inconclusive` metric is at best `inconclusive`, never promoted on the other metrics' score.
/// - **Weights normalised** over the groups that were scored, with warnings for weights that are missing or do not
///   add up to 100.
public struct CountersignJudge: CanaryJudge {
    /// Judge-wide defaults; a metric's `analysisConfigurations.countersign` block overrides the per-metric ones.
    public struct Configuration: Sendable, Hashable {
        /// Confidence of the shift interval and of the proportion test (one-sided tests use (1 − c)/2).
        public var confidence: Double = 0.98
        /// Allowed change relative to the baseline's magnitude: 10%.
        public var tolerance: Double = 0.10
        /// Allowed change in the metric's units; 0, so a metric whose baseline is 0 fails on any significant rise.
        public var absoluteTolerance: Double = 0
        /// Fewer points than this per side gives Inconclusive. 10 is where the normal approximation of U becomes
        /// usable; Kayenta warns below 50.
        public var minimumSamples: Int = 10
        /// Fewer trials (requests) than this per side makes a proportion metric Inconclusive.
        public var minimumTrials: Double = 100
        /// Run the distribution-shape and spread tests (and the tail guard) when the location test does not fail.
        public var shapeTest: Bool = true
        /// One-sided significance of the KS and Brown–Forsythe tests. Stricter than the location test because they
        /// run in addition to it.
        public var shapeSignificance: Double = 0.001
        /// The tail percentile compared for an `increase` (its mirror, 100 − p, for a `decrease`; both for `either`).
        public var tailPercentile: Double = 95
        /// How precisely the shift interval is solved.
        public var rootTolerance: RootTolerance = .relative(1e-6)
        /// Longer series are classified `Error` before any work.
        public var maximumSamples: Int = 1_000_000

        public init() {}

        /// Rejects settings that cannot be meant.
        public func validate() throws(CanaryError) {
            func fail(_ message: String) -> CanaryError { CanaryError(.invalidConfiguration, message) }
            guard confidence > 0, confidence < 1 else { throw fail("confidence must lie in (0, 1)") }
            guard tolerance >= 0, tolerance.isFinite else { throw fail("tolerance must be finite and non-negative") }
            guard absoluteTolerance >= 0, absoluteTolerance.isFinite else {
                throw fail("absoluteTolerance must be finite and non-negative")
            }
            guard minimumSamples >= 1 else { throw fail("minimumSamples must be at least 1") }
            guard minimumTrials >= 1 else { throw fail("minimumTrials must be at least 1") }
            guard shapeSignificance > 0, shapeSignificance < 1 else {
                throw fail("shapeSignificance must lie in (0, 1)")
            }
            guard tailPercentile > 50, tailPercentile < 100 else { throw fail("tailPercentile must lie in (50, 100)") }
            guard maximumSamples >= 1 else { throw fail("maximumSamples must be at least 1") }
            switch rootTolerance {
            case .absolute(let t), .relative(let t):
                guard t > 0, t.isFinite else { throw fail("rootTolerance must be positive") }
            }
        }
    }

    public var name: String { "countersign-v1" }
    public let configuration: Configuration

    /// The documented defaults.
    public init() { configuration = Configuration() }

    /// - Throws: `invalidConfiguration` for settings `Configuration.validate()` rejects.
    public init(configuration: Configuration) throws(CanaryError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func judge(
        config: CanaryConfiguration, canary: [String: [Double]], baseline: [String: [Double]],
        thresholds: ScoreThresholds
    ) -> CanaryJudgement {
        let results = config.metrics.map { classify($0, canary: canary, baseline: baseline) }
        let critical = Set(config.metrics.filter(\.analysis.critical).map(\.name))
        return score(
            results, groupWeights: config.groupWeights, criticalMetrics: critical, thresholds: thresholds,
            warnings: config.warnings)
    }

    // MARK: Scoring

    func score(
        _ results: [MetricJudgement], groupWeights: [String: Double], criticalMetrics: Set<String>,
        thresholds: ScoreThresholds, warnings configWarnings: [String]
    ) -> CanaryJudgement {
        var warnings = configWarnings
        let active = results.filter { !$0.muted }
        var groups = WeightedSumScorer.groupScores(active)

        let configured = groupWeights.values.reduce(0, +)
        if !groupWeights.isEmpty, abs(configured - 100) > 1e-9 {
            warnings.append("group weights add up to \(configured), not 100; they are normalised")
        }
        for group in groupWeights.keys.sorted() where !groups.contains(where: { $0.name == group }) {
            warnings.append("weighted group \"\(group)\" has no metric in this judgement")
        }
        let unweighted = groups.filter { groupWeights[$0.name] == nil }
        let share = unweighted.isEmpty ? 0 : Swift.max(0, 100 - configured) / Double(unweighted.count)
        if share == 0, !unweighted.isEmpty {
            warnings.append(
                "groups \(unweighted.map(\.name).joined(separator: ", ")) have no weight left and do not count")
        }
        for i in groups.indices { groups[i].weight = groupWeights[groups[i].name] ?? share }

        let scoredGroups = groups.filter { !$0.noData }
        var totalWeight = scoredGroups.reduce(0) { $0 + $1.weight }
        var score = 0.0
        if totalWeight > 0 {
            score = scoredGroups.reduce(0) { $0 + $1.score * $1.weight } / totalWeight
        } else if !scoredGroups.isEmpty {
            totalWeight = Double(scoredGroups.count)
            score = scoredGroups.reduce(0) { $0 + $1.score } / totalWeight
        }
        score = WeightedSumScorer.roundHalfUp(score)

        var reason: String?
        var verdict: CanaryVerdict
        if scoredGroups.isEmpty {
            verdict = .inconclusive
            reason = "no metric could be scored"
        } else {
            verdict = CanaryVerdict(thresholds.classify(score))
        }
        if let failed = active.first(where: { $0.critical }) {
            score = 0
            verdict = .fail
            reason = "Canary Failed: \(failed.reason ?? failed.name)"
        }
        let undecided = active.filter { !$0.classification.isScored }
        if let critical = undecided.first(where: { criticalMetrics.contains($0.name) && !$0.critical }) {
            verdict = verdict.combined(with: .inconclusive)
            reason = reason ?? "critical metric \(critical.name) is \(critical.classification.rawValue)"
        }
        // A metric the data cannot vouch for is not outvoted by the others: the score leaves it out, the verdict
        // does not.
        if let unsure = active.first(where: { $0.classification == .inconclusive }) {
            verdict = verdict.combined(with: .inconclusive)
            reason = reason ?? "metric \(unsure.name) is Inconclusive: \(unsure.reason ?? "no reason given")"
        }
        if !active.isEmpty, Double(undecided.count) * 2 >= Double(active.count) {
            verdict = verdict.combined(with: .inconclusive)
            reason = reason ?? "\(undecided.count) of \(active.count) metrics could not be judged"
        }
        for metric in undecided where metric.classification == .error {
            warnings.append("metric \(metric.name) could not be judged: \(metric.reason ?? "error")")
        }
        return CanaryJudgement(
            judgeName: name, metrics: results, groups: groups, score: score,
            classification: thresholds.classify(score), reason: reason, verdict: verdict, warnings: warnings)
    }

    // MARK: Classification

    /// Classifies one metric from all series (a proportion metric reads its denominator's series too).
    public func classify(
        _ metric: CanaryMetricConfiguration, canary: [String: [Double]], baseline: [String: [Double]]
    ) -> MetricJudgement {
        var result = classifySeries(metric, canary: canary, baseline: baseline)
        if metric.analysis.critical, result.classification == .error || result.classification == .nodataFailMetric {
            // Fail closed: a critical metric that cannot be judged must not vanish from the score. (A critical
            // metric with no or too little data makes the judgement inconclusive instead; see `score`.)
            result.critical = true
        }
        return result
    }

    private func classifySeries(
        _ metric: CanaryMetricConfiguration, canary: [String: [Double]], baseline: [String: [Double]]
    ) -> MetricJudgement {
        let settings = metric.analysis
        var result = MetricJudgement(
            name: metric.name, groups: metric.groups, classification: .error, muted: settings.muted)
        let rawCanary = canary[metric.name] ?? []
        let rawBaseline = baseline[metric.name] ?? []
        if let problem = SampleCheck.problem(
            canary: rawCanary, baseline: rawBaseline, limit: configuration.maximumSamples)
        {
            result.reason = problem.message
            return result
        }
        switch metric.countersign.kind {
        case .continuous:
            classifyContinuous(metric, canary: rawCanary, baseline: rawBaseline, into: &result)
        case .proportion:
            let denominator = metric.countersign.denominator ?? ""
            let canaryTrials = canary[denominator] ?? []
            let baselineTrials = baseline[denominator] ?? []
            if let problem = SampleCheck.problem(
                canary: canaryTrials, baseline: baselineTrials, limit: configuration.maximumSamples)
            {
                result.reason = "\(denominator): \(problem.message)"
                return result
            }
            classifyProportion(
                metric, canary: (rawCanary, canaryTrials), baseline: (rawBaseline, baselineTrials), into: &result)
        }
        return result
    }

    func band(_ metric: CanaryMetricConfiguration, level: Double) -> Double {
        let tolerance = metric.countersign.tolerance ?? configuration.tolerance
        let absolute = metric.countersign.absoluteTolerance ?? configuration.absoluteTolerance
        return Swift.max(tolerance * abs(level), absolute)
    }

    func noData(_ metric: CanaryMetricConfiguration, into result: inout MetricJudgement) {
        result.classification = metric.analysis.mustHaveData ? .nodataFailMetric : .nodata
        result.reason = "Missing data for \(metric.name)"
        result.ratio = 1
    }

    private func classifyProportion(
        _ metric: CanaryMetricConfiguration, canary: ([Double], [Double]), baseline: ([Double], [Double]),
        into result: inout MetricJudgement
    ) {
        let settings = metric.analysis
        let denominator = metric.countersign.denominator ?? ""
        func totals(_ side: String, _ events: [Double], _ trials: [Double]) throws(CanaryError) -> (
            events: [Double], trials: Double
        ) {
            guard events.count == trials.count else {
                throw CanaryError(
                    .invalidInput,
                    "the \(side) series of \(metric.name) has \(events.count) points but \(denominator) has \(trials.count)"
                )
            }
            var kept: [Double] = []
            var totalTrials = 0.0
            for (e, t) in zip(events, trials) {
                var (e, t) = (e, t)
                if e.isNaN || t.isNaN {
                    guard settings.nanStrategy == .replace else { continue }
                    e = e.isNaN ? 0 : e
                    t = t.isNaN ? 0 : t
                }
                guard e >= 0, t >= 0 else {
                    throw CanaryError(.invalidInput, "the \(side) counts of \(metric.name) must not be negative")
                }
                guard e <= t else {
                    throw CanaryError(
                        .invalidInput,
                        "the \(side) series of \(metric.name) has more events (\(e)) than \(denominator) (\(t))")
                }
                kept.append(e)
                totalTrials += t
            }
            return (kept, totalTrials)
        }
        let c: (events: [Double], trials: Double)
        let b: (events: [Double], trials: Double)
        do {
            c = try totals("canary", canary.0, canary.1)
            b = try totals("baseline", baseline.0, baseline.1)
        } catch {
            result.reason = error.message
            return
        }
        result.canaryStatistics = DescriptiveStatistics(c.events)
        result.baselineStatistics = DescriptiveStatistics(b.events)
        guard c.trials > 0, b.trials > 0 else { return noData(metric, into: &result) }
        let minimum = metric.countersign.minimumTrials ?? configuration.minimumTrials
        guard c.trials >= minimum, b.trials >= minimum else {
            result.classification = .inconclusive
            result.reason =
                "too little traffic: canary \(c.trials), baseline \(b.trials) \(denominator), need \(minimum) each"
            return
        }
        let test: TwoProportionResult
        do {
            test = try TwoProportionTest.test(
                events1: c.events.reduce(0, +), trials1: c.trials, events2: b.events.reduce(0, +), trials2: b.trials)
        } catch {
            result.reason = "\(metric.name): \(error.message)"
            return
        }
        let bound = band(metric, level: test.rate2)
        let alpha = (1 - configuration.confidence) / 2
        result.ratio = test.rate2 == 0 || test.rate1 == 0 ? .nan : test.rate1 / test.rate2
        result.evidence = MetricEvidence(effectSize: result.ratio, bound: bound, proportion: test)
        result.classification = .pass
        if settings.direction.allowsIncrease && test.pValueGreater < alpha && test.rate1 - test.rate2 > bound {
            return fail(
                .high, "\(metric.name): rate \(test.rate1) against \(test.rate2) (p = \(test.pValueGreater))",
                result.ratio, metric, into: &result)
        }
        if settings.direction.allowsDecrease && test.pValueLess < alpha && test.rate2 - test.rate1 > bound {
            return fail(
                .low, "\(metric.name): rate \(test.rate1) against \(test.rate2) (p = \(test.pValueLess))",
                result.ratio, metric, into: &result)
        }
    }

    /// Records a High/Low; a critical metric fails the canary when its effect passes the critical gate (always,
    /// for a shape or spread failure, whose mean ratio may not have moved).
    func fail(
        _ classification: MetricClassification, _ reason: String, _ effect: Double, _ metric: CanaryMetricConfiguration,
        into result: inout MetricJudgement, gated: Bool = true
    ) {
        result.classification = classification
        result.reason = reason
        guard metric.analysis.critical else { return }
        let e = metric.analysis.effectSize
        let beyond = classification == .high ? effect >= e.criticalIncrease : effect <= e.criticalDecrease
        result.critical = !gated || effect.isNaN || beyond
    }
}
