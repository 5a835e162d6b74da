internal import CountersignCore
internal import CountersignEncoding
public import CountersignMetrics
internal import Foundation

extension ControlPlane {
    /// The period a metrics question names: RFC 3339 `from` and `to`, by default the 90 days up to now (the
    /// window fourkeys computes its buckets over).
    public func metricsPeriod(from: String?, to: String?, service: String?, environment: String?)
        throws(ControlError) -> MetricsPeriod
    {
        func time(_ text: String?, _ field: String) throws(ControlError) -> Date? {
            guard let text else { return nil }
            guard let date = RFC3339.date(text) else {
                throw ControlError(.badRequest, "\(field) must be an RFC 3339 time", details: ["field": field])
            }
            return date
        }
        let end = try time(to, "to") ?? now()
        let start = try time(from, "from") ?? end.addingTimeInterval(-90 * 86_400)
        do {
            return try MetricsPeriod(
                from: start, to: end, service: service.flatMap { $0.isEmpty ? nil : $0 },
                environment: environment.flatMap { $0.isEmpty ? nil : $0 })
        } catch {
            throw ControlError(.badRequest, error.message, details: ["field": "from"])
        }
    }

    public func deliveryMetrics(_ period: MetricsPeriod) async throws(ControlError) -> DeliveryMetrics {
        do { return try await DeliveryMetrics.compute(store, period) } catch { throw ControlError(ledger: error) }
    }

    public func gateMetrics(_ period: MetricsPeriod, tier: String? = nil, idleWindow: Int = 100)
        async throws(ControlError) -> GateMetrics
    {
        do { return try await GateMetrics.compute(store, period, tier: tier, idleWindow: idleWindow) } catch {
            throw ControlError(ledger: error)
        }
    }
}
