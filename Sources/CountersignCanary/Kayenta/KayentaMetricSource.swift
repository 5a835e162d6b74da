/// Where a Kayenta execution reads a metric's series for one scope: the metric store behind Kayenta's
/// `metricsAccountName`.
public protocol KayentaMetricSource: Sendable {
    /// The series of `metric` over `scope`: one value per step from `scope.start` to `scope.end` inclusive, NaN
    /// for a missing point.
    func series(
        of metric: CanaryMetricConfiguration, in config: CanaryConfiguration, scope: KayentaScope
    ) async throws(CanaryError) -> [Double]
}
