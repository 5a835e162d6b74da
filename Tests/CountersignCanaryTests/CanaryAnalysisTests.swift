import Testing

@testable import CountersignCanary

@Suite struct CanaryAnalysisTests {
    static let config = CanaryConfiguration(metrics: [CanaryMetricConfiguration(name: "latency", groups: ["g"])])

    @Test func scheduleWindows() {
        #expect(CanaryAnalysis.Schedule(lifetimeMinutes: 30, intervalMinutes: 10).windows == [0..<10, 0..<20, 0..<30])
        #expect(
            CanaryAnalysis.Schedule(lifetimeMinutes: 30, intervalMinutes: 10, lookbackMinutes: 15).windows
                == [0..<10, 5..<20, 15..<30])
        #expect(
            CanaryAnalysis.Schedule(lifetimeMinutes: 20, intervalMinutes: 10, beginAfterMinutes: 5).windows
                == [5..<15, 5..<25])
        #expect(CanaryAnalysis.Schedule(lifetimeMinutes: 25, intervalMinutes: 0).windows == [0..<25])
        #expect(CanaryAnalysis.Schedule(lifetimeMinutes: 25, intervalMinutes: 60).windows == [0..<25])
        #expect(CanaryAnalysis.Schedule(lifetimeMinutes: 25, intervalMinutes: 10).windows.count == 2)
    }

    @Test func growingWindowsPassWithAWarningForFewPoints() {
        let baseline = CountersignImprovementTests.normal(60, mean: 100, sd: 3, seed: 1)
        let canary = CountersignImprovementTests.normal(60, mean: 100, sd: 3, seed: 2)
        let result = CanaryAnalysis.run(
            judge: KayentaJudge(), config: Self.config, canary: ["latency": canary], baseline: ["latency": baseline],
            schedule: .init(lifetimeMinutes: 60, intervalMinutes: 20), thresholds: .standard)
        #expect(result.judgements.map(\.endMinute) == [20, 40, 60])
        #expect(result.judgements.map { $0.judgement.metrics[0].baselineStatistics.count } == [20, 40, 60])
        #expect(result.didPassThresholds && result.verdict == .pass)
        #expect(result.hasWarnings)  // 20 and 40 baseline points are fewer than 50
    }

    @Test func stopsEarlyAtOrBelowMarginal() {
        let baseline = CountersignImprovementTests.normal(60, mean: 100, sd: 3, seed: 1)
        // Bad from the start: the first judgement fails and ends the analysis.
        let canary = CountersignImprovementTests.normal(60, mean: 150, sd: 3, seed: 2)
        let result = CanaryAnalysis.run(
            judge: KayentaJudge(), config: Self.config, canary: ["latency": canary], baseline: ["latency": baseline],
            schedule: .init(lifetimeMinutes: 60, intervalMinutes: 20), thresholds: .standard)
        #expect(result.judgements.count == 1)
        #expect(!result.didPassThresholds && result.verdict == .fail)
        #expect(result.message.contains("not above the marginal"))
    }

    @Test func slidingWindowSeesOnlyRecentData() {
        let baseline = CountersignImprovementTests.normal(60, mean: 100, sd: 3, seed: 1)
        // The canary recovers after a bad first 20 minutes; a 20-minute lookback judges only what follows…
        let canary =
            CountersignImprovementTests.normal(20, mean: 150, sd: 3, seed: 2)
            + CountersignImprovementTests.normal(40, mean: 100, sd: 3, seed: 3)
        let sliding = CanaryAnalysis.run(
            judge: CountersignJudge(), config: Self.config, canary: ["latency": canary],
            baseline: ["latency": baseline],
            schedule: .init(
                lifetimeMinutes: 60, intervalMinutes: 20, lookbackMinutes: 20,
                beginAfterMinutes: 0), thresholds: .standard)
        // …but the first window is already bad and stops the analysis, as Kayenta's would.
        #expect(sliding.judgements.count == 1 && sliding.verdict == .fail)
        let warmedUp = CanaryAnalysis.run(
            judge: CountersignJudge(), config: Self.config, canary: ["latency": canary],
            baseline: ["latency": baseline],
            schedule: .init(lifetimeMinutes: 40, intervalMinutes: 20, lookbackMinutes: 20, beginAfterMinutes: 20),
            thresholds: .standard)
        #expect(warmedUp.judgements.map { $0.startMinute..<$0.endMinute } == [20..<40, 40..<60])
        #expect(warmedUp.verdict == .pass)
    }

    @Test func noJudgementsIsAnError() {
        let result = CanaryAnalysis.aggregate([], thresholds: .standard)
        #expect(!result.didPassThresholds && result.verdict == .error)
    }
}
