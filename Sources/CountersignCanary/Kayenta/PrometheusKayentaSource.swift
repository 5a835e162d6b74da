internal import CountersignEncoding
internal import Foundation

/// Reads Kayenta metrics from Prometheus: the metric's `query` is Kayenta's Prometheus query config, run as a
/// range query over the scope's times and step.
///
/// The query is `customInlineTemplate` with its `PromQL:` prefix removed, or `metricName{filter}` where the
/// filter is `customFilter` or the config template named by `customFilterTemplate`. `${scope}`, `${location}` and
/// each extended scope parameter are substituted, with `\` and `"` escaped so a scope value cannot leave the label
/// matcher it sits in. Kayenta's label guessing from a `resourceType` is not reproduced: a metric names its series
/// explicitly, or the execution fails with a message saying so.
///
/// The answer must be one series (aggregate in PromQL when the selector matches several); its samples are placed
/// on the step grid, and steps Prometheus has no sample for are NaN, as in Kayenta.
public struct PrometheusKayentaSource: KayentaMetricSource {
    public var address: String
    public var headers: [HTTPHeader]
    public var timeout: Duration
    private let provider: PrometheusProvider

    public init(address: String, headers: [HTTPHeader] = [], timeout: Duration = PrometheusQuery.defaultTimeout) {
        self.address = address
        self.headers = headers
        self.timeout = timeout
        self.provider = PrometheusProvider(defaultAddress: address)
    }

    public func series(
        of metric: CanaryMetricConfiguration, in config: CanaryConfiguration, scope: KayentaScope
    ) async throws(CanaryError) -> [Double] {
        let promql = try Self.promQL(for: metric, templates: config.templates, scope: scope)
        let query = PrometheusQuery(address: address, query: promql, timeout: timeout, headers: headers)
        let result = try await provider.range(query, from: scope.start, to: scope.end, step: Double(scope.step))
        let series: [PrometheusSeries]
        switch result {
        case .matrix(let s): series = s
        case .scalar, .vector:
            throw CanaryError(.measurementFailed, "metric \(metric.name): Prometheus did not answer with a range")
        }
        var grid = [Double](repeating: .nan, count: scope.pointCount)
        guard let only = series.first else { return grid }
        guard series.count == 1 else {
            throw CanaryError(
                .measurementFailed,
                "metric \(metric.name): the query matched \(series.count) series for scope \"\(scope.scope)\"; "
                    + "aggregate them in PromQL (sum, avg) so each scope yields one")
        }
        let start = scope.start.timeIntervalSince1970
        for (time, value) in zip(only.times, only.values) {
            // Times come from the metrics server: one off the grid, or not finite, is dropped before it is an Int.
            let position = ((time - start) / Double(scope.step)).rounded()
            guard position >= 0, position < Double(grid.count) else { continue }
            grid[Int(position)] = value
        }
        return grid
    }

    /// The PromQL that reads `metric` for `scope`.
    static func promQL(
        for metric: CanaryMetricConfiguration, templates: [String: String], scope: KayentaScope
    ) throws(CanaryError) -> String {
        guard let q = metric.query.objectDictionary else {
            throw CanaryError(.invalidConfiguration, "metric \(metric.name): query is not an object")
        }
        let type = q["type"]?.stringValue ?? "prometheus"
        guard type == "prometheus" else {
            throw CanaryError(
                .invalidConfiguration,
                "metric \(metric.name): query type \"\(type)\" is not supported; this source reads Prometheus")
        }
        var variables = scope.extendedScopeParams
        variables["scope"] = scope.scope
        variables["location"] = scope.location
        if let inline = q["customInlineTemplate"]?.stringValue, !inline.isEmpty {
            guard inline.hasPrefix("PromQL:") else {
                throw CanaryError(
                    .invalidConfiguration,
                    "metric \(metric.name): customInlineTemplate must start with \"PromQL:\"")
            }
            return try substitute(String(inline.dropFirst("PromQL:".count)), variables, metric: metric.name)
        }
        guard let name = q["metricName"]?.stringValue, !name.isEmpty else {
            throw CanaryError(
                .invalidConfiguration, "metric \(metric.name): query needs metricName or customInlineTemplate")
        }
        var filter = q["customFilter"]?.stringValue
        if filter == nil, let templateName = q["customFilterTemplate"]?.stringValue {
            guard let template = templates[templateName] else {
                throw CanaryError(
                    .invalidConfiguration,
                    "metric \(metric.name): customFilterTemplate \"\(templateName)\" is not in the config's templates")
            }
            filter = template
        }
        guard let filter, !filter.isEmpty else {
            throw CanaryError(
                .invalidConfiguration,
                "metric \(metric.name): give customInlineTemplate (PromQL:…), customFilter or customFilterTemplate "
                    + "so the query names its series; Kayenta's resourceType label mapping is not guessed")
        }
        return "\(name){\(try substitute(filter, variables, metric: metric.name))}"
    }

    /// Replaces each `${name}`; an unknown name is an error rather than a query for the literal text.
    static func substitute(
        _ template: String, _ variables: [String: String], metric: String
    ) throws(CanaryError) -> String {
        try Placeholders.fill(template, open: "${", close: "}", field: "metric \(metric)") { name throws(CanaryError) in
            guard let value = variables[name] else {
                throw CanaryError(
                    .invalidConfiguration, "metric \(metric): the query template uses ${\(name)}, which no scope sets")
            }
            return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
    }
}
