import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CountersignServer

/// The web UI through the router: sessions, CSRF, separation of duties on the form, every page rendering.
@Suite struct WebPagesTests {
    @Test func everyBundledTemplateLoads() {
        let renderer = PageRenderer.bundled()
        #expect(renderer.problems == [])
        for page in [
            "layout", "sign-in", "inbox", "requests", "request", "ledger", "ledger-entry", "audit", "metrics",
            "canary-list", "canary-run", "break-glass", "error",
        ] {
            #expect(renderer.has(page), "template \(page)")
        }
    }

    func session(_ f: ServerFixture, _ who: String) -> HTTPFields {
        [.cookie: "\(WebSession.cookie)=\(f.tokens[who]!)", .contentType: "application/x-www-form-urlencoded"]
    }

    func text(_ r: TestResponse) -> String { String(buffer: r.body) }

    @Test func signInSetsASessionCookieAndPagesNeedOne() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let anonymous = try await client.call(.get, "/ui/metrics", [:])
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/ui/sign-in?next=/ui/metrics")
            let bad = try await client.call(
                .post, "/ui/sign-in", [.contentType: "application/x-www-form-urlencoded"], "token=cst_nope&next=/ui")
            #expect(bad.status == .unauthorized)
            #expect(text(bad).contains("That token is not valid"))
            let good = try await client.call(
                .post, "/ui/sign-in", [.contentType: "application/x-www-form-urlencoded"],
                "token=\(f.tokens["alice"]!)&next=https%3A%2F%2Fevil.example%2F")
            #expect(good.status == .seeOther)
            #expect(good.headers[.location] == "/ui")  // never an off-site redirect
            let cookie = try #require(good.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
            let out = try await client.call(.post, "/ui/sign-out", session(f, "alice"))
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    @Test func anApproverApprovesFromTheInboxAndTheAuthorIsRefused() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)

            // bob wrote the change: the inbox says why he may not approve, with the button disabled.
            let bobsInbox = text(try await client.call(.get, "/ui", session(f, "bob")))
            #expect(bobsInbox.contains("You can't approve this: separation of duties: you are the change&#39;s author"))
            #expect(bobsInbox.contains("disabled aria-describedby=\"why-\(id)\""))
            let csrf = WebSession(
                principal: try await f.control.authenticate(secret: f.tokens["bob"]!), secret: f.tokens["bob"]!
            ).csrf
            let forced = try await client.call(
                .post, "/ui/requests/\(id)/review", session(f, "bob"), "csrf=\(csrf)&decision=approve")
            #expect(forced.status == .forbidden)
            #expect(text(forced).contains("bob may not review this request"))

            // A form without the session's CSRF token is refused before anything is recorded.
            let size = try await f.ledgerSize()
            let noCSRF = try await client.call(
                .post, "/ui/requests/\(id)/review", session(f, "alice"), "csrf=forged&decision=approve")
            #expect(noCSRF.status == .forbidden)
            #expect(try await f.ledgerSize() == size)

            let aliceInbox = text(try await client.call(.get, "/ui", session(f, "alice")))
            #expect(aliceInbox.contains("data-request=\"\(id)\""))
            #expect(!aliceInbox.contains("disabled aria-describedby=\"why-\(id)\""))
            let aliceCSRF = WebSession(
                principal: try await f.control.authenticate(secret: f.tokens["alice"]!), secret: f.tokens["alice"]!
            ).csrf
            let approved = try await client.call(
                .post, "/ui/requests/\(id)/review", session(f, "alice"),
                "csrf=\(aliceCSRF)&decision=approve&comment=looks+good")
            #expect(approved.status == .seeOther)
            #expect(approved.headers[.location] == "/ui/requests/\(id)?done=approved")
            let detail = text(try await client.call(.get, "/ui/requests/\(id)", session(f, "alice")))
            #expect(detail.contains("id=\"verdict\">allowed<"))
            #expect(detail.contains("looks good"))
            let status = try object(try await client.call(.get, "/api/v1/deploy-requests/\(id)", f.headers("auditor")))
            #expect((status["decision"] as? [String: Any])?["verdict"] as? String == "allowed")
        }
    }

    @Test func everyPageRendersForAnAuditorAndAuditIsRoleChecked() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let id = try await f.requestAndAllow(client)
            for path in [
                "/ui", "/ui/requests", "/ui/requests/\(id)", "/ui/metrics?days=30", "/ui/canary", "/ui/break-glass",
                "/ui/ledger", "/ui/ledger/1", "/ui/audit",
                "/ui/audit?sql=SELECT+COUNT(*)+AS+n+FROM+deploy_requests",
                "/ui/audit?report=1&environment=production&from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z",
            ] {
                let page = try await client.call(.get, path, session(f, "auditor"))
                #expect(page.status == .ok, "\(path)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[HTTPField.Name("Server-Timing")!]?.hasPrefix("render;dur=") == true)
                #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            }
            let query = text(
                try await client.call(
                    .get, "/ui/audit?sql=SELECT+COUNT(*)+AS+n+FROM+deploy_requests", session(f, "auditor")))
            #expect(query.contains("<td>1</td>"))
            let csv = try await client.call(
                .get, "/ui/audit/results.csv?sql=SELECT%20request_id%20FROM%20deploy_requests", session(f, "auditor"))
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(text(csv).hasPrefix("request_id\r\n\(id)") || text(csv).hasPrefix("request_id\n\(id)"))
            let write = text(
                try await client.call(
                    .get, "/ui/audit?sql=DELETE+FROM+deploy_requests", session(f, "auditor")))
            #expect(write.contains("class=\"alert\""))
            #expect(try await client.call(.get, "/ui/audit", session(f, "alice")).status == .forbidden)
            let entry = text(try await client.call(.get, "/ui/ledger/1", session(f, "alice")))
            #expect(entry.contains("badge satisfied\">verified"))
            #expect(entry.contains("against the current tree"))
            // Two signed checkpoints: the entry is proved against the latest, and the earlier one is listed.
            let signer = try NoteSigner(name: "test.example/log")
            _ = try await f.control.store.checkpoint(signer: signer, origin: "test.example/log")
            _ = try await f.requestAndAllow(client)
            _ = try await f.control.store.checkpoint(signer: signer, origin: "test.example/log")
            let covered = text(try await client.call(.get, "/ui/ledger/1", session(f, "alice")))
            #expect(covered.contains("in the latest signed checkpoint"))
            #expect(covered.contains("badge satisfied\">verified"))
            let browser = text(try await client.call(.get, "/ui/ledger", session(f, "alice")))
            #expect(browser.contains("Earlier checkpoints"))
            #expect(browser.contains("badge satisfied\">covered"))
            #expect(try await client.call(.get, "/ui/ledger/999999", session(f, "alice")).status == .notFound)
            #expect(try await client.call(.get, "/ui/static/app.css", [:]).status == .ok)
            #expect(try await client.call(.get, "/ui/static/secret.txt", [:]).status == .notFound)
        }
    }

    @Test func metricsAPIAnswersForThePeriod() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            _ = try await f.requestAndAllow(client)
            let dora = try object(
                try await client.call(.get, "/api/v1/metrics/dora?environment=production", f.headers("auditor")))
            #expect((dora["overall"] as? [String: Any])?["frequency"] as? String == "Yearly")
            let gates = try object(try await client.call(.get, "/api/v1/metrics/gates", f.headers("alice")))
            #expect(gates["requests"] as? Int == 1)
            let controls = try #require(gates["controls"] as? [[String: Any]])
            #expect(controls.contains { $0["control"] as? String == "approvals" && $0["held"] as? Int == 1 })
            let wait = try #require(gates["approvalWait"] as? [String: Any])
            #expect(wait["count"] as? Int == 1)
            let inverted = try await client.call(
                .get, "/api/v1/metrics/dora?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", f.headers("alice"))
            #expect(inverted.status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/metrics/gates", [:]).status == .unauthorized)
            #expect(
                try await client.call(.get, "/api/v1/metrics/gates?idleWindow=0", f.headers("alice")).status
                    == .badRequest)
        }
    }
}
