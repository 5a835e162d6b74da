/// An Argo Rollouts canary strategy's steps (reference §3.5): traffic weights, pauses and inline analyses.
///
/// Background analysis (`strategy.canary.analysis`), experiments and header or mirror routes are Argo's to run;
/// the decoder refuses them with a clear message instead of ignoring them.
public struct RolloutPlan: Sendable, Hashable {
    public var name: String
    public var steps: [RolloutStep]

    public init(name: String, steps: [RolloutStep]) throws(CanaryError) {
        guard !steps.isEmpty else { throw CanaryError(.invalidConfiguration, "steps: at least one step is required") }
        for (i, step) in steps.enumerated() {
            if case .setWeight(let w) = step, !(0...100).contains(w) {
                throw CanaryError(.invalidConfiguration, "steps[\(i)].setWeight: \(w) is not a percentage (0–100)")
            }
        }
        self.name = name
        self.steps = steps
    }

    /// Canary replicas for `weight` percent of `replicas` without traffic routing: the nearest whole number, a
    /// tie rounding the canary up (Argo: 41 % of 10 replicas → 4 canary pods).
    public static func canaryReplicas(weight: Int, of replicas: Int) -> Int {
        let exact = Double(weight) * Double(replicas) / 100
        return min(replicas, Int((exact).rounded(.toNearestOrAwayFromZero)))
    }
}

/// One canary step.
public enum RolloutStep: Sendable, Hashable {
    case setWeight(Int)
    /// `pause: {duration: 10m}`; `nil` is `pause: {}`, which waits for a person.
    case pause(Duration?)
    /// An inline analysis: the named templates merged, run to completion before the next step.
    case analysis(templates: [String], args: [String: String])
}
