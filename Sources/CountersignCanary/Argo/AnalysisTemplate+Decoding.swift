internal import Yams

extension AnalysisTemplate {
    /// Decodes one `AnalysisTemplate` or `ClusterAnalysisTemplate` document, exactly as Argo users write it.
    ///
    /// Fields Countersign does not act on (`measurementRetention`, `ttlStrategy`, metadata beyond the name) are
    /// accepted and ignored. Anything that would change the outcome but cannot be honoured — an arg's
    /// `valueFrom`, a provider block with no provider or several — is an error.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` with a message naming the field (and its line).
    public init(yaml text: String) throws(CanaryError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw CanaryError(.invalidConfiguration, "invalid YAML: \(error)")
        }
        guard let root, let top = root.mapping else {
            throw CanaryError(.invalidConfiguration, "the document must be a mapping")
        }
        var r = YAMLReader()
        let apiVersion = try r.string(top["apiVersion"], "apiVersion")
        guard apiVersion == AnalysisTemplate.apiVersion else {
            throw r.error(top["apiVersion"], "apiVersion: expected \(AnalysisTemplate.apiVersion), got '\(apiVersion)'")
        }
        let kind = try r.string(top["kind"], "kind")
        guard AnalysisTemplate.kinds.contains(kind) else {
            throw r.error(top["kind"], "kind: expected AnalysisTemplate or ClusterAnalysisTemplate, got '\(kind)'")
        }
        let metadata = try r.mapping(top["metadata"], "metadata")
        let name = try r.string(metadata["name"], "metadata.name")
        let spec = try r.mapping(top["spec"], "spec")

        var args: [AnalysisArgument] = []
        for (i, node) in try r.sequence(spec["args"], "spec.args", optional: true).enumerated() {
            let ctx = "spec.args[\(i)]"
            let m = try r.mapping(node, ctx)
            if m["valueFrom"] != nil {
                throw r.error(
                    m["valueFrom"],
                    "\(ctx).valueFrom: not supported (secretKeyRef, podTemplateHashValue and fieldRef need a cluster); pass the value as an argument"
                )
            }
            args.append(
                AnalysisArgument(
                    name: try r.string(m["name"], "\(ctx).name"),
                    value: try r.optionalScalar(m["value"], "\(ctx).value")))
        }

        var metrics: [AnalysisMetric] = []
        for (i, node) in try r.sequence(spec["metrics"], "spec.metrics").enumerated() {
            metrics.append(try r.metric(node, "spec.metrics[\(i)]"))
        }

        var dryRun: [String] = []
        for (i, node) in try r.sequence(spec["dryRun"], "spec.dryRun", optional: true).enumerated() {
            let m = try r.mapping(node, "spec.dryRun[\(i)]")
            dryRun.append(try r.string(m["metricName"], "spec.dryRun[\(i)].metricName"))
        }
        try self.init(kind: kind, name: name, args: args, metrics: metrics, dryRunPatterns: dryRun)
    }
}

extension YAMLReader {
    func metric(_ node: Node, _ ctx: String) throws(CanaryError) -> AnalysisMetric {
        let m = try mapping(node, ctx)
        let name = try string(m["name"], "\(ctx).name")
        let ctx = "\(ctx) (\(name))"
        let metric = AnalysisMetric(
            name: name,
            interval: try duration(m["interval"], "\(ctx).interval"),
            initialDelay: try duration(m["initialDelay"], "\(ctx).initialDelay"),
            count: try int(m["count"], "\(ctx).count"),
            failureLimit: try int(m["failureLimit"], "\(ctx).failureLimit") ?? 0,
            inconclusiveLimit: try int(m["inconclusiveLimit"], "\(ctx).inconclusiveLimit") ?? 0,
            consecutiveErrorLimit: try int(m["consecutiveErrorLimit"], "\(ctx).consecutiveErrorLimit")
                ?? AnalysisMetric.defaultConsecutiveErrorLimit,
            consecutiveSuccessLimit: try int(m["consecutiveSuccessLimit"], "\(ctx).consecutiveSuccessLimit") ?? 0,
            successCondition: try optionalScalar(m["successCondition"], "\(ctx).successCondition"),
            failureCondition: try optionalScalar(m["failureCondition"], "\(ctx).failureCondition"),
            provider: try provider(m["provider"], "\(ctx).provider"))
        return metric
    }

    func provider(_ node: Node?, _ ctx: String) throws(CanaryError) -> MetricProviderSpec {
        let m = try mapping(node, ctx)
        guard m.count == 1, let (key, value) = m.first else {
            throw error(
                node,
                "\(ctx): exactly one provider is required, found \(m.count) (\(m.keys.sorted().joined(separator: ", ")))"
            )
        }
        let field = "\(ctx).\(key)"
        switch key {
        case "prometheus":
            let p = try mapping(value, field)
            var range: PrometheusQuery.RangeQuery?
            if let r = p["rangeQuery"] {
                let rm = try mapping(r, "\(field).rangeQuery")
                guard let step = try duration(rm["step"], "\(field).rangeQuery.step"), step > .zero else {
                    throw error(r, "\(field).rangeQuery.step: a positive duration is required")
                }
                range = .init(
                    start: try string(rm["start"], "\(field).rangeQuery.start"),
                    end: try optionalScalar(rm["end"], "\(field).rangeQuery.end") ?? "now()", step: step)
            }
            return .prometheus(
                PrometheusQuery(
                    address: try optionalScalar(p["address"], "\(field).address") ?? "",
                    query: try string(p["query"], "\(field).query"),
                    timeout: try seconds(p["timeout"], "\(field).timeout") ?? PrometheusQuery.defaultTimeout,
                    range: range, headers: try headers(p["headers"], "\(field).headers")))
        case "web":
            let w = try mapping(value, field)
            let method = (try optionalScalar(w["method"], "\(field).method") ?? "GET").uppercased()
            guard ["GET", "POST", "PUT"].contains(method) else {
                throw error(w["method"], "\(field).method: must be GET, POST or PUT, got '\(method)'")
            }
            let body = try optionalScalar(w["body"], "\(field).body")
            let jsonBody = w["jsonBody"].map(json)
            if body != nil && jsonBody != nil {
                throw error(w["jsonBody"], "\(field): body and jsonBody are mutually exclusive")
            }
            if method == "GET" && (body != nil || jsonBody != nil) {
                throw error(w["body"] ?? w["jsonBody"], "\(field): a body is not allowed with GET")
            }
            return .web(
                WebRequest(
                    url: try string(w["url"], "\(field).url"), method: method,
                    headers: try headers(w["headers"], "\(field).headers"), body: body, jsonBody: jsonBody,
                    jsonPath: try optionalScalar(w["jsonPath"], "\(field).jsonPath"),
                    timeout: try seconds(w["timeoutSeconds"], "\(field).timeoutSeconds") ?? WebRequest.defaultTimeout))
        case "file":
            let f = try mapping(value, field)
            return .file(
                SamplesFile(
                    path: try string(f["path"], "\(field).path"), key: try optionalScalar(f["key"], "\(field).key")))
        default:
            return .other(type: key, raw: json(value))
        }
    }

    func headers(_ node: Node?, _ field: String) throws(CanaryError) -> [HTTPHeader] {
        var out: [HTTPHeader] = []
        for (i, h) in try sequence(node, field, optional: true).enumerated() {
            let hm = try mapping(h, "\(field)[\(i)]")
            out.append(
                HTTPHeader(
                    key: try string(hm["key"], "\(field)[\(i)].key"),
                    value: try optionalScalar(hm["value"], "\(field)[\(i)].value") ?? ""))
        }
        return out
    }

    /// A whole number of seconds (Argo's `timeout` and `timeoutSeconds`), positive.
    func seconds(_ node: Node?, _ field: String) throws(CanaryError) -> Duration? {
        guard let n = try int(node, field) else { return nil }
        guard n > 0 else { throw error(node, "\(field): must be a positive number of seconds") }
        return .seconds(n)
    }
}
