public import CountersignCore
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

    /// Whether `role` may see approvers by name in the gate metrics.
    public static func seesPeople(_ role: Identity.Role) -> Bool { role == .admin || role == .auditor }

    public func deliveryMetrics(_ period: MetricsPeriod) async throws(ControlError) -> DeliveryMetrics {
        do { return try await DeliveryMetrics.compute(store, period) } catch { throw ControlError(ledger: error) }
    }

    /// The gate metrics for `period`, reviews attributed to the approval rules of the policy in force. Approvers are
    /// named only for a viewer whose role audits people (admin, auditor): anyone else sees the rules, and how many
    /// approvers show a sign, never a list of people.
    public func gateMetrics(
        _ period: MetricsPeriod, tier: String? = nil, idleWindow: Int = 100, viewer: Identity.Role
    ) async throws(ControlError) -> GateMetrics {
        do {
            return try await GateMetrics.compute(
                store, period, tier: tier, idleWindow: idleWindow,
                approvalRules: ApprovalSignals.RuleTeam.all(in: policy.bundle), names: Self.seesPeople(viewer))
        } catch {
            throw ControlError(ledger: error)
        }
    }
}
