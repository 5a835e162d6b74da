internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// How the UI shows times, digests and statuses.
enum WebFormat {
    /// "3 h ago" beside the exact UTC time.
    static func ago(_ date: Date?, now: Date) -> String {
        guard let date else { return "—" }
        let s = now.timeIntervalSince(date)
        switch s {
        case ..<0: return "in the future"
        case ..<90: return "just now"
        case ..<5_400: return "\(Int(s / 60)) min ago"
        case ..<172_800: return "\(Int(s / 3_600)) h ago"
        default: return "\(Int(s / 86_400)) days ago"
        }
    }

    /// `2026-11-03 10:00 UTC` from a ledger time or a date.
    static func time(_ date: Date?) -> String { time(date.map { RFC3339.string($0, fraction: .milliseconds) }) }

    static func time(_ text: String?) -> String {
        guard let text, text.count >= 16 else { return text ?? "—" }
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5) + " UTC"
    }

    /// `sha256:4d4d4d4d4d4d` — enough to tell digests apart; the full one is in the title attribute.
    static func short(_ digest: String?) -> String {
        guard let digest else { return "—" }
        return digest.hasPrefix("sha256:") ? String(digest.prefix(19)) : String(digest.prefix(12))
    }

    /// A template context without its absent values: Mustache renders an empty string as present, so a missing
    /// comment or reason must not be there at all.
    static func present(_ values: [String: Any?]) -> [String: Any] {
        values.compactMapValues { value in
            guard let value else { return nil }
            if let text = value as? String, text.isEmpty { return nil }
            return value
        }
    }

    static func percent(_ v: Double?) -> String {
        guard let v else { return "—" }
        return String(format: "%.1f %%", v * 100)
    }
}
