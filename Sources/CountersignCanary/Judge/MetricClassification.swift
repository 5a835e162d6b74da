/// The classification of one metric. The raw values are Kayenta's labels, so results read the same as Kayenta's.
public enum MetricClassification: String, Sendable, Hashable, Codable, CaseIterable {
    /// No significant change in a direction that matters.
    case pass = "Pass"
    /// The canary is significantly higher.
    case high = "High"
    /// The canary is significantly lower.
    case low = "Low"
    /// A side had no data; left out of group scores.
    case nodata = "Nodata"
    /// A side had no data and the metric must have data: counted as a failure.
    case nodataFailMetric = "NodataFailMetric"
    /// The metric could not be classified (bad samples, an undefined statistic).
    case error = "Error"
    /// countersign-v1 only: too little data (samples or traffic) for a confident verdict; never Kayenta's.
    case inconclusive = "Inconclusive"

    /// Whether the metric counts toward its groups' scores (Kayenta counts Pass, High, Low and NodataFailMetric).
    public var isScored: Bool {
        switch self {
        case .pass, .high, .low, .nodataFailMetric: true
        case .nodata, .error, .inconclusive: false
        }
    }
}

/// The classification of a summary score against the execution's thresholds.
public enum ScoreClassification: String, Sendable, Hashable, Codable, CaseIterable {
    case pass = "Pass"
    case marginal = "Marginal"
    case fail = "Fail"
}
