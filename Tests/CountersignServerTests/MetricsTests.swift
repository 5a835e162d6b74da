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
}
