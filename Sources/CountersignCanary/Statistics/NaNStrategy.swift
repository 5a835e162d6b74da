/// What to do with NaN points (a missing sample in a time series) before judging.
public enum NaNStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Drop them: the default, for metrics that should always report (usage, latency).
    case remove
    /// Replace them by 0: for counts, where "no data" means "nothing happened" (no errors in that minute).
    case replace

    /// Applies the strategy; infinities are left alone (they are data, not missing points).
    public func apply(_ values: [Double]) -> [Double] {
        switch self {
        case .remove: values.filter { !$0.isNaN }
        case .replace: values.map { $0.isNaN ? 0 : $0 }
        }
    }
}
