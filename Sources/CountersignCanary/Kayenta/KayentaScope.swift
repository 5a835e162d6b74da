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

    /// The number of points from `start` to `end` inclusive, one per `step`. Dates and steps come from requests,
    /// so a span with more points than an Int holds (or no finite count) is `Int.max` — too many — never a trap.
    public var pointCount: Int {
        let steps = (end.timeIntervalSince(start) / Double(step)).rounded(.down)
        guard steps.isFinite else { return Int.max }
        guard steps >= 0 else { return 0 }
        return steps < 1e15 ? Int(steps) + 1 : Int.max
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
