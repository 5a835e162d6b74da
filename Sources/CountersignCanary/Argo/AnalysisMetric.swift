public import CountersignEncoding

/// One metric of an analysis template, with Argo's defaults applied.
public struct AnalysisMetric: Sendable, Hashable {
    public var name: String
    /// Time between the end of one measurement and the start of the next; `nil` means none was given.
    public var interval: Duration?
    /// Wait after the run starts before the first measurement.
    public var initialDelay: Duration?
    /// The `count` as written; `0` is normalised to `nil` (Argo treats `count: 0` as unset).
    public var count: Int?
    /// The metric fails when failed measurements exceed this; −1 disables it. Default 0.
    public var failureLimit: Int
    /// The metric is inconclusive when inconclusive measurements exceed this. Default 0.
    public var inconclusiveLimit: Int
    /// The metric errs when consecutive errors exceed this. Default 4, so the fifth consecutive error trips it.
    public var consecutiveErrorLimit: Int
    /// The metric succeeds after this many consecutive successes; 0 (the default) disables it.
    public var consecutiveSuccessLimit: Int
    /// CEL boolean over `result`; empty means not set.
    public var successCondition: String?
    /// CEL boolean over `result`; empty means not set.
    public var failureCondition: String?
    /// The provider block, kept as data for whichever ``MetricProvider`` runs it.
    public var provider: MetricProviderSpec

    /// Argo's `DefaultConsecutiveErrorLimit`.
    public static let defaultConsecutiveErrorLimit = 4
    /// Argo's `DefaultErrorRetryInterval`: after an Error the next try comes this soon, whatever the interval.
    public static let errorRetryInterval: Duration = .seconds(10)

    public init(
        name: String, interval: Duration? = nil, initialDelay: Duration? = nil, count: Int? = nil,
        failureLimit: Int = 0, inconclusiveLimit: Int = 0,
        consecutiveErrorLimit: Int = AnalysisMetric.defaultConsecutiveErrorLimit, consecutiveSuccessLimit: Int = 0,
        successCondition: String? = nil, failureCondition: String? = nil,
        provider: MetricProviderSpec = .other(type: "none", raw: .object([:]))
    ) {
        self.name = name
        self.interval = interval
        self.initialDelay = initialDelay
        self.count = count == 0 ? nil : count
        self.failureLimit = failureLimit
        self.inconclusiveLimit = inconclusiveLimit
        self.consecutiveErrorLimit = consecutiveErrorLimit
        self.consecutiveSuccessLimit = consecutiveSuccessLimit
        self.successCondition = successCondition?.isEmpty == true ? nil : successCondition
        self.failureCondition = failureCondition?.isEmpty == true ? nil : failureCondition
        self.provider = provider
    }

    /// Argo's `EffectiveCount`: 1 with neither count nor interval, unlimited (`nil`) with only an interval, the
    /// given count otherwise.
    public var effectiveCount: Int? {
        if let count { return count }
        return interval == nil ? 1 : nil
    }

    func validate(context: String) throws(CanaryError) {
        func fail(_ field: String, _ message: String) -> CanaryError {
            CanaryError(.invalidConfiguration, "\(context).\(field): \(message)")
        }
        if name.isEmpty { throw fail("name", "is required") }
        if consecutiveSuccessLimit < 0 { throw fail("consecutiveSuccessLimit", "must be ≥ 0") }
        if failureLimit < -1 { throw fail("failureLimit", "must be ≥ -1") }
        if failureLimit < 0 && consecutiveSuccessLimit <= 0 {
            throw fail("failureLimit", "-1 (disabled) requires consecutiveSuccessLimit > 0")
        }
        if inconclusiveLimit < 0 { throw fail("inconclusiveLimit", "must be ≥ 0") }
        if consecutiveErrorLimit < 0 { throw fail("consecutiveErrorLimit", "must be ≥ 0") }
        if let interval, interval <= .zero { throw fail("interval", "must be positive") }
        if let count {
            if count < 0 { throw fail("count", "must be ≥ 0") }
            if failureLimit >= 0 && count < failureLimit + consecutiveSuccessLimit {
                throw fail("count", "must be ≥ failureLimit + consecutiveSuccessLimit")
            }
            if failureLimit < 0 && count < consecutiveSuccessLimit {
                throw fail("count", "must be ≥ consecutiveSuccessLimit")
            }
            if count < inconclusiveLimit { throw fail("count", "must be ≥ inconclusiveLimit") }
            if count > 1 && interval == nil { throw fail("interval", "is required when count > 1") }
        }
        if case .web(let w) = provider, let path = w.jsonPath, !path.contains("{{args.") {
            do {
                _ = try JSONPath(path)
            } catch {
                throw fail("provider.web.jsonPath", error.message)
            }
        }
        do {
            _ = try MeasurementEvaluator(successCondition: successCondition, failureCondition: failureCondition)
        } catch {
            throw CanaryError(.invalidConfiguration, "\(context).\(error.message)")
        }
    }
}
