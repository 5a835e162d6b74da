public import Foundation

/// One side of a Kayenta scope pair (Kayenta's `CanaryScope`): which series to read, where, and over which time.
public struct KayentaScope: Sendable, Hashable {
    /// What identifies the series, e.g. a ReplicaSet's pod-template hash; substituted for `${scope}`.
    public var scope: String
    /// The region or cluster; substituted for `${location}`.
    public var location: String
    public var start: Date
    public var end: Date
    /// Seconds between points.
    public var step: Int
    /// More template variables, each substituted for `${name}`.
    public var extendedScopeParams: [String: String]

    public init(
        scope: String, location: String = "", start: Date, end: Date, step: Int = 60,
        extendedScopeParams: [String: String] = [:]
    ) {
        self.scope = scope
        self.location = location
        self.start = start
        self.end = end
        self.step = step
        self.extendedScopeParams = extendedScopeParams
    }

    /// The number of points from `start` to `end` inclusive, one per `step`: 0 when `end` is before `start` or the
    /// step is not positive, and `Int.max` when there are more than an `Int` counts — the times come from a request
    /// (epoch seconds up to ±1.8e308), so the count is computed in `Double` and never converted out of range.
    public var pointCount: Int {
        guard step > 0 else { return 0 }
        let steps = (end.timeIntervalSince(start) / Double(step)).rounded(.down)
        guard steps >= 0 else { return 0 }
        guard steps < Double(Int.max) else { return .max }
        return Int(steps) + 1
    }
}

/// The baseline (control) and the canary (experiment) of one named scope.
public struct KayentaScopePair: Sendable, Hashable {
    public var control: KayentaScope
    public var experiment: KayentaScope

    public init(control: KayentaScope, experiment: KayentaScope) {
        self.control = control
        self.experiment = experiment
    }
}
