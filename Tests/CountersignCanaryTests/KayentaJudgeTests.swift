import Testing

@testable import CountersignCanary

/// Kayenta's classifier cases with small inline data, from
/// kayenta-judge/src/test/scala/com/netflix/kayenta/judge/ClassifierSuite.scala at spinnaker/kayenta a69573be
/// (the suite runs the classifier at tolerance 0.10 and 95% confidence).
@Suite struct KayentaClassifierVectorTests {
    static func classify(
        experiment: [Double], control: [Double], direction: MetricDirection = .either,
        effect: (low: Double, high: Double) = (1, 1), criticalThresholds: (low: Double, high: Double) = (1, 1),
        critical: Bool = false, nanStrategy: NaNStrategy = .remove, tolerance: Double = 0.10, confidence: Double = 0.95
    ) throws -> KayentaClassifier.Outcome {
        var noise = SeededGaussian(seed: 1)
        return try KayentaClassifier(
            tolerance: tolerance, confidence: confidence, direction: direction, nanStrategy: nanStrategy,
            effectSize: EffectSizeConfiguration(
                allowedIncrease: effect.high, allowedDecrease: effect.low, criticalIncrease: criticalThresholds.high,
                criticalDecrease: criticalThresholds.low),
            critical: critical, mustHaveData: false
        ).classify(name: "m", control: control, experiment: experiment, noise: &noise)
    }

    static let high = [20.0, 22.0, 21.0, 25.0, 30.0]
    static let low = [1.0, 2.2, 1.1, 2.5, 3.0]

    @Test func meanRatioEffectSize() throws {
        #expect(try Self.classify(experiment: Self.high, control: Self.low, effect: (0.8, 1.2)).classification == .high)
        #expect(
            try Self.classify(experiment: [10, 12.2, 10.1, 12.5, 23], control: Self.high, effect: (0.5, 1.0))
                .classification == .pass)
    }

    @Test func criticalEffectSize() throws {
        let criticalHigh = try Self.classify(
            experiment: Self.high, control: Self.low, criticalThresholds: (1.0, 1.2), critical: true)
        #expect(criticalHigh.classification == .high && criticalHigh.critical)
        let criticalLow = try Self.classify(
            experiment: [2, 2, 2, 2, 3], control: [10, 20.2, 10.1, 20.5, 30], criticalThresholds: (1.2, 1.0),
            critical: true)
        #expect(criticalLow.classification == .low && criticalLow.critical)
        let notCritical = try Self.classify(
            experiment: Self.high, control: Self.low, effect: (1, 5), criticalThresholds: (1, 13), critical: true)
        #expect(notCritical.classification == .high && !notCritical.critical)
        let pass = try Self.classify(
            experiment: Self.high, control: Self.low, effect: (1, 13), criticalThresholds: (1, 15), critical: true)
        #expect(pass.classification == .pass && !pass.critical)
        let defaults = try Self.classify(experiment: Self.high, control: Self.low, critical: true)
        #expect(defaults.classification == .high && defaults.critical)
    }

    @Test func tiesAndShortcuts() throws {
        #expect(
            try Self.classify(experiment: [1, 1, 1], control: [1, 1], direction: .decrease).classification == .pass)
        #expect(
            try Self.classify(experiment: [1, 2, 3, 4, 5], control: [5, 4, 3, 2, 1], direction: .decrease)
                .classification == .pass)
        #expect(
            try Self.classify(experiment: [0, 1, 1, 1, 1], control: [1, 1, 1, 1, 1], direction: .decrease)
                .classification == .pass)
        #expect(try Self.classify(experiment: [1, 1, 1, 1, 10], control: [1, 1, 1, 1, 1]).classification == .pass)
        let tied = try Self.classify(experiment: [10, 10, 10, 10, 10], control: [1, 1, 1, 1, 1])
        #expect(tied.classification == .high && tied.evidence.noiseAdded)
        #expect(try Self.classify(experiment: [10, 10, 10, 10, 10], control: [0, 0, 0, 0, 0]).classification == .high)
    }

    @Test func zeroMean() throws {
        let zero = [0.0, 0, 0, 0, 0]
        let values = [54.9, 54.5, 55.1, 55.6, 57.4]
        let high = try Self.classify(experiment: values, control: zero, effect: (0.8, 1.2))
        #expect(high.classification == .high && high.deviation.isNaN)
        let low = try Self.classify(experiment: zero, control: values, effect: (0.8, 1.2))
        #expect(low.classification == .low && low.deviation.isNaN)
        let critical = try Self.classify(
            experiment: [
                0.05000000074505806, 0.05000000074505806, 0.01666666753590107, 0.01666666753590107, 0.01666666753590107,
                0.05000000074505806, 0.03333333507180214, 0.05000000260770321, 0.05000000260770321, 0.13333333656191826,
            ], control: Array(repeating: 0, count: 10), criticalThresholds: (0.8, 1.2), critical: true,
            nanStrategy: .replace)
        #expect(critical.classification == .high && critical.critical)
        let pass = try Self.classify(experiment: zero, control: zero, effect: (0.8, 1.2))
        #expect(pass.classification == .pass && pass.deviation == 1.0)
    }

    @Test func missingData() throws {
        #expect(
            try Self.classify(experiment: [], control: [1, 2, 3, 4, 5], direction: .decrease).classification == .nodata)
        let critical = try Self.classify(
            experiment: [], control: [1, 2, 3, 4, 5], direction: .decrease, critical: true)
        #expect(critical.classification == .nodata && critical.critical)
        #expect(
            try Self.classify(experiment: [], control: [1, 2, 3, 4, 5], nanStrategy: .replace).classification == .pass)
    }
}

@Suite struct KayentaJudgeTests {
    static func config(_ metrics: [CanaryMetricConfiguration], weights: [String: Double] = [:]) -> CanaryConfiguration {
        CanaryConfiguration(metrics: metrics, groupWeights: weights)
    }

    @Test func judgesAndScoresAConfig() {
        let config = Self.config(
            [
                CanaryMetricConfiguration(name: "latency", groups: ["perf"]),
                CanaryMetricConfiguration(name: "cpu", groups: ["system"]),
                CanaryMetricConfiguration(
                    name: "errors", groups: ["perf"], analysis: .init(direction: .increase, mustHaveData: true)),
            ], weights: ["perf": 60, "system": 40])
        let judgement = KayentaJudge().judge(
            config: config,
            canary: ["latency": KayentaClassifierVectorTests.high, "cpu": [1, 2, 3, 4, 5]],
            baseline: ["latency": KayentaClassifierVectorTests.low, "cpu": [5, 4, 3, 2, 1], "errors": [0, 0, 1]],
            thresholds: .standard)
        #expect(judgement.judgeName == "NetflixACAJudge-v1.0")
        #expect(judgement.metrics.map(\.classification) == [.high, .pass, .nodataFailMetric])
        // perf: 0 of 2 pass → 0 × 0.6; system: 100 × 0.4.
        #expect(judgement.score == 40)
        #expect(judgement.classification == .fail && judgement.verdict == .fail)
        #expect(judgement.metrics[0].canaryStatistics.count == 5)
        #expect(judgement.metrics[0].evidence.mannWhitney != nil)
    }

    @Test func criticalErrorVanishesInKayenta() {
        let config = Self.config([
            CanaryMetricConfiguration(name: "ok", groups: ["g"]),
            CanaryMetricConfiguration(name: "broken", groups: ["g"], analysis: .init(critical: true)),
        ])
        let judgement = KayentaJudge().judge(
            config: config, canary: ["ok": [1, 2, 3], "broken": [1, .infinity]],
            baseline: ["ok": [1, 2, 3], "broken": [1, 2]], thresholds: .standard)
        #expect(judgement.metrics[1].classification == .error)
        #expect(judgement.metrics[1].critical == false)
        #expect(judgement.metrics[1].reason?.hasPrefix("Metric Classification Failed") == true)
        #expect(judgement.score == 100)
    }

    @Test func noiseIsSeeded() {
        let config = Self.config([CanaryMetricConfiguration(name: "m", groups: ["g"])])
        let run = { (seed: UInt64) in
            KayentaJudge(noiseSeed: seed).judge(
                config: config, canary: ["m": Array(repeating: 10, count: 20)],
                baseline: ["m": Array(repeating: 10.0001, count: 20)], thresholds: .standard)
        }
        #expect(run(3) == run(3))
        #expect(run(3).metrics[0].evidence.noiseAdded)
    }
}
