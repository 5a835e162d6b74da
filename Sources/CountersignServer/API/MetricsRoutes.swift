public import CountersignControl
internal import CountersignMetrics
public import Hummingbird

/// `/api/v1/metrics/dora` and `/api/v1/metrics/gates`: delivery and gate metrics for a period, for any
/// authenticated caller (they are aggregates of what every role may already read).
public struct MetricsRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        let control = control
        group.get("metrics/dora") { request, context in
            _ = try context.caller()
            return try JSONBody.response(try await control.deliveryMetrics(try Self.period(request, control)))
        }
        group.get("metrics/gates") { request, context in
            let caller = try context.caller()
            let window = try LedgerRoutes.integer(request, "idleWindow", in: 1...10_000) ?? 100
            let tier = request.uri.queryParameters["tier"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            return try JSONBody.response(
                try await control.gateMetrics(
                    try Self.period(request, control), tier: tier, idleWindow: window, viewer: caller.role))
        }
    }

    static func period(_ request: Request, _ control: ControlPlane) throws(ControlError)
        -> CountersignMetrics.MetricsPeriod
    {
        let q = request.uri.queryParameters
        return try control.metricsPeriod(
            from: q["from"].map(String.init), to: q["to"].map(String.init), service: q["service"].map(String.init),
            environment: q["environment"].map(String.init))
    }
}
