public import Foundation

/// What the rollout executor tells the traffic mover (Argo Rollouts, Flagger, a mesh). Countersign judges and
/// records; it never moves traffic itself.
public enum RolloutDecision: Sendable, Hashable, CustomStringConvertible {
    /// Send this percentage of traffic to the canary.
    case setWeight(Int)
    /// Every step passed: promote the canary to stable.
    case promote
    /// Stop here until a person promotes or aborts: an indefinite pause, or an inconclusive analysis.
    case hold(reason: String)
    /// Move all traffic back to stable: an analysis failed or erred, or Flagger's failed checks reached the threshold.
    case abort(reason: String)

    public var description: String {
        switch self {
        case .setWeight(let w): "setWeight \(w)"
        case .promote: "promote"
        case .hold(let reason): "hold: \(reason)"
        case .abort(let reason): "abort: \(reason)"
        }
    }

    /// Whether the rollout stops at this decision (for now: hold; for good: promote, abort).
    public var isFinal: Bool {
        if case .setWeight = self { return false }
        return true
    }
}

/// One decision with the step (or Flagger iteration) that produced it and the time it was made.
public struct RolloutEvent: Sendable, Hashable {
    public var step: Int
    public var decision: RolloutDecision
    public var at: Date
    /// The analysis run behind the decision, when an analysis step made it.
    public var analysis: AnalysisRunResult?
}
