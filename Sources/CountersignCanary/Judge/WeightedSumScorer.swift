/// Kayenta's scorer (WeightedSumScorer with ScoringHelper's rules), reproduced exactly, quirks included.
///
/// Over the non-muted results: each group scores 100·Pass / (Pass + High + Low + NodataFailMetric), Nodata and
/// Error not counted; a group with nothing counted is "noData". The summary is 0 if any critical result is not
/// Pass, or if at least half the results are Nodata; otherwise Σ score × weight / 100, where configured weights are
/// used as given (never normalised), unweighted groups share 100 − Σ weights equally, and a noData group counts
/// as 100. Rounded half-up to two decimals.
public struct WeightedSumScorer: Sendable, Hashable {
    public var groupWeights: [String: Double]

    public init(groupWeights: [String: Double]) { self.groupWeights = groupWeights }

    /// Kayenta's `NODATA_THRESHOLD`, in percent.
    public static let nodataThreshold = 50.0

    public func score(_ results: [MetricJudgement]) -> ScoreSummary {
        let scored = results.filter { !$0.muted }
        let groups = Self.groupScores(scored)

        if let failed = scored.first(where: { $0.critical && $0.classification != .pass }) {
            return ScoreSummary(groups: groups, score: 0, reason: "Canary Failed: \(failed.reason ?? failed.name)")
        }
        let nodata = scored.filter { $0.classification == .nodata }.count
        if !scored.isEmpty, Double(nodata) * 100 / Double(scored.count) >= Self.nodataThreshold {
            return ScoreSummary(
                groups: groups, score: 0, reason: "Canary Failed: 50% or more metrics returned NODATA")
        }

        let configured = groupWeights.values.reduce(0, +)
        let unweighted = groups.filter { groupWeights[$0.name] == nil }
        let share = unweighted.isEmpty ? 0 : (100 - configured) / Double(unweighted.count)
        var summary = 0.0
        var weighted: [GroupScore] = []
        for var group in groups {
            group.weight = groupWeights[group.name] ?? share
            summary += (group.noData ? 100 : group.score) * group.weight / 100
            weighted.append(group)
        }
        return ScoreSummary(groups: weighted, score: Self.roundHalfUp(summary), reason: nil)
    }

    /// Per-group scores over `results`, groups in order of first appearance; weights left at 0.
    static func groupScores(_ results: [MetricJudgement]) -> [GroupScore] {
        var order: [String] = []
        var counts: [String: (pass: Int, total: Int)] = [:]
        for result in results {
            for group in result.groups {
                if counts[group] == nil {
                    order.append(group)
                    counts[group] = (0, 0)
                }
                guard result.classification.isScored else { continue }
                counts[group]!.total += 1
                if result.classification == .pass { counts[group]!.pass += 1 }
            }
        }
        return order.map { name in
            let c = counts[name]!
            return GroupScore(
                name: name, score: c.total == 0 ? 0 : 100 * Double(c.pass) / Double(c.total), noData: c.total == 0,
                weight: 0)
        }
    }

    static func roundHalfUp(_ value: Double) -> Double {
        (value * 100).rounded(.toNearestOrAwayFromZero) / 100
    }
}

/// Group scores and the summary score, before classification against thresholds.
public struct ScoreSummary: Sendable, Hashable {
    public var groups: [GroupScore]
    public var score: Double
    /// Set when a rule (critical failure, too much Nodata) forced the score to 0.
    public var reason: String?
}
