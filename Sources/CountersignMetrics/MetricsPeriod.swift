public import CountersignLedger
public import Foundation

/// The slice of history a metric covers: `[from, to)`, optionally one service's or one environment's.
public struct MetricsPeriod: Sendable, Hashable {
    public var from: Date
    public var to: Date
    public var service: String?
    public var environment: String?

    /// Refuses an empty or inverted period, and one over ten years (a typo, not a question).
    public init(from: Date, to: Date, service: String? = nil, environment: String? = nil) throws(MetricsError) {
        guard from < to else { throw MetricsError("the period must end after it starts (from < to)") }
        guard to.timeIntervalSince(from) <= 10 * 366 * 86_400 else {
            throw MetricsError("the period may span at most ten years")
        }
        self.from = from
        self.to = to
        self.service = service
        self.environment = environment
    }

    /// The last `days` days up to `now`.
    public static func last(_ days: Int, now: Date, service: String? = nil, environment: String? = nil)
        throws(MetricsError) -> MetricsPeriod
    {
        try MetricsPeriod(
            from: now.addingTimeInterval(-Double(days) * 86_400), to: now, service: service, environment: environment)
    }

    var days: Double { to.timeIntervalSince(from) / 86_400 }

    /// The service and environment filters as SQL conditions on `alias`'s columns, with their arguments: the one
    /// place every metric scopes its rows.
    func scope(_ alias: String) -> (conditions: [String], arguments: [SQLValue]) {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let service {
            conditions.append("\(alias).service = ?")
            arguments.append(.text(service))
        }
        if let environment {
            conditions.append("\(alias).environment = ?")
            arguments.append(.text(environment))
        }
        return (conditions, arguments)
    }
}

/// A metrics question that cannot be answered as asked (the period, a filter), or a ledger that cannot be read.
public struct MetricsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
