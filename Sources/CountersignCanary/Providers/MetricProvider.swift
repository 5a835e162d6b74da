public import Foundation

/// Where an analysis run gets each measurement's value. A provider throws ``CanaryError`` for a value it could
/// not obtain (the server is down, the response is malformed, the query matched nothing it can express); the
/// run turns that into an Error measurement, which Argo retries after 10 s and counts against
/// `consecutiveErrorLimit`.
public protocol MetricProvider: Sendable {
    /// Takes one measurement of `spec` (arguments already substituted) as of `time`, the run's clock.
    func measure(_ spec: MetricProviderSpec, at time: Date) async throws(CanaryError) -> MeasurementValue
}
