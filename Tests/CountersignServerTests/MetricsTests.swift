import CountersignControl
import CountersignEncoding
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct MetricsTests {
    /// `/metrics` in Prometheus' text format: requests by route pattern, decisions, approval wait, ledger size.
    @Test func metricsReflectTheTraffic() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let id = try await f.requestAndAllow(client)
            _ = try await client.call(.get, "/api/v1/deploy-requests/\(id)", f.headers("alice"))
            _ = try await client.call(.get, "/api/v1/deploy-requests/other", f.headers("alice"))
            let scrape = try await client.call(.get, "/metrics", [:])
            #expect(scrape.status == .ok)
            let text = String(buffer: scrape.body)
            let size = try await f.ledgerSize()
            #expect(text.contains("countersign_ledger_entries \(size).0"))
            // Pending when requested, pending again (with different reasons) once the check passed, then allowed.
            #expect(text.contains(#"countersign_decisions_total{verdict="pending",tier="standard"} 2"#))
            #expect(text.contains(#"countersign_decisions_total{verdict="allowed",tier="standard"} 1"#))
            #expect(text.contains("countersign_approval_wait_seconds_count 1"))
            // Both GETs count under the one route pattern, whatever the id.
            #expect(
                text.contains(
                    #"countersign_http_requests_total{method="GET",route="/api/v1/deploy-requests/{id}",status="200"} 1"#
                ))
            #expect(
                text.contains(
                    #"countersign_http_requests_total{method="GET",route="/api/v1/deploy-requests/{id}",status="404"} 1"#
                ))
        }
    }

    /// Issue 19 item 5: what an operator pages on — the outbox's backlog and failing deliveries, admission reviews by
    /// outcome and latency, checkpoint publications — with labels from fixed sets only.
    @Test func operationsAreMeasured() async throws {
        let receiver = try await FakeHTTPServer()
        let f = try await ServerFixture(
            notifications: NotificationSettings(urls: [receiver.baseURL + "/hook"], secret: "n0tify"),
            policy: AdmissionTests.policy)
        try await f.application().test(.router) { client in
            _ = try await f.requestAndAllow(client)
            let backlog = try await f.control.read { r throws(LedgerError) in try await r.outboxBacklog() }
            #expect(backlog.pending > 0)
            var text = String(buffer: try await client.call(.get, "/metrics", [:]).body)
            #expect(text.contains("countersign_outbox_pending \(backlog.pending).0"), "\(text)")
            #expect(text.contains("countersign_outbox_abandoned 0.0"))

            // The receiver fails every delivery once: each attempt is counted as failed, and nothing leaves the backlog.
            receiver.answer(contentsOf: Array(repeating: 500, count: backlog.pending))
            var next: [String: ContinuousClock.Instant] = [:]
            let attempted = try await OutboxDeliverer(control: f.control).deliverDue(&next)
            #expect(attempted == backlog.pending)
            text = String(buffer: try await client.call(.get, "/metrics", [:]).body)
            #expect(
                text.contains(#"countersign_outbox_attempts_total{kind="webhook",outcome="failed"} \#(attempted)"#),
                "\(text)")
            #expect(text.contains("countersign_outbox_pending \(backlog.pending).0"))

            // Admission: one denied (an unmapped namespace), one warned (warn mode), one allowed (a deletion).
            let image = "registry.example.com/shop@\(ServerFixture.digest)"
            for namespace in ["nowhere", "shop-canary"] {
                _ = try await client.call(
                    .post, "/admission/validate", [:], AdmissionTests.review(namespace: namespace, image: image))
            }
            let deletion = AdmissionTests.review(namespace: "nowhere", image: image).replacingOccurrences(
                of: #""operation": "CREATE""#, with: #""operation": "DELETE""#)
            _ = try await client.call(.post, "/admission/validate", [:], deletion)
            text = String(buffer: try await client.call(.get, "/metrics", [:]).body)
            for outcome in ["allowed", "denied", "warned"] {
                #expect(text.contains(#"countersign_admission_reviews_total{outcome="\#(outcome)"} 1"#), "\(outcome)")
            }
            #expect(text.contains("countersign_admission_review_duration_seconds_count 3"))
        }
    }

    /// Issue 21 item 5: one definition of approval wait — ready (approvals the only control left) to the first
    /// allowing decision — in the Prometheus histogram and the gate metrics alike, on a hand-computed history:
    /// requested at t, the unit check passes at t+10 min (ready), alice approves at t+40 min: the wait is 30 minutes,
    /// not the 40 since the request.
    @Test func approvalWaitIsReadyToAllowedEverywhere() async throws {
        let clock = TestClock()
        let f = try await ServerFixture(clock: clock)
        try await f.application().test(.router) { client in
            try await f.recordChangeFacts()
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            clock.advance(600)
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            clock.advance(1800)
            let approved = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#)
            #expect(try object(approved)["verdict"] as? String == "allowed")
            let scrape = String(buffer: try await client.call(.get, "/metrics", [:]).body)
            #expect(scrape.contains("countersign_approval_wait_seconds_sum 1800.0"), "\(scrape)")
            #expect(scrape.contains("countersign_approval_wait_seconds_count 1"))
            let from = RFC3339.string(clock.now.addingTimeInterval(-86_400))
            let to = RFC3339.string(clock.now.addingTimeInterval(60))
            let gates = try object(
                try await client.call(.get, "/api/v1/metrics/gates?from=\(from)&to=\(to)", f.headers("alice")))
            let wait = try #require(gates["approvalWait"] as? [String: Any], "\(gates.keys)")
            #expect(wait["median"] as? Double == 1800)
            #expect(wait["count"] as? Int == 1)
        }
    }
}
