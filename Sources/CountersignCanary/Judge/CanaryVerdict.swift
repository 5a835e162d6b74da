/// The outcome of a judgement or an analysis, ordered by severity so outcomes combine by "worst wins".
///
/// `inconclusive` (not enough evidence) and `error` (could not judge) are kept apart from `fail` (the evidence
/// says the canary is worse): a person can promote through the first two, the third should roll back. The order
/// follows Argo Rollouts' phases: pass < marginal < inconclusive < error < fail.
public enum CanaryVerdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case pass
    /// A score between the marginal and pass thresholds.
    case marginal
    case inconclusive
    case error
    case fail

    private var severity: Int {
        switch self {
        case .pass: 0
        case .marginal: 1
        case .inconclusive: 2
        case .error: 3
        case .fail: 4
        }
    }

    public static func < (a: CanaryVerdict, b: CanaryVerdict) -> Bool { a.severity < b.severity }

    /// The worse of the two.
    public func combined(with other: CanaryVerdict) -> CanaryVerdict { Swift.max(self, other) }

    /// The worst of `verdicts`; `pass` for none.
    public static func worst(_ verdicts: some Sequence<CanaryVerdict>) -> CanaryVerdict {
        verdicts.reduce(.pass) { $0.combined(with: $1) }
    }

    /// The verdict a score classification stands for.
    public init(_ classification: ScoreClassification) {
        switch classification {
        case .pass: self = .pass
        case .marginal: self = .marginal
        case .fail: self = .fail
        }
    }
}
