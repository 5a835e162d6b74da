import Testing

@testable import CountersignCanary

/// Attacks on countersign-v1's Pass (issue 20, item 10): data that a judge asking only "is the difference
/// significant?" passes. Kayenta's judge passes them, as spinnaker/spinnaker#6278 and spinnaker/kayenta#780 report,
/// and so did countersign-v1 before its three-way rule (docs/canary.md, "What passes, what is inconclusive, what
/// fails"): Fail when harm beyond the tolerance is established, Pass only when it is ruled out, Inconclusive
/// otherwise; and a canary with an Inconclusive metric is not promoted.
///
/// Random data come from the seeded generator, so every case is fixed; the seeds are the first ones tried, and where
/// a draw is one the spread test does not catch, the table says so rather than picking another seed.
@Suite struct JudgeHardeningTests {
    static let v1 = CountersignJudge()

    static func metric(_ direction: MetricDirection) -> CanaryMetricConfiguration {
        CanaryMetricConfiguration(name: "m", groups: ["g"], analysis: .init(direction: direction))
    }

    static func classify(
        _ canary: [Double], _ baseline: [Double], _ direction: MetricDirection = .either, judge: CountersignJudge = v1
    ) -> MetricJudgement {
        judge.classify(metric(direction), canary: ["m": canary], baseline: ["m": baseline])
    }

    static func normal(_ n: Int, mean: Double, sd: Double, seed: UInt64) -> [Double] {
        CountersignImprovementTests.normal(n, mean: mean, sd: sd, seed: seed)
    }

    /// The judge without its shape and spread tests, to show the location rule and the mean guard on their own.
    static let locationOnly: CountersignJudge = {
        var configuration = CountersignJudge.Configuration()
        configuration.shapeTest = false
        return try! CountersignJudge(configuration: configuration)
    }()

    // MARK: A wide interval at small n (spinnaker/spinnaker#6278)

    /// The reporter's vectors: seven of ten canary points at 100, the other three and the whole baseline at 1. The
    /// mean ratio is 70.3 and Mann-Whitney is significant (p = 0.0016), but three canary points tie with the
    /// baseline, so the interval's lower end sits at 0 and "the whole interval lies beyond the band" can never hold.
    @Test func kayenta6278MixtureIsNotAPass() {
        let canary = Array(repeating: 100.0, count: 7) + [1, 1, 1]
        let baseline = Array(repeating: 1.0, count: 10)
        let kayenta = KayentaJudge().classify(Self.metric(.either), canary: canary, baseline: baseline)
        #expect(kayenta.classification == .pass)  // the reported behaviour, reproduced
        for direction in [MetricDirection.either, .increase] {
            let result = Self.classify(canary, baseline, direction)
            #expect(result.classification == .inconclusive, "\(direction): \(result.reason ?? "")")
            #expect(result.reason?.contains("cannot rule out a rise") == true)
            #expect(abs(result.ratio - 70.3) < 1e-9)
        }
        // A metric whose harm is a fall is not harmed by this rise.
        #expect(Self.classify(canary, baseline, .decrease).classification == .pass)
    }

    /// 40% of the canary at tens of times the baseline's level, the rest like the baseline: a mean 12 to 30 times the
    /// baseline's, an interval from below 0 to thousands. Without the shape tests the interval rule alone makes it
    /// Inconclusive; with them, from n = 20 the stretched tail is established and it fails.
    @Test(arguments: [
        (10, 30.0, MetricDirection.increase, MetricClassification.inconclusive),
        (10, 75, .increase, .inconclusive), (15, 30, .increase, .inconclusive), (15, 75, .increase, .inconclusive),
        (20, 30, .increase, .high), (20, 75, .increase, .high), (10, 30, .decrease, .inconclusive),
        (15, 75, .decrease, .inconclusive), (20, 30, .decrease, .low),
    ])
    func aFractionOfHugeValuesIsNotAPass(
        n: Int, factor: Double, direction: MetricDirection, expected: MetricClassification
    ) {
        let k = n * 2 / 5
        let level = direction == .increase ? 100 * factor : 100 / factor
        let canary = Self.normal(n - k, mean: 100, sd: 10, seed: 2) + Array(repeating: level, count: k)
        let baseline = Self.normal(n, mean: 100, sd: 10, seed: 1)
        let result = Self.classify(canary, baseline, direction)
        #expect(result.classification == expected, "\(result.reason ?? "")")
        let alone = Self.classify(canary, baseline, direction, judge: Self.locationOnly)
        #expect(alone.classification == .inconclusive, "\(alone.reason ?? "")")
        #expect(alone.reason?.contains("cannot rule out") == true)
        if direction == .increase { #expect(result.ratio > 12) }
    }

    /// The baseline's own points shifted up: at 8 the interval (3.3…12.7 at n = 15 with 5% noise) holds both "a
    /// little worse" and "beyond the 10.2 band", so neither Pass nor High is earned; a shift of 3 is resolved inside
    /// the band and passes, a shift of 20 is established beyond it and fails.
    @Test(arguments: [(3.0, MetricClassification.pass), (8, .inconclusive), (20, .high)])
    func anIntervalStraddlingTheBandIsInconclusive(shift: Double, expected: MetricClassification) {
        let baseline = Self.normal(15, mean: 100, sd: 5, seed: 1)
        let result = Self.classify(baseline.map { $0 + shift }, baseline, .increase)
        #expect(result.classification == expected, "\(result.reason ?? "")")
        let interval = try! #require(result.evidence.mannWhitney)
        #expect(interval.lowerBound < shift && shift < interval.upperBound)
    }

    /// The rule does not make well-measured canaries inconclusive: 15 points with 2–3% noise resolve a 5% rise, or no
    /// change, inside the 10% band.
    @Test func wellMeasuredCanariesStillPass() {
        let baseline = Self.normal(15, mean: 100, sd: 2, seed: 1)
        #expect(Self.classify(Self.normal(15, mean: 105, sd: 2, seed: 2), baseline, .increase).classification == .pass)
        let steady = Self.normal(15, mean: 100, sd: 3, seed: 1)
        #expect(Self.classify(Self.normal(15, mean: 100, sd: 3, seed: 2), steady).classification == .pass)
    }

    // MARK: A few huge values: the mean guard

    /// One canary point raised so that the mean rises by 1.2 bands: the rank interval barely moves (ranks do not
    /// see magnitude), so only the mean shows it. At 0.8 bands it passes. (Location rule only: with the shape tests
    /// on, the raised point also stretches p95, which the tail guard reports first.)
    @Test(arguments: [(0.8, MetricClassification.pass), (1.2, .inconclusive)])
    func aMeanBeyondTheBandIsNotAPass(bands: Double, expected: MetricClassification) {
        let baseline = Self.normal(15, mean: 100, sd: 5, seed: 1)
        let band = 0.1 * DescriptiveStatistics.mean(baseline)
        var canary = baseline
        canary[0] += 15 * bands * band
        let result = Self.classify(canary, baseline, .increase, judge: Self.locationOnly)
        #expect(result.classification == expected, "\(result.reason ?? "")")
        let interval = try! #require(result.evidence.mannWhitney)
        #expect(interval.upperBound < band)  // the interval alone would pass both
        #expect(Self.classify(canary, baseline, .increase).classification == .inconclusive)
    }

    /// Two of fifteen canary points at 200 times the baseline (timeouts, say): a mean 27 times the baseline's that
    /// the rank interval does not see at all.
    @Test func twoHugeValuesAreNotAPass() {
        let baseline = Self.normal(15, mean: 100, sd: 5, seed: 1)
        let canary = Self.normal(13, mean: 100, sd: 5, seed: 2) + [20_000, 20_000]
        let kayenta = KayentaJudge().classify(Self.metric(.increase), canary: canary, baseline: baseline)
        #expect(kayenta.classification == .pass)
        let result = Self.classify(canary, baseline, .increase)
        #expect(result.classification == .inconclusive, "\(result.reason ?? "")")
        #expect(result.reason?.contains("canary mean") == true)
        #expect(result.ratio > 25)
    }

    // MARK: Spread that collapsed or exploded (spinnaker/kayenta#780)

    /// The reporter's "Case 1" vectors (15 points each): a canary packed into 10–17.7 against a baseline spread over
    /// 1–106. Mann-Whitney sees no shift (p = 1); Brown–Forsythe's one-sided p for the collapse is 1.5e-4 and the
    /// canary's p95 − median fell by 88 against a band of 5.2. Swapped, the same data are a spread explosion.
    @Test func kayenta780SpreadChangeFails() {
        let canary = [10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 17.0, 17.1, 17.2, 17.3, 17.4, 17.5, 17.6, 17.7]
        let baseline = [1.0, 100, 4, 101, 5, 102, 6, 103, 7, 104, 8, 105, 9, 106, 17]
        let kayenta = KayentaJudge()
        #expect(kayenta.classify(Self.metric(.either), canary: canary, baseline: baseline).classification == .pass)
        #expect(kayenta.classify(Self.metric(.either), canary: baseline, baseline: canary).classification == .pass)
        let collapsed = Self.classify(canary, baseline)
        #expect(collapsed.classification == .low, "\(collapsed.reason ?? "")")
        #expect(collapsed.reason?.contains("spread collapsed") == true)
        #expect(collapsed.evidence.mannWhitney?.pValue == 1)  // no location shift at all
        let exploded = Self.classify(baseline, canary)
        #expect(exploded.classification == .high, "\(exploded.reason ?? "")")
        #expect(exploded.reason?.contains("spread grew") == true)
    }

    /// A canary whose every point is the same value against a baseline with 30% noise: no location change, a spread
    /// gone. For `either`, a collapsed tail beyond the band is a change that matters (High or Low says which way the
    /// larger-moving tail percentile went).
    @Test(arguments: [12, 15, 20], [1, 2, 3] as [UInt64])
    func aCanaryCollapsedToAConstantFails(n: Int, seed: UInt64) {
        let baseline = Self.normal(n, mean: 100, sd: 30, seed: seed)
        let result = Self.classify(Array(repeating: 100, count: n), baseline)
        #expect([.high, .low].contains(result.classification), "\(result.reason ?? "")")
        #expect(result.reason?.contains("spread collapsed") == true)
        // For a metric harmed only by a rise, a tighter upper tail is no harm: no spread failure.
        let rise = Self.classify(Array(repeating: 100, count: n), baseline, .increase)
        #expect(rise.classification != .high && rise.reason?.contains("spread") != true)
    }

    /// A canary with ten times the baseline's spread around the same centre, 15 points each. Brown–Forsythe at the
    /// shape tests' 0.001 level catches such a canary about 88% of the time at this n (Vectors/generate_spread.py
    /// --level); seeds 3 and 5 are draws it misses (p = 0.0015 and 0.0011), and there the interval or the stretched
    /// tail still keeps the canary from passing.
    @Test(arguments: [
        (1 as UInt64, MetricClassification.high, MetricClassification.low), (2, .high, .low),
        (3, .inconclusive, .inconclusive), (4, .high, .low), (5, .inconclusive, .inconclusive),
    ])
    func aCanaryWhoseSpreadExplodedFails(
        seed: UInt64, increase: MetricClassification, decrease: MetricClassification
    ) {
        let baseline = Self.normal(15, mean: 100, sd: 5, seed: seed)
        let canary = Self.normal(15, mean: 100, sd: 50, seed: seed + 100)
        let kayenta = KayentaJudge().classify(Self.metric(.increase), canary: canary, baseline: baseline)
        #expect(kayenta.classification == .pass)
        let up = Self.classify(canary, baseline, .increase)
        #expect(up.classification == increase, "\(up.reason ?? "")")
        let down = Self.classify(canary, baseline, .decrease)
        #expect(down.classification == decrease, "\(down.reason ?? "")")
    }

    /// Changes of spread that stay inside the tolerance are not failures: a constant canary against a baseline with
    /// 3% noise (every canary point within the band of the baseline's), and 1.5 times the spread at 3% noise.
    @Test func spreadChangesWithinTheBandPass() {
        let baseline = Self.normal(15, mean: 100, sd: 3, seed: 1)
        #expect(Self.classify(Array(repeating: 100, count: 15), baseline).classification == .pass)
        #expect(Self.classify(Self.normal(15, mean: 100, sd: 4.5, seed: 2), baseline).classification == .pass)
    }

    // MARK: The judgement

    /// One metric that cannot be vouched for keeps the canary from being promoted, even when the others pass and the
    /// score (over the metrics that could be scored) is 100.
    @Test func aCanaryWithAnInconclusiveMetricIsNotPromoted() {
        let config = CanaryConfiguration(metrics: [
            CanaryMetricConfiguration(name: "latency", groups: ["latency"]),
            CanaryMetricConfiguration(name: "cpu", groups: ["saturation"]),
            CanaryMetricConfiguration(name: "memory", groups: ["saturation"]),
        ])
        let steady = Self.normal(30, mean: 50, sd: 1, seed: 7)
        let judgement = Self.v1.judge(
            config: config,
            canary: ["latency": Array(repeating: 100, count: 7) + [1, 1, 1], "cpu": steady, "memory": steady],
            baseline: ["latency": Array(repeating: 1, count: 10), "cpu": steady, "memory": steady],
            thresholds: .standard)
        #expect(judgement.metrics.map(\.classification) == [.inconclusive, .pass, .pass])
        #expect(judgement.score == 100)
        #expect(judgement.verdict == .inconclusive)
        #expect(judgement.reason?.contains("latency") == true)
    }
}
