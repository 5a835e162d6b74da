import Testing

@testable import CountersignCanary

/// Hostile or degenerate series give a defined classification, never a trap or a hang, in both judges.
@Suite struct BadInputTests {
    static let judges: [any CanaryJudge] = [KayentaJudge(), CountersignJudge()]
    static let metric = CanaryMetricConfiguration(name: "m", groups: ["g"])

    static func classify(_ judge: any CanaryJudge, canary: [Double], baseline: [Double]) -> MetricJudgement {
        judge.judge(
            config: CanaryConfiguration(metrics: [metric]), canary: ["m": canary], baseline: ["m": baseline],
            thresholds: .standard
        ).metrics[0]
    }

    @Test func emptySeries() {
        for judge in Self.judges {
            #expect(Self.classify(judge, canary: [], baseline: [1, 2, 3]).classification == .nodata)
            #expect(Self.classify(judge, canary: [], baseline: []).classification == .nodata)
            // An absent series is no data too.
            let absent = judge.judge(
                config: CanaryConfiguration(metrics: [Self.metric]), canary: [:], baseline: [:], thresholds: .standard)
            #expect(absent.metrics[0].classification == .nodata)
        }
    }

    @Test func allNaN() {
        let nan = Array(repeating: Double.nan, count: 30)
        for judge in Self.judges {
            #expect(
                Self.classify(judge, canary: nan, baseline: Array(1...30).map(Double.init)).classification == .nodata)
        }
        // With replace, NaN means 0: all zeros against all zeros is identical.
        let replacing = CanaryMetricConfiguration(name: "m", groups: ["g"], analysis: .init(nanStrategy: .replace))
        for judge in Self.judges {
            let r = judge.judge(
                config: CanaryConfiguration(metrics: [replacing]), canary: ["m": nan], baseline: ["m": nan],
                thresholds: .standard)
            #expect(r.metrics[0].classification == .pass)
        }
    }

    @Test func infinities() {
        for judge in Self.judges {
            for bad in [[1, 2, Double.infinity], [-Double.infinity, 1, 2]] {
                let r = Self.classify(judge, canary: bad, baseline: [1, 2, 3])
                #expect(r.classification == .error)
                #expect(r.reason?.contains("infinite") == true)
            }
        }
    }

    @Test func singlePoint() {
        #expect(Self.classify(KayentaJudge(), canary: [5], baseline: [5]).classification == .pass)
        #expect(Self.classify(CountersignJudge(), canary: [5], baseline: [5]).classification == .inconclusive)
        for judge in Self.judges {
            // Any answer is fine as long as it is one.
            _ = Self.classify(judge, canary: [5], baseline: [1])
            _ = Self.classify(judge, canary: [1e308, -1e308], baseline: [1e308])
            _ = Self.classify(judge, canary: [0, 0, 0], baseline: [-0.0, 0, 0])
        }
    }

    @Test func tenMillionPointsAreRefusedQuickly() {
        let huge = Array(repeating: 1.0, count: 10_000_000)
        for judge in Self.judges {
            let r = Self.classify(judge, canary: huge, baseline: [1, 2, 3])
            #expect(r.classification == .error)
            #expect(r.reason?.contains("10000000 points") == true)
        }
        let critical = CanaryMetricConfiguration(name: "m", groups: ["g"], analysis: .init(critical: true))
        let r = CountersignJudge().judge(
            config: CanaryConfiguration(metrics: [critical]), canary: ["m": huge], baseline: ["m": [1]],
            thresholds: .standard)
        #expect(r.verdict == .fail)
    }

    @Test func proportionSeriesProblems() {
        let metric = CanaryMetricConfiguration(
            name: "errors", groups: ["g"], countersign: .init(kind: .proportion, denominator: "requests"))
        func judge(_ canary: [String: [Double]], _ baseline: [String: [Double]]) -> MetricJudgement {
            CountersignJudge().judge(
                config: CanaryConfiguration(metrics: [metric]), canary: canary, baseline: baseline,
                thresholds: .standard
            ).metrics[0]
        }
        let fine = ["errors": [1.0, 2], "requests": [500.0, 500]]
        #expect(judge(["errors": [1, 2, 3], "requests": [500, 500]], fine).classification == .error)
        #expect(judge(["errors": [-1, 2], "requests": [500, 500]], fine).classification == .error)
        #expect(judge(["errors": [900, 2], "requests": [500, 500]], fine).classification == .error)
        #expect(judge(["errors": [1, 2]], fine).classification == .error)  // denominator series missing: length 0
        #expect(judge([:], fine).classification == .nodata)
        #expect(judge(["errors": [.nan, 2], "requests": [500, 500]], fine).classification == .pass)
    }
}
