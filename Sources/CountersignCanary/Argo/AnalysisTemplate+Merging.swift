extension AnalysisTemplate {
    /// Several templates as one run, as Argo merges a step's templates: metrics and dry-run patterns combined;
    /// a metric name defined twice, or an argument with two different defaults, is an error.
    public static func merged(_ templates: [AnalysisTemplate]) throws(CanaryError) -> AnalysisTemplate {
        guard let first = templates.first else {
            throw CanaryError(.invalidConfiguration, "an analysis needs at least one template")
        }
        if templates.count == 1 { return first }
        var args: [AnalysisArgument] = []
        var metrics: [AnalysisMetric] = []
        var dryRun: [String] = []
        for t in templates {
            for arg in t.args {
                if let existing = args.first(where: { $0.name == arg.name }) {
                    guard existing.value == arg.value else {
                        throw CanaryError(
                            .invalidConfiguration,
                            "argument '\(arg.name)' has different defaults in the templates being merged")
                    }
                } else {
                    args.append(arg)
                }
            }
            for m in t.metrics where metrics.contains(where: { $0.name == m.name }) {
                throw CanaryError(
                    .invalidConfiguration, "metric '\(m.name)' is defined by more than one template (\(t.name))")
            }
            metrics += t.metrics
            dryRun += t.dryRunPatterns
        }
        return try AnalysisTemplate(
            kind: first.kind, name: templates.map(\.name).joined(separator: "+"), args: args, metrics: metrics,
            dryRunPatterns: dryRun)
    }
}
