public import Foundation

/// The providers Countersign runs, chosen by the template's provider block.
public struct StandardMetricProvider: MetricProvider {
    public var prometheus: PrometheusProvider
    public var web: WebProvider
    public var file: SamplesFileProvider

    public init(
        prometheus: PrometheusProvider = PrometheusProvider(), web: WebProvider = WebProvider(),
        file: SamplesFileProvider = SamplesFileProvider()
    ) {
        self.prometheus = prometheus
        self.web = web
        self.file = file
    }

    public func measure(_ spec: MetricProviderSpec, at time: Date) async throws(CanaryError) -> MeasurementValue {
        switch spec {
        case .prometheus(let q): try await prometheus.measure(q, at: time)
        case .web(let w): try await web.measure(w)
        case .file(let f): try file.measure(f)
        case .other(let type, _): throw CanaryError(.invalidConfiguration, "provider '\(type)' is not supported")
        }
    }
}
