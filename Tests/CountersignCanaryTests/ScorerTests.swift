import Testing

@testable import CountersignCanary

/// Kayenta's scorer vectors (reference §1.10 C), from
/// kayenta-judge/src/test/scala/com/netflix/kayenta/judge/ScorerSuite.scala at spinnaker/kayenta a69573be.
@Suite struct KayentaScorerVectorTests {
    static func metric(
        _ name: String, _ classification: MetricClassification, _ group: String, critical: Bool = false
    ) -> MetricJudgement {
        MetricJudgement(name: name, groups: [group], classification: classification, critical: critical)
    }

    static func score(_ weights: [String: Double], _ metrics: [MetricJudgement]) -> ScoreSummary {
        WeightedSumScorer(groupWeights: weights).score(metrics)
    }

    @Test func singleMetric() {
        #expect(Self.score([:], [Self.metric("a", .pass, "g")]).score == 100)
        #expect(Self.score([:], [Self.metric("a", .high, "g")]).score == 0)
        let nodata = Self.score([:], [Self.metric("a", .nodata, "g")])
        #expect(nodata.score == 0)
        #expect(nodata.groups.count == 1 && nodata.groups[0].score == 0)
    }

    @Test func nodataGroupCountsAsFull() {
        let s = Self.score(
            [:],
            [Self.metric("a", .pass, "pass"), Self.metric("b", .pass, "pass"), Self.metric("c", .nodata, "nodata")])
        #expect(s.groups.map(\.score).sorted() == [0, 100])
        #expect(s.score == 100)
    }

    @Test func oneGroup() {
        #expect(Self.score([:], [Self.metric("a", .pass, "g"), Self.metric("b", .high, "g")]).score == 50)
        #expect(
            Self.score([:], [Self.metric("a", .pass, "g"), Self.metric("b", .high, "g"), Self.metric("c", .low, "g")])
                .score == 33.33)
    }

    @Test func weightedGroups() {
        #expect(
            Self.score(
                ["g1": 75, "g2": 25],
                [Self.metric("a", .pass, "g1"), Self.metric("b", .pass, "g1"), Self.metric("c", .high, "g2")]
            ).score == 75)
        #expect(
            Self.score(
                ["g1": 50, "g2": 50],
                [Self.metric("a", .pass, "g1"), Self.metric("b", .high, "g1"), Self.metric("c", .high, "g2")]
            ).score == 25)
        #expect(
            Self.score(
                ["g1": 50, "g2": 50],
                [Self.metric("a", .pass, "g1"), Self.metric("b", .nodata, "g1"), Self.metric("c", .high, "g2")]
            ).score == 50)
        #expect(
            Self.score(
                ["g1": 15, "g2": 85],
                [
                    Self.metric("a", .high, "g1"), Self.metric("b", .low, "g1"), Self.metric("c", .pass, "g1"),
                    Self.metric("d", .high, "g2"),
                ]
            ).score == 5.0)
    }

    @Test func criticalMetrics() {
        #expect(
            Self.score([:], [Self.metric("a", .pass, "g"), Self.metric("b", .high, "g", critical: true)]).score == 0)
        #expect(
            Self.score([:], [Self.metric("a", .low, "g"), Self.metric("b", .pass, "g", critical: true)]).score == 50)
        #expect(
            Self.score([:], [Self.metric("a", .pass, "g"), Self.metric("b", .nodata, "g", critical: true)]).score == 0)
    }

    @Test func mutedMetricsAreLeftOut() {
        var muted = Self.metric("b", .high, "g", critical: true)
        muted.muted = true
        #expect(Self.score([:], [Self.metric("a", .pass, "g"), muted]).score == 100)
    }
}
