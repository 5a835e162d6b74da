/// The phase of a measurement, a metric or a whole analysis run, as Argo Rollouts names them.
///
/// Ordered by severity so phases combine by "worst wins" (Argo's `IsWorse`):
/// successful < running < pending < inconclusive < error < failed. `inconclusive` (a person decides) and
/// `error` (the metric could not be measured) stay apart from `failed` (the canary is bad).
public enum AnalysisPhase: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case successful = "Successful"
    case running = "Running"
    case pending = "Pending"
    case inconclusive = "Inconclusive"
    case error = "Error"
    case failed = "Failed"

    private var severity: Int {
        switch self {
        case .successful: 0
        case .running: 1
        case .pending: 2
        case .inconclusive: 3
        case .error: 4
        case .failed: 5
        }
    }

    public static func < (a: AnalysisPhase, b: AnalysisPhase) -> Bool { a.severity < b.severity }

    /// Whether the phase is final: successful, inconclusive, error or failed.
    public var isCompleted: Bool { self != .running && self != .pending }

    /// The worst of `phases`; `successful` for none.
    public static func worst(_ phases: some Sequence<AnalysisPhase>) -> AnalysisPhase {
        phases.reduce(.successful) { Swift.max($0, $1) }
    }

    /// The Countersign verdict of a completed phase (`nil` while running or pending), so Argo analyses combine
    /// with the other judges.
    public var verdict: CanaryVerdict? {
        switch self {
        case .successful: .pass
        case .inconclusive: .inconclusive
        case .error: .error
        case .failed: .fail
        case .running, .pending: nil
        }
    }

    public var description: String { rawValue }
}
