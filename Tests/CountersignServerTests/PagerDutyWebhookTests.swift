import CountersignControl
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Incidents come from the incident API or signed incident-tool webhooks, never from a free-text field (issue 16,
/// item 7): PagerDuty's v3 webhooks, checked by `X-PagerDuty-Signature`, open and resolve `pd:<id>`.
@Suite struct PagerDutyWebhookTests {
    static let secret = "pd-webhook-secret"

    static func event(_ type: String, id: String = "Q1ABCDEF") -> String {
        #"{"event": {"id": "01E\#(type.count)", "event_type": "\#(type)", "resource_type": "incident", "occurred_at": "2026-12-07T10:00:00.000Z", "data": {"id": "\#(id)", "type": "incident", "title": "checkout 500s", "urgency": "high", "status": "triggered"}}}"#
    }

    static func deliver(
        _ client: some TestClientProtocol, _ body: String, signature: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.init("X-PagerDuty-Signature")!] =
            signature ?? PagerDutySignature.sign(Array(body.utf8), secret: Self.secret)
        return try await client.call(.post, "/webhooks/pagerduty", headers, body)
    }

    @Test func signedDeliveriesOpenAndResolveIncidentsOnce() async throws {
        let f = try await ServerFixture()
        let app = f.application(components: ServerComponents(control: f.control, pagerDutySecret: Self.secret))
        try await app.test(.router) { client in
            let triggered = Self.event("incident.triggered")
            // Unsigned, mis-signed, or signed with another secret: refused, nothing recorded.
            let size = try await f.ledgerSize()
            let unsigned: HTTPFields = [.contentType: "application/json"]
            #expect(try await client.call(.post, "/webhooks/pagerduty", unsigned, triggered).status == .unauthorized)
            let forged = PagerDutySignature.sign(Array(triggered.utf8), secret: "not-the-secret")
            #expect(try await Self.deliver(client, triggered, signature: forged).status == .unauthorized)
            let tampered = try await Self.deliver(
                client, triggered.replacingOccurrences(of: "Q1ABCDEF", with: "Q1ZZZZZZ"),
                signature: PagerDutySignature.sign(Array(triggered.utf8), secret: Self.secret))
            #expect(tampered.status == .unauthorized)
            #expect(try await f.ledgerSize() == size)

            // A rotation header with the old secret's signature first is genuine.
            let rotating = forged + ", " + PagerDutySignature.sign(Array(triggered.utf8), secret: Self.secret)
            let opened = try await Self.deliver(client, triggered, signature: rotating)
            #expect(opened.status == .ok)
            #expect(try object(opened)["outcome"] as? String == "opened")
            #expect(try object(try await Self.deliver(client, triggered))["outcome"] as? String == "unchanged")

            // The incident exists, so break-glass may name it.
            let grant = try await client.call(
                .post, "/api/v1/break-glass", f.headers("bob"),
                #"{"freeze": "forever", "environment": "frozen", "service": "shop", "reason": "fix", "incident": "pd:Q1ABCDEF", "duration": 3600}"#
            )
            #expect(grant.status == .created, "\(String(buffer: grant.body))")

            let resolved = Self.event("incident.resolved")
            #expect(try object(try await Self.deliver(client, resolved))["outcome"] as? String == "resolved")
            #expect(try object(try await Self.deliver(client, resolved))["outcome"] as? String == "unchanged")
            // A replayed trigger does not reopen a resolved incident.
            #expect(try object(try await Self.deliver(client, triggered))["outcome"] as? String == "unchanged")
            let state = try await f.control.read({ r throws(LedgerError) in
                try await r.incidentResolved(id: "pd:Q1ABCDEF")
            })
            #expect(state == true)

            #expect(
                try object(try await Self.deliver(client, Self.event("incident.acknowledged")))["outcome"] as? String
                    == "ignored")
            #expect(try await Self.deliver(client, #"{"not": "an event"}"#).status == .badRequest)
            #expect(
                try await Self.deliver(client, Self.event("incident.triggered", id: "has space")).status == .badRequest)
        }
    }

    @Test func withoutASecretTheRouteIsNotThere() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let response = try await Self.deliver(client, Self.event("incident.triggered"))
            #expect(response.status == .notFound)
        }
    }
}
