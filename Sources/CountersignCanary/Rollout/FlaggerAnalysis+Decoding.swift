internal import Foundation
internal import Yams

extension FlaggerAnalysis {
    /// Decodes a Flagger `Canary` (`flagger.app/v1beta1`) and the `MetricTemplate`s its metrics reference, given
    /// as documents of one YAML stream. Template variables (`{{ name }}`, `{{ namespace }}`, `{{ target }}`,
    /// `{{ service }}`, `{{ interval }}`, `{{ variables.x }}`) are filled in as Flagger fills them.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` naming the field; a builtin metric
    ///   (`request-success-rate`, `request-duration`) has a mesh-specific query, so it must be given as a template.
    public init(yaml text: String) throws(CanaryError) {
        let r = YAMLReader()
        var canary: [String: Node]?
        var templates: [String: (address: String, query: String)] = [:]
        for (i, doc) in try YAMLReader.documents(text).enumerated() {
            let kind = try r.string(doc["kind"], "document \(i + 1).kind")
            let apiVersion = try r.string(doc["apiVersion"], "document \(i + 1).apiVersion")
            guard apiVersion.hasPrefix("flagger.app/") else {
                throw r.error(doc["apiVersion"], "document \(i + 1): expected flagger.app/v1beta1, got \(apiVersion)")
            }
            switch kind {
            case "Canary":
                guard canary == nil else { throw r.error(doc["kind"], "more than one Canary document") }
                canary = doc
            case "MetricTemplate":
                let name = try r.string(
                    try r.mapping(doc["metadata"], "MetricTemplate.metadata")["name"], "metadata.name")
                let spec = try r.mapping(doc["spec"], "MetricTemplate \(name).spec")
                let provider = try r.mapping(spec["provider"], "MetricTemplate \(name).spec.provider")
                let type =
                    try r.optionalScalar(provider["type"], "MetricTemplate \(name).spec.provider.type") ?? "prometheus"
                guard type == "prometheus" else {
                    throw r.error(provider["type"], "MetricTemplate \(name): provider type '\(type)' is not supported")
                }
                templates[name] = (
                    try r.optionalScalar(provider["address"], "MetricTemplate \(name).spec.provider.address") ?? "",
                    try r.string(spec["query"], "MetricTemplate \(name).spec.query")
                )
            default:
                throw r.error(doc["kind"], "document \(i + 1): expected Canary or MetricTemplate, got \(kind)")
            }
        }
        guard let canary else { throw CanaryError(.invalidConfiguration, "no Canary document") }
        let metadata = try r.mapping(canary["metadata"], "metadata")
        let name = try r.string(metadata["name"], "metadata.name")
        let namespace = try r.optionalScalar(metadata["namespace"], "metadata.namespace") ?? "default"
        let spec = try r.mapping(canary["spec"], "spec")
        let target = try r.string(try r.mapping(spec["targetRef"], "spec.targetRef")["name"], "spec.targetRef.name")
        let service = try spec["service"].map { (n) throws(CanaryError) in try r.mapping(n, "spec.service") }
        let serviceName =
            try service.flatMap { (s) throws(CanaryError) in try r.optionalScalar(s["name"], "spec.service.name") }
            ?? target
        let a = try r.mapping(spec["analysis"], "spec.analysis")
        let interval = try r.duration(a["interval"], "spec.analysis.interval") ?? .seconds(60)
        var stepWeights: [Int] = []
        for (i, w) in try r.sequence(a["stepWeights"], "spec.analysis.stepWeights", optional: true).enumerated() {
            guard let v = try r.int(w, "spec.analysis.stepWeights[\(i)]") else { continue }
            stepWeights.append(v)
        }
        var metrics: [FlaggerMetric] = []
        for (i, node) in try r.sequence(a["metrics"], "spec.analysis.metrics").enumerated() {
            let ctx = "spec.analysis.metrics[\(i)]"
            let m = try r.mapping(node, ctx)
            let metricName = try r.string(m["name"], "\(ctx).name")
            var variables = ["name": name, "namespace": namespace, "target": target, "service": serviceName]
            variables["interval"] = try r.optionalScalar(m["interval"], "\(ctx).interval") ?? "1m"
            if let tv = m["templateVariables"] {
                for (k, v) in try r.mapping(tv, "\(ctx).templateVariables") {
                    variables["variables.\(k)"] = try r.optionalScalar(v, "\(ctx).templateVariables.\(k)") ?? ""
                }
            }
            var address = ""
            let rawQuery: String
            if let ref = m["templateRef"] {
                let refName = try r.string(try r.mapping(ref, "\(ctx).templateRef")["name"], "\(ctx).templateRef.name")
                guard let t = templates[refName] else {
                    throw r.error(ref, "\(ctx).templateRef: MetricTemplate '\(refName)' is not in the documents given")
                }
                (address, rawQuery) = t
            } else if let q = try r.optionalScalar(m["query"], "\(ctx).query") {
                rawQuery = q
            } else {
                throw r.error(
                    node,
                    "\(ctx) (\(metricName)): give a templateRef or a query (builtin metrics have mesh-specific queries)"
                )
            }
            var min: Double?
            var max: Double?
            if let range = m["thresholdRange"] {
                let tr = try r.mapping(range, "\(ctx).thresholdRange")
                min = try r.double(tr["min"], "\(ctx).thresholdRange.min")
                max = try r.double(tr["max"], "\(ctx).thresholdRange.max")
            } else if m["threshold"] != nil {
                throw r.error(m["threshold"], "\(ctx).threshold: deprecated; use thresholdRange {min, max}")
            }
            guard min != nil || max != nil else {
                throw r.error(node, "\(ctx) (\(metricName)): thresholdRange needs min or max")
            }
            metrics.append(
                FlaggerMetric(
                    name: metricName,
                    query: PrometheusQuery(address: address, query: try Self.fill(rawQuery, variables, "\(ctx)")),
                    min: min, max: max))
        }
        try self.init(
            name: name, interval: interval, threshold: try r.int(a["threshold"], "spec.analysis.threshold") ?? 1,
            maxWeight: try r.int(a["maxWeight"], "spec.analysis.maxWeight") ?? 100,
            stepWeight: try r.int(a["stepWeight"], "spec.analysis.stepWeight") ?? 0, stepWeights: stepWeights,
            metrics: metrics)
    }

    /// Fills `{{ var }}` placeholders (Go-template spacing allowed); an unknown variable is an error.
    static func fill(_ text: String, _ variables: [String: String], _ field: String) throws(CanaryError) -> String {
        try Placeholders.fill(text, open: "{{", close: "}}", field: field) { key throws(CanaryError) in
            guard let value = variables[key] else {
                throw CanaryError(.invalidConfiguration, "\(field): unknown template variable '\(key)'")
            }
            return value
        }
    }
}
