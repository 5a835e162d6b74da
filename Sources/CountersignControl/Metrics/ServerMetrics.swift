internal import Foundation
internal import Prometheus

/// The server's Prometheus metrics, exposed at `/metrics`: HTTP requests and latencies by route, decisions by
/// verdict and tier, approval wait time (request → allowed after a human approval), and the ledger's size.
/// Routes are labelled by their pattern (`/api/v1/deploy-requests/{id}`), never the raw path, so a scan of
/// random URLs cannot blow up the series count.
public final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()

    public init() {
        // `countersign_build_info{version,commit} 1`: which build each node runs, joinable to every other series.
        registry.makeGauge(
            descriptor: .init(
                namespace: "countersign", metricName: "build", unitName: "info",
                helpText: "The build this process runs: 1, labelled with its version and commit."),
            labels: [("version", BuildInfo.version), ("commit", BuildInfo.commit)]
        ).set(to: 1)
    }

    package func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "countersign", metricName: "http_requests", unitName: "total",
                helpText: "HTTP requests answered, by method, route pattern and status."),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "countersign", metricName: "http_request_duration", unitName: "seconds",
                helpText: "Time to answer an HTTP request, by route pattern."),
            labels: [("route", route)],
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
            ]
        ).recordNanoseconds(duration.nanoseconds)
    }

    func decision(verdict: String, tier: String?) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "countersign", metricName: "decisions", unitName: "total",
                helpText: "Gate decisions recorded, by verdict and tier."),
            labels: [("verdict", verdict), ("tier", tier ?? "none")]
        ).increment()
    }

    func approvalWait(_ seconds: TimeInterval) {
        registry.makeValueHistogram(
            descriptor: .init(
                namespace: "countersign", metricName: "approval_wait", unitName: "seconds",
                helpText: "Time from a deploy request to its allowing decision, for requests that needed approval."),
            labels: [],
            buckets: [60, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600, 7 * 24 * 3600]
        ).record(seconds)
    }

    package func ledgerSize(_ entries: Int) {
        registry.makeGauge(
            descriptor: .init(
                namespace: "countersign", metricName: "ledger", unitName: "entries",
                helpText: "Entries in the ledger when last scraped."),
            labels: []
        ).set(to: Double(entries))
    }

    /// The text exposition format.
    package func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
