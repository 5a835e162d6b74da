import CountersignControl
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17, item 9: incidents from Opsgenie. Opsgenie signs nothing, so its webhook integration sends a shared
/// secret as a custom `Authorization: Bearer …` header; `Create` opens `og:<alertId>` and `Close` resolves it, each
/// once, whatever is replayed.
@Suite struct OpsgenieWebhookTests {
    static let secret = "og-webhook-secret-0123456789abcdefghij"

    /// The shape of Opsgenie's webhook payload: the action, the alert and the integration it came through.
    static func delivery(_ action: String, alert: String = "70413a06-38d6-4c85-92b8-5ebc900d42e2") -> String {
        #"{"action": "\#(action)", "alert": {"alertId": "\#(alert)", "message": "checkout 500s", "tags": ["shop"], "tinyId": "1791", "alias": "checkout-5xx", "priority": "P1", "source": "prometheus", "username": "System"}, "source": {"name": "", "type": "system"}, "integrationName": "Countersign", "integrationId": "8b7a2c1e", "integrationType": "Webhook"}"#
    }

    @Test func theSharedSecretOpensAndResolvesIncidentsOnce() async throws {
        let f = try await ServerFixture()
        var components = ServerComponents(control: f.control)
        components.opsgenieSecret = Self.secret
        try await f.application(components: components).test(.router) { client in
            func send(_ body: String, authorization: String? = "Bearer \(Self.secret)") async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let authorization { headers[.authorization] = authorization }
                return try await client.call(.post, "/webhooks/opsgenie", headers, body)
            }
            let created = Self.delivery("Create")
            let size = try await f.ledgerSize()
            for wrong in [
                nil, "Bearer not-the-secret", "bearer \(Self.secret)", "Bearer \(Self.secret)x", "Basic \(Self.secret)",
            ] {
                #expect(try await send(created, authorization: wrong).status == .unauthorized, "\(wrong ?? "none")")
            }
            #expect(try await f.ledgerSize() == size, "nothing recorded for a refused delivery")

            #expect(try object(try await send(created))["outcome"] as? String == "opened")
            #expect(try object(try await send(created))["outcome"] as? String == "unchanged")
            #expect(try object(try await send(Self.delivery("Acknowledge")))["outcome"] as? String == "ignored")
            let id = "og:70413a06-38d6-4c85-92b8-5ebc900d42e2"
            let grant = try await client.call(
                .post, "/api/v1/break-glass", f.headers("bob"),
                #"{"freeze": "forever", "environment": "frozen", "service": "shop", "reason": "fix", "incident": "\#(id)", "duration": 3600}"#
            )
            #expect(grant.status == .created, "the incident exists, so break-glass may name it")
            #expect(try object(try await send(Self.delivery("Close")))["outcome"] as? String == "resolved")
            #expect(try object(try await send(created))["outcome"] as? String == "unchanged", "never reopened")
            #expect(try await f.control.read({ r throws(LedgerError) in try await r.incidentResolved(id: id) }) == true)
            #expect(try await send(#"{"action": "Create"}"#).status == .badRequest)
            #expect(try await send(Self.delivery("Create", alert: "has space")).status == .badRequest)
        }
        // Not configured: not there.
        try await f.application().test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(Self.secret)"]
            let answer = try await client.call(.post, "/webhooks/opsgenie", headers, Self.delivery("Create"))
            #expect(answer.status == .notFound)
        }
    }
}
