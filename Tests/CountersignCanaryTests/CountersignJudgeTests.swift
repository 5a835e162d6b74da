import Testing

@testable import CountersignCanary

/// Each improvement of countersign-v1 over Kayenta, shown on data where Kayenta's judge gets it wrong.
@Suite struct CountersignImprovementTests {
    static let kayenta = KayentaJudge()
    static let v1 = CountersignJudge()

    static func normal(_ n: Int, mean: Double, sd: Double, seed: UInt64) -> [Double] {
        var rng = SeededGaussian(seed: seed)
        return (0..<n).map { _ in rng.nextGaussian(mean: mean, standardDeviation: sd) }
    }

    static func judge(
        _ judge: some CanaryJudge, _ metric: CanaryMetricConfiguration, canary: [String: [Double]],
        baseline: [String: [Double]]
    ) -> CanaryJudgement {
        judge.judge(
            config: CanaryConfiguration(metrics: [metric]), canary: canary, baseline: baseline, thresholds: .standard)
    }

    /// Kayenta's band is 25% of the shift's own estimate, so with enough data any shift fails: a 1% latency rise
    /// fails the canary. countersign-v1's band is 10% of the baseline's level.
    @Test func toleranceIsRelativeToTheMetricsLevel() {
        let metric = CanaryMetricConfiguration(name: "latency", groups: ["g"], analysis: .init(direction: .increase))
        let baseline = ["latency": Self.normal(600, mean: 100, sd: 2, seed: 1)]
        let canary = ["latency": Self.normal(600, mean: 101, sd: 2, seed: 2)]
        let k = Self.judge(Self.kayenta, metric, canary: canary, baseline: baseline)
        let c = Self.judge(Self.v1, metric, canary: canary, baseline: baseline)
        #expect(k.metrics[0].classification == .high && k.verdict == .fail)
        #expect(c.metrics[0].classification == .pass && c.verdict == .pass)
        #expect(abs((c.metrics[0].evidence.bound ?? 0) - 10) < 0.2)
        // …while a real 20% regression still fails.
        let worse = ["latency": Self.normal(600, mean: 120, sd: 2, seed: 3)]
        #expect(Self.judge(Self.v1, metric, canary: worse, baseline: baseline).metrics[0].classification == .high)
    }

    /// Kayenta's solver tolerance is an absolute 1e-4: for a metric of magnitude 1e-5 its interval is noise and a
    /// 50% rise passes. countersign-v1 solves to a relative tolerance.
    @Test func smallMagnitudesAreResolved() {
        let metric = CanaryMetricConfiguration(name: "ratio", groups: ["g"], analysis: .init(direction: .increase))
        let baseline = ["ratio": Self.normal(100, mean: 1e-5, sd: 1e-6, seed: 4)]
        let canary = ["ratio": Self.normal(100, mean: 1.5e-5, sd: 1e-6, seed: 5)]
        let k = Self.judge(Self.kayenta, metric, canary: canary, baseline: baseline)
        let c = Self.judge(Self.v1, metric, canary: canary, baseline: baseline)
        #expect(k.metrics[0].classification == .pass)
        #expect(c.metrics[0].classification == .high)
        let interval = try! #require(c.metrics[0].evidence.mannWhitney)
        #expect(abs(interval.estimate - 5e-6) < 5e-7)
        #expect(k.metrics[0].evidence.mannWhitney!.lowerBound < 0)  // the true shift is ≈ +5e-6
    }

    /// Kayenta jitters two constant series with random noise, so the verdict depends on the draw. countersign-v1
    /// compares the constants exactly and always says the same.
    @Test func deterministicWithoutNoise() {
        let metric = CanaryMetricConfiguration(name: "m", groups: ["g"])
        let canary = ["m": Array(repeating: 100.0015, count: 10)]
        let baseline = ["m": Array(repeating: 100.0, count: 10)]
        let kayentaOutcomes = Set(
            (0..<40).map { seed in
                Self.judge(KayentaJudge(noiseSeed: UInt64(seed)), metric, canary: canary, baseline: baseline)
                    .metrics[0].classification
            })
        #expect(kayentaOutcomes.count > 1, "Kayenta's noise should flip the verdict: \(kayentaOutcomes)")
        let v1 = Self.judge(Self.v1, metric, canary: canary, baseline: baseline)
        #expect(v1.metrics[0].classification == .pass)  // 0.0015% is far inside the 10% tolerance
        #expect(v1 == Self.judge(Self.v1, metric, canary: canary, baseline: baseline))
    }

    /// Error rates at low traffic: per-minute rates are mostly zeros that tie, so Mann-Whitney on the rate series
    /// passes a canary with five times the baseline's error rate. countersign-v1 sums errors and requests over the
    /// window and tests the proportions.
    @Test func errorRatesAreJudgedAsProportions() {
        var rng = SeededGaussian(seed: 6)
        let minutes = 60
        let requests = Array(repeating: 200.0, count: minutes)
        func errors(rate: Double) -> [Double] {
            // Binomial(200, rate) by counting uniform draws.
            (0..<minutes).map { _ in Double((0..<200).filter { _ in rng.nextUnit() < rate }.count) }
        }
        let canaryErrors = errors(rate: 0.005)
        let baselineErrors = errors(rate: 0.001)
        // Kayenta sees the per-minute error rate.
        let rateMetric = CanaryMetricConfiguration(
            name: "error_rate", groups: ["g"], analysis: .init(direction: .increase))
        let k = Self.judge(
            Self.kayenta, rateMetric, canary: ["error_rate": zip(canaryErrors, requests).map { $0 / $1 }],
            baseline: ["error_rate": zip(baselineErrors, requests).map { $0 / $1 }])
        #expect(k.metrics[0].classification == .pass, "\(k.metrics[0])")
        let proportion = CanaryMetricConfiguration(
            name: "errors", groups: ["g"], analysis: .init(direction: .increase),
            countersign: .init(kind: .proportion, denominator: "requests"))
        let c = Self.judge(
            Self.v1, proportion, canary: ["errors": canaryErrors, "requests": requests],
            baseline: ["errors": baselineErrors, "requests": requests])
        #expect(c.metrics[0].classification == .high)
        let test = try! #require(c.metrics[0].evidence.proportion)
        #expect(test.rate1 > 3 * test.rate2 && test.pValueGreater < 0.001)
    }

    /// A latency distribution whose spread blows up around the same median: Mann-Whitney sees no shift and Kayenta
    /// passes it (kayenta#780). countersign-v1's shape test fails it on its upper tail.
    @Test func varianceBlowUpFails() {
        let metric = CanaryMetricConfiguration(name: "latency", groups: ["g"], analysis: .init(direction: .increase))
        let baseline = ["latency": Self.normal(120, mean: 100, sd: 5, seed: 7)]
        let canary = ["latency": Self.normal(120, mean: 100, sd: 40, seed: 8)]
        let k = Self.judge(Self.kayenta, metric, canary: canary, baseline: baseline)
        let c = Self.judge(Self.v1, metric, canary: canary, baseline: baseline)
        #expect(k.metrics[0].classification == .pass)
        #expect(c.metrics[0].classification == .high, "\(c.metrics[0].reason ?? "")")
        #expect(c.metrics[0].reason?.contains("distribution shape") == true)
        // The same spread in a decrease-only metric does not fail on its upper tail…
        let decreasing = CanaryMetricConfiguration(
            name: "latency", groups: ["g"], analysis: .init(direction: .decrease))
        #expect(Self.judge(Self.v1, decreasing, canary: canary, baseline: baseline).metrics[0].classification == .low)
        // …and an unchanged distribution passes.
        let same = ["latency": Self.normal(120, mean: 100, sd: 5, seed: 9)]
        #expect(Self.judge(Self.v1, metric, canary: same, baseline: baseline).metrics[0].classification == .pass)
    }

    /// A critical metric that cannot be judged (here, an exporter emitting +Inf) is an `Error` that Kayenta's
    /// scorer ignores: the canary passes. countersign-v1 fails closed.
    @Test func brokenCriticalMetricFails() {
        let config = CanaryConfiguration(metrics: [
            CanaryMetricConfiguration(name: "cpu", groups: ["g"]),
            CanaryMetricConfiguration(name: "errors", groups: ["g"], analysis: .init(critical: true)),
        ])
        let cpu = Self.normal(30, mean: 50, sd: 3, seed: 10)
        let canary = ["cpu": cpu, "errors": Array(repeating: .infinity, count: 30)]
        let baseline = ["cpu": cpu.reversed(), "errors": Array(repeating: 0.0, count: 30)]
        let k = Self.kayenta.judge(config: config, canary: canary, baseline: baseline, thresholds: .standard)
        let c = Self.v1.judge(config: config, canary: canary, baseline: baseline, thresholds: .standard)
        #expect(k.metrics[1].classification == .error && k.verdict == .pass && k.score == 100)
        #expect(c.metrics[1].classification == .error && c.metrics[1].critical)
        #expect(c.verdict == .fail && c.score == 0)
    }

    /// Three points from a canary that barely reports: Kayenta gives a confident Pass; countersign-v1 says it
    /// cannot tell.
    @Test func tooFewSamplesIsInconclusive() {
        let metric = CanaryMetricConfiguration(name: "latency", groups: ["g"])
        let baseline = ["latency": Self.normal(60, mean: 100, sd: 5, seed: 11)]
        let canary = ["latency": [101.0, 99.0, 103.0] + Array(repeating: .nan, count: 57)]
        let k = Self.judge(Self.kayenta, metric, canary: canary, baseline: baseline)
        let c = Self.judge(Self.v1, metric, canary: canary, baseline: baseline)
        #expect(k.metrics[0].classification == .pass && k.verdict == .pass)
        #expect(c.metrics[0].classification == .inconclusive && c.verdict == .inconclusive)
        #expect(c.metrics[0].reason?.contains("too few samples") == true)
    }

    /// An error-rate metric with almost no traffic is Inconclusive rather than judged on a handful of requests.
    @Test func tooLittleTrafficIsInconclusive() {
        let metric = CanaryMetricConfiguration(
            name: "errors", groups: ["g"], analysis: .init(direction: .increase),
            countersign: .init(kind: .proportion, denominator: "requests"))
        let c = Self.judge(
            Self.v1, metric, canary: ["errors": [1, 0, 1], "requests": [3, 2, 4]],
            baseline: ["errors": [0, 0, 0], "requests": [300, 300, 300]])
        #expect(c.metrics[0].classification == .inconclusive)
    }
}

@Suite struct CountersignJudgeTests {
    @Test func normalisesWeightsAndWarns() {
        let config = CanaryConfiguration(
            metrics: [
                CanaryMetricConfiguration(name: "a", groups: ["g1"]),
                CanaryMetricConfiguration(name: "b", groups: ["g2"]),
            ], groupWeights: ["g1": 30, "g2": 30, "missing": 40])
        let judgement = CountersignJudge().judge(
            config: config, canary: ["a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "b": Array(repeating: 100, count: 10)],
            baseline: ["a": [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], "b": Array(repeating: 1, count: 10)],
            thresholds: .standard)
        #expect(judgement.metrics.map(\.classification) == [.pass, .high])
        // Kayenta would give 30 (the missing group's 40 lost); normalised over g1 and g2 it is 50.
        #expect(judgement.score == 50)
        #expect(judgement.warnings.contains { $0.contains("\"missing\"") })
        #expect(judgement.verdict == .fail)
    }

    @Test func criticalWithoutDataIsInconclusive() {
        let config = CanaryConfiguration(metrics: [
            CanaryMetricConfiguration(name: "a", groups: ["g"]),
            CanaryMetricConfiguration(name: "b", groups: ["g"]),
            CanaryMetricConfiguration(name: "c", groups: ["g"], analysis: .init(critical: true)),
        ])
        let series = Array(stride(from: 1.0, through: 20, by: 1))
        let judgement = CountersignJudge().judge(
            config: config, canary: ["a": series, "b": series], baseline: ["a": series, "b": series, "c": series],
            thresholds: .standard)
        #expect(judgement.metrics[2].classification == .nodata)
        #expect(judgement.score == 100)
        #expect(judgement.verdict == .inconclusive)
    }

    @Test func mustHaveDataFails() {
        let config = CanaryConfiguration(metrics: [
            CanaryMetricConfiguration(name: "a", groups: ["g"], analysis: .init(critical: true, mustHaveData: true))
        ])
        let judgement = CountersignJudge().judge(config: config, canary: [:], baseline: [:], thresholds: .standard)
        #expect(judgement.metrics[0].classification == .nodataFailMetric)
        #expect(judgement.verdict == .fail)
    }

    @Test func effectSizeGateStillApplies() {
        // A 15% rise is beyond the 10% band but below a configured allowedIncrease of 1.2.
        let metric = CanaryMetricConfiguration(
            name: "m", groups: ["g"],
            analysis: .init(direction: .increase, effectSize: .init(allowedIncrease: 1.2)))
        let baseline = CountersignImprovementTests.normal(100, mean: 100, sd: 1, seed: 1)
        let canary = CountersignImprovementTests.normal(100, mean: 115, sd: 1, seed: 2)
        let judgement = CountersignImprovementTests.judge(
            CountersignJudge(), metric, canary: ["m": canary], baseline: ["m": baseline])
        #expect(judgement.metrics[0].classification == .pass)
    }
}
