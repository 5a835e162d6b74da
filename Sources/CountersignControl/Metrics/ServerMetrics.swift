internal import Foundation
internal import Prometheus

/// The server's Prometheus metrics, exposed at `/metrics`: HTTP requests and latencies by route, decisions by
/// verdict and tier, approval wait time (ready → allowed: docs/metrics.md's one definition), the ledger's size, the outbox's
/// backlog and delivery attempts, admission reviews by outcome and latency, artifact verifications by outcome and
/// latency, and checkpoint publications. Labels take only values from small fixed sets (no namespace, reference or
/// identity), so nothing a caller sends can grow the series count.
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
                helpText:
                    "Time from ready (approvals the only control left) to the first allowing decision: the time people cost."
            ),
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

    /// The outbox at scrape time, ledger-wide (the same on every node): notifications waiting to be delivered, and
    /// those given up on.
    package func outbox(pending: Int, abandoned: Int) {
        for (name, value, help) in [
            ("pending", pending, "Notifications queued and not yet delivered or abandoned, when last scraped."),
            ("abandoned", abandoned, "Notifications given up on (a 4xx answer or too many failures), ever."),
        ] {
            registry.makeGauge(
                descriptor: .init(namespace: "countersign", metricName: "outbox_\(name)", helpText: help), labels: []
            ).set(to: Double(value))
        }
    }

    /// One delivery attempt by this node: `outcome` delivered, failed (to be retried) or abandoned.
    func outboxAttempt(kind: String, outcome: String) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "countersign", metricName: "outbox_attempts", unitName: "total",
                helpText: "Notification delivery attempts by this node, by kind and outcome."),
            labels: [("kind", kind), ("outcome", outcome)]
        ).increment()
    }

    /// One admission review: `outcome` allowed, denied or warned (admitted in warn mode, would have been denied).
    package func admission(outcome: String, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "countersign", metricName: "admission_reviews", unitName: "total",
                helpText: "Admission reviews answered, by outcome: allowed, denied, or warned (warn mode)."),
            labels: [("outcome", outcome)]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "countersign", metricName: "admission_review_duration", unitName: "seconds",
                helpText: "Time to answer an admission review."),
            labels: [],
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                .seconds(1), .seconds(5), .seconds(10),
            ]
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// One artifact verification against its registry: `outcome` verified or rejected per policy result, or
    /// error when the registry could not be read.
    func verification(outcome: String, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "countersign", metricName: "artifact_verifications", unitName: "total",
                helpText: "Artifact verifications, by outcome: verified, rejected, or error (the registry failed)."),
            labels: [("outcome", outcome)]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "countersign", metricName: "artifact_verification_duration", unitName: "seconds",
                helpText: "Time to verify an artifact against its registry, every policy that covers it."),
            labels: [],
            buckets: [
                .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1), .seconds(5), .seconds(15),
                .seconds(60),
            ]
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// One checkpoint publication: `outcome` published, refused (the ledger does not extend what is published — a
    /// fork; page someone) or failed (the destination could not be written).
    package func checkpointPublication(outcome: String) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "countersign", metricName: "checkpoint_publications", unitName: "total",
                helpText: "Checkpoint publications, by outcome: published, refused (a fork), failed."),
            labels: [("outcome", outcome)]
        ).increment()
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
