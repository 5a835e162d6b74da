public import CountersignEncoding

/// A metric's provider block. Prometheus, web and file are typed and run by the providers in this module; any
/// other provider (Datadog, Kayenta, Job, …) is kept raw under its key, and a run that reaches it fails with a
/// clear "no provider" error rather than a silent pass.
public enum MetricProviderSpec: Sendable, Hashable {
    case prometheus(PrometheusQuery)
    case web(WebRequest)
    case file(SamplesFile)
    case other(type: String, raw: JSONValue)

    /// The provider's key in the template: `prometheus`, `web`, `file`, `datadog`, ….
    public var type: String {
        switch self {
        case .prometheus: "prometheus"
        case .web: "web"
        case .file: "file"
        case .other(let type, _): type
        }
    }

    /// The block with every `{{args.name}}` replaced.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` naming the field when a placeholder has no value.
    public func substituting(_ args: [String: String]) throws(CanaryError) -> MetricProviderSpec {
        let sub = ArgumentSubstitution(args)
        switch self {
        case .prometheus(var q):
            q.address = try sub.apply(q.address, field: "prometheus.address")
            q.query = try sub.apply(q.query, field: "prometheus.query")
            q.headers = try sub.apply(q.headers, field: "prometheus.headers")
            if var range = q.range {
                range.start = try sub.apply(range.start, field: "prometheus.rangeQuery.start")
                range.end = try sub.apply(range.end, field: "prometheus.rangeQuery.end")
                q.range = range
            }
            return .prometheus(q)
        case .web(var w):
            w.url = try sub.apply(w.url, field: "web.url")
            w.headers = try sub.apply(w.headers, field: "web.headers")
            w.body = try w.body.map { (b) throws(CanaryError) in try sub.apply(b, field: "web.body") }
            w.jsonBody = try w.jsonBody.map { (b) throws(CanaryError) in try sub.apply(b, field: "web.jsonBody") }
            w.jsonPath = try w.jsonPath.map { (p) throws(CanaryError) in try sub.apply(p, field: "web.jsonPath") }
            return .web(w)
        case .file(var f):
            f.path = try sub.apply(f.path, field: "file.path")
            f.key = try f.key.map { (k) throws(CanaryError) in try sub.apply(k, field: "file.key") }
            return .file(f)
        case .other(let type, let raw):
            return .other(type: type, raw: try sub.apply(raw, field: type))
        }
    }
}

/// One HTTP header of a provider request.
public struct HTTPHeader: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Argo's `prometheus` provider block.
public struct PrometheusQuery: Sendable, Hashable {
    /// The server's base URL, e.g. `http://prometheus.monitoring:9090`; empty means the runner's default.
    public var address: String
    /// PromQL.
    public var query: String
    /// Per-request timeout; Argo's default is 30 s.
    public var timeout: Duration
    /// Set for a range query; `nil` for an instant query at the runner's clock time.
    public var range: RangeQuery?
    public var headers: [HTTPHeader]

    public static let defaultTimeout: Duration = .seconds(30)

    public init(
        address: String = "", query: String, timeout: Duration = PrometheusQuery.defaultTimeout,
        range: RangeQuery? = nil, headers: [HTTPHeader] = []
    ) {
        self.address = address
        self.query = query
        self.timeout = timeout
        self.range = range
        self.headers = headers
    }

    /// `rangeQuery`: `start` and `end` are expressions over `now()` (CEL here, e.g. `now() - duration("5m")`).
    public struct RangeQuery: Sendable, Hashable {
        public var start: String
        public var end: String
        public var step: Duration
        public init(start: String, end: String = "now()", step: Duration) {
            self.start = start
            self.end = end
            self.step = step
        }
    }
}

/// Argo's `web` provider block.
public struct WebRequest: Sendable, Hashable {
    public var url: String
    /// GET (the default), POST or PUT.
    public var method: String
    public var headers: [HTTPHeader]
    /// A raw body (POST and PUT only).
    public var body: String?
    /// A JSON body (POST and PUT only); sets `Content-Type: application/json`.
    public var jsonBody: JSONValue?
    /// Kubernetes JSONPath applied to a JSON response; `nil` means the whole document (`{$}`).
    public var jsonPath: String?
    /// Argo's default is 10 s.
    public var timeout: Duration

    public static let defaultTimeout: Duration = .seconds(10)

    public init(
        url: String, method: String = "GET", headers: [HTTPHeader] = [], body: String? = nil,
        jsonBody: JSONValue? = nil, jsonPath: String? = nil, timeout: Duration = WebRequest.defaultTimeout
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.jsonBody = jsonBody
        self.jsonPath = jsonPath
        self.timeout = timeout
    }
}

/// Countersign's `file` provider block: static samples for tests and offline judging. The file is JSON; `key`
/// selects one member of a top-level object (a samples file maps metric names to arrays), otherwise the whole
/// document is the result.
public struct SamplesFile: Sendable, Hashable {
    public var path: String
    public var key: String?
    public init(path: String, key: String? = nil) {
        self.path = path
        self.key = key
    }
}
