internal import Foundation

/// A distribution of durations in seconds: the order statistics people quote (median, p90) and a histogram over
/// fixed, human bands, so two periods compare bar by bar.
public struct DurationSummary: Sendable, Hashable, Encodable {
    public struct Band: Sendable, Hashable, Encodable {
        /// "< 15 min", "15 min – 1 h", …
        public var label: String
        /// The band's upper bound in seconds; `nil` for the last, open band.
        public var below: Double?
        public var count: Int
    }

    public var count: Int
    public var median: Double?
    public var p90: Double?
    public var max: Double?
    public var mean: Double?
    public var bands: [Band]

    /// The bands approval waits and recovery times fall into.
    static let bounds: [(String, Double?)] = [
        ("< 15 min", 900), ("15 min – 1 h", 3_600), ("1 – 4 h", 14_400), ("4 – 24 h", 86_400),
        ("1 – 7 days", 604_800), ("≥ 7 days", nil),
    ]

    public init(_ seconds: [Double]) {
        let sorted = seconds.sorted()
        count = sorted.count
        median = Self.quantile(sorted, 0.5)
        p90 = Self.quantile(sorted, 0.9)
        max = sorted.last
        mean = sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)
        var counts = Array(repeating: 0, count: Self.bounds.count)
        for s in sorted {
            counts[Self.bounds.firstIndex { $0.1.map { s < $0 } ?? true }!] += 1
        }
        bands = zip(Self.bounds, counts).map { Band(label: $0.0.0, below: $0.0.1, count: $0.1) }
    }

    /// Linear interpolation between order statistics (PERCENTILE_CONT, as fourkeys computes its medians).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * p
        let lower = Int(h)
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}

extension DurationSummary {
    /// A duration for people: "45 s", "12 min", "3.5 h", "2.1 days"; "—" for none.
    public static func describe(_ seconds: Double?) -> String {
        guard let s = seconds, s.isFinite else { return "—" }
        func one(_ v: Double) -> String {
            let tenths = (v * 10).rounded() / 10
            return tenths >= 10 || tenths.rounded() == tenths
                ? String(Int(v.rounded())) : String(format: "%.1f", tenths)
        }
        switch s {
        case ..<60: return "\(one(s)) s"
        case ..<3_600: return "\(one(s / 60)) min"
        case ..<172_800: return "\(one(s / 3_600)) h"
        default: return "\(one(s / 86_400)) days"
        }
    }
}
