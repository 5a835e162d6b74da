public import Foundation

/// An Argo Rollouts `AnalysisTemplate` or `ClusterAnalysisTemplate` (`argoproj.io/v1alpha1`), decoded as written.
///
/// Decoding applies Argo's defaults (reference §3.1) and its `ValidateMetric` rules, and compiles every
/// condition once, so a malformed template fails at load time with a message naming the field rather than
/// producing an `Error` measurement at 3 a.m.
public struct AnalysisTemplate: Sendable, Hashable {
    /// `AnalysisTemplate` or `ClusterAnalysisTemplate`.
    public var kind: String
    /// `metadata.name`.
    public var name: String
    /// `spec.args`, in document order.
    public var args: [AnalysisArgument]
    /// `spec.metrics`, in document order; names are unique.
    public var metrics: [AnalysisMetric]
    /// `spec.dryRun[].metricName` patterns (regular expressions matched against the whole metric name).
    public var dryRunPatterns: [String]

    /// The API version Argo Rollouts uses for analysis templates.
    public static let apiVersion = "argoproj.io/v1alpha1"
    /// The kinds accepted by ``init(yaml:)``.
    public static let kinds: Set<String> = ["AnalysisTemplate", "ClusterAnalysisTemplate"]

    /// Creates a template from already built parts; validates them as ``init(yaml:)`` does.
    public init(
        kind: String = "AnalysisTemplate", name: String, args: [AnalysisArgument] = [], metrics: [AnalysisMetric],
        dryRunPatterns: [String] = []
    ) throws(CanaryError) {
        self.kind = kind
        self.name = name
        self.args = args
        self.metrics = metrics
        self.dryRunPatterns = dryRunPatterns
        try validate()
    }

    /// Whether `metricName` is a dry-run metric: evaluated and reported, but ignored for the run's phase.
    public func isDryRun(_ metricName: String) -> Bool {
        dryRunPatterns.contains { pattern in
            if pattern == metricName { return true }
            guard let regex = try? Regex(pattern) else { return false }
            return (try? regex.wholeMatch(in: metricName)) != nil
        }
    }

    /// The argument values to substitute: each declared arg's `value` overridden by `overrides`.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` naming the first argument that has no value (Argo
    ///   refuses to start such a run) or an override for an undeclared argument.
    public func resolvedArguments(_ overrides: [String: String] = [:]) throws(CanaryError) -> [String: String] {
        var values: [String: String] = [:]
        let declared = Set(args.map(\.name))
        for name in overrides.keys.sorted() where !declared.contains(name) {
            throw CanaryError(.invalidConfiguration, "argument '\(name)' is not declared in spec.args")
        }
        for arg in args {
            guard let value = overrides[arg.name] ?? arg.value else {
                throw CanaryError(.invalidConfiguration, "spec.args: argument '\(arg.name)' has no value")
            }
            values[arg.name] = value
        }
        return values
    }

    func validate() throws(CanaryError) {
        guard !metrics.isEmpty else {
            throw CanaryError(.invalidConfiguration, "spec.metrics: at least one metric is required")
        }
        var seen: Set<String> = []
        for (i, metric) in metrics.enumerated() {
            guard seen.insert(metric.name).inserted else {
                throw CanaryError(
                    .invalidConfiguration, "spec.metrics[\(i)].name: duplicate metric name '\(metric.name)'")
            }
            try metric.validate(context: "spec.metrics[\(i)] (\(metric.name))")
        }
        var argNames: Set<String> = []
        for (i, arg) in args.enumerated() where !argNames.insert(arg.name).inserted {
            throw CanaryError(.invalidConfiguration, "spec.args[\(i)].name: duplicate argument '\(arg.name)'")
        }
        for (i, pattern) in dryRunPatterns.enumerated() where (try? Regex(pattern)) == nil {
            throw CanaryError(
                .invalidConfiguration, "spec.dryRun[\(i)].metricName: invalid regular expression '\(pattern)'")
        }
    }
}

/// One `spec.args` entry. Only literal values are supported: `valueFrom` (secrets, pod template hashes, field
/// references) needs a cluster, so the decoder rejects it with an error instead of silently leaving it empty.
public struct AnalysisArgument: Sendable, Hashable {
    public var name: String
    /// The default value; `nil` means it must be supplied when the run starts.
    public var value: String?
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
