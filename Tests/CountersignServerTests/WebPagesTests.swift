import CountersignCore
import CountersignEncoding
import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CountersignControl
@testable import CountersignServer

/// The web UI through the router: sessions, CSRF, separation of duties on the form, every page rendering.
@Suite struct WebPagesTests {
    @Test func everyBundledTemplateLoads() {
        let renderer = PageRenderer.bundled()
        #expect(renderer.problems == [])
        for page in [
            "layout", "sign-in", "inbox", "requests", "request", "ledger", "ledger-entry", "audit", "metrics",
            "canary-list", "canary-run", "break-glass", "error", "signed-in", "tokens",
        ] {
            #expect(renderer.has(page), "template \(page)")
        }
    }

    func browser(_ f: ServerFixture, _ who: String) async throws -> (headers: HTTPFields, csrf: String) {
        try await f.browser(who)
    }

    func session(_ f: ServerFixture, _ who: String) async throws -> HTTPFields { try await browser(f, who).headers }

    func text(_ r: TestResponse) -> String { String(buffer: r.body) }

    /// The value a response's `Set-Cookie` gives cookie `name`, and the whole header.
    static func setCookie(_ r: TestResponse, _ name: String) -> (value: String, header: String)? {
        for header in r.headers[values: .setCookie] where header.hasPrefix(name + "=") {
            return (String(header.dropFirst(name.count + 1).prefix { $0 != ";" }), header)
        }
        return nil
    }

    /// The hidden `csrf` field of a page's form.
    static func csrfField(_ html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The sign-in form as a browser gets it: its CSRF token, in the cookie and in the form.
    func signInForm(_ client: some TestClientProtocol) async throws -> String {
        let form = try await client.call(.get, "/ui/sign-in", [:])
        let cookie = try #require(Self.setCookie(form, SignInToken.cookie))
        #expect(Self.csrfField(text(form)) == cookie.value)
        return cookie.value
    }

    /// Posts the sign-in form as a browser on `origin` does.
    func signIn(
        _ client: some TestClientProtocol, token: String, csrf: String?, cookie: String?,
        origin: String? = ServerFixture.publicURL, next: String = "/ui", extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        if let cookie { headers[.cookie] = "\(SignInToken.cookie)=\(cookie)" }
        headers.append(contentsOf: extra)
        let body = (csrf.map { "csrf=\($0)&" } ?? "") + "token=\(token)&next=\(WebPages.encode(next, keeping: ""))"
        return try await client.call(.post, "/ui/sign-in", headers, body)
    }

    @Test func signInSetsASessionCookieAndPagesNeedOne() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let anonymous = try await client.call(.get, "/ui/metrics", [:])
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/ui/sign-in?next=/ui/metrics")
            let token = try await signInForm(client)
            let bad = try await signIn(client, token: "cst_nope", csrf: token, cookie: token)
            #expect(bad.status == .unauthorized)
            #expect(text(bad).contains("That token is not valid"))
            let good = try await signIn(
                client, token: f.tokens["alice"]!, csrf: token, cookie: token, next: "https://evil.example/")
            #expect(good.status == .seeOther)
            #expect(good.headers[.location] == "/ui")  // never an off-site redirect
            let cookie = try #require(Self.setCookie(good, WebSession.cookie))
            #expect(
                cookie.header.contains("HttpOnly") && cookie.header.contains("SameSite=Strict")
                    && cookie.header.contains("Path=/ui"))
            // The sign-in form's token is spent with the form.
            #expect(Self.setCookie(good, SignInToken.cookie)?.header.contains("Max-Age=0") == true)
            let headers: HTTPFields = [
                .cookie: "\(WebSession.cookie)=\(cookie.value)", .origin: ServerFixture.publicURL,
                .contentType: "application/x-www-form-urlencoded",
            ]
            let inbox = try await client.call(.get, "/ui", headers)
            #expect(inbox.status == .ok)
            let csrf = try #require(Self.csrfField(text(inbox)))
            let out = try await client.call(.post, "/ui/sign-out", headers, "csrf=\(csrf)")
            #expect(out.status == .seeOther)
            #expect(Self.setCookie(out, WebSession.cookie)?.header.contains("Max-Age=0") == true)
        }
    }

    @Test func anApproverApprovesFromTheInboxAndTheAuthorIsRefused() async throws {
        let f = try await ServerFixture()
        try await f.recordChangeFacts()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)

            // bob wrote the change: the inbox says why he may not approve, with the button disabled.
            let bobsInbox = text(try await client.call(.get, "/ui", try await session(f, "bob")))
            #expect(bobsInbox.contains("You can't approve this: separation of duties: you are the change&#39;s author"))
            #expect(bobsInbox.contains("disabled aria-describedby=\"why-\(id)\""))
            let bob = try await browser(f, "bob")
            let forced = try await client.call(
                .post, "/ui/requests/\(id)/review", bob.headers, "csrf=\(bob.csrf)&decision=approve")
            #expect(forced.status == .forbidden)
            #expect(text(forced).contains("bob may not review this request"))

            // A form without the session's CSRF token is refused before anything is recorded.
            let alice = try await browser(f, "alice")
            let size = try await f.ledgerSize()
            let noCSRF = try await client.call(
                .post, "/ui/requests/\(id)/review", alice.headers, "csrf=forged&decision=approve")
            #expect(noCSRF.status == .forbidden)
            #expect(try await f.ledgerSize() == size)

            let aliceInbox = text(try await client.call(.get, "/ui", alice.headers))
            #expect(aliceInbox.contains("data-request=\"\(id)\""))
            #expect(!aliceInbox.contains("disabled aria-describedby=\"why-\(id)\""))
            let approved = try await client.call(
                .post, "/ui/requests/\(id)/review", alice.headers,
                "csrf=\(alice.csrf)&decision=approve&comment=looks+good")
            #expect(approved.status == .seeOther)
            #expect(approved.headers[.location] == "/ui/requests/\(id)?done=granted")
            let detail = text(try await client.call(.get, "/ui/requests/\(id)", try await session(f, "alice")))
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
                let page = try await client.call(.get, path, try await session(f, "auditor"))
                #expect(page.status == .ok, "\(path)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[HTTPField.Name("Server-Timing")!]?.hasPrefix("render;dur=") == true)
                #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            }
            let query = text(
                try await client.call(
                    .get, "/ui/audit?sql=SELECT+COUNT(*)+AS+n+FROM+deploy_requests", try await session(f, "auditor")))
            #expect(query.contains("<td>1</td>"))
            let csv = try await client.call(
                .get, "/ui/audit/results.csv?sql=SELECT%20request_id%20FROM%20deploy_requests",
                try await session(f, "auditor"))
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(text(csv).hasPrefix("request_id\r\n\(id)") || text(csv).hasPrefix("request_id\n\(id)"))
            let write = text(
                try await client.call(
                    .get, "/ui/audit?sql=DELETE+FROM+deploy_requests", try await session(f, "auditor")))
            #expect(write.contains("class=\"alert\""))
            #expect(try await client.call(.get, "/ui/audit", try await session(f, "alice")).status == .forbidden)
            let entry = text(try await client.call(.get, "/ui/ledger/1", try await session(f, "alice")))
            #expect(entry.contains("badge satisfied\">verified"))
            #expect(entry.contains("against the current tree"))
            // Two signed checkpoints: the entry is proved against the latest, and the earlier one is listed.
            let signer = try NoteSigner(name: "test.example/log")
            _ = try await f.control.store.checkpoint(signer: signer, origin: "test.example/log")
            _ = try await f.requestAndAllow(client)
            _ = try await f.control.store.checkpoint(signer: signer, origin: "test.example/log")
            let covered = text(try await client.call(.get, "/ui/ledger/1", try await session(f, "alice")))
            #expect(covered.contains("in the latest signed checkpoint"))
            #expect(covered.contains("badge satisfied\">verified"))
            let browser = text(try await client.call(.get, "/ui/ledger", try await session(f, "alice")))
            #expect(browser.contains("Earlier checkpoints"))
            #expect(browser.contains("badge satisfied\">covered"))
            #expect(try await client.call(.get, "/ui/ledger/999999", try await session(f, "alice")).status == .notFound)
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

            // Approvers by name only for an admin or an auditor; anyone else gets the rules and a count, whatever the
            // query asks for.
            for (who, named) in [("admin", true), ("auditor", true), ("alice", false), ("deployer", false)] {
                for query in ["", "?names=true", "?approvers=alice", "?viewer=auditor"] {
                    let answer = try object(
                        try await client.call(.get, "/api/v1/metrics/gates\(query)", f.headers(who)))
                    let signals = try #require(answer["approvalSignals"] as? [String: Any], "\(answer.keys)")
                    let approvers = signals["approvers"] as? [[String: Any]]
                    #expect((approvers != nil) == named, "\(who)\(query)")
                    #expect(signals["approverCount"] as? Int == 1, "\(who)")
                    if named { #expect(approvers?.map { $0["approver"] as? String } == ["alice"]) }
                    let rules = try #require(signals["rules"] as? [[String: Any]])
                    #expect(!rules.isEmpty && rules.allSatisfy { ($0["rule"] as? String)?.contains("@") == true })
                }
            }
            #expect(
                try await client.call(.get, "/api/v1/metrics/gates?idleWindow=0", f.headers("alice")).status
                    == .badRequest)
        }
    }

    // MARK: The attacker's tests: login CSRF, cross-site forms, the cookie, the session.

    /// A page on another site that posts the sign-in form with the attacker's token (login CSRF) gets no session:
    /// the form must carry the CSRF token its cookie carries, signed by this server and unexpired.
    @Test func aSignInWithoutTheFormsOwnTokenStartsNoSession() async throws {
        let clock = TestClock()
        let f = try await ServerFixture(clock: clock)
        let other = try await ServerFixture()  // another server: another session key
        try await f.application().test(.router) { client in
            let token = try await signInForm(client)
            let foreign = try await other.application().test(.router) { try await signInForm($0) }
            let parts = token.split(separator: ".").map(String.init)
            let tampered = [parts[0], String(Int(parts[1])! + 86_400), parts[2]].joined(separator: ".")
            let otherNonce = try await signInForm(client)
            for (csrf, cookie) in [
                (nil, nil), (token, nil), (nil, token), ("", ""), ("forged", "forged"), (token, otherNonce),
                (foreign, foreign), (tampered, tampered), (token + "x", token + "x"),
            ] as [(String?, String?)] {
                let r = try await signIn(client, token: f.tokens["alice"]!, csrf: csrf, cookie: cookie)
                #expect(r.status == .forbidden, "\(csrf ?? "nil") / \(cookie ?? "nil")")
                #expect(Self.setCookie(r, WebSession.cookie) == nil)
                #expect(text(r).contains("This sign-in form has expired or did not come from this server"))
            }
            // A form's token lasts an hour: a second before, it signs in; at the hour, it does not.
            let fresh = try await signInForm(client)
            clock.advance(SignInToken.lifetime - 1)
            let inTime = try await signIn(client, token: f.tokens["alice"]!, csrf: fresh, cookie: fresh)
            #expect(inTime.status == .seeOther)
            clock.advance(1)
            let late = try await signIn(client, token: f.tokens["alice"]!, csrf: fresh, cookie: fresh)
            #expect(late.status == .forbidden)
            // The refusal comes with a fresh form to sign in with.
            let retry = try #require(Self.setCookie(late, SignInToken.cookie))
            #expect(Self.csrfField(text(late)) == retry.value)
        }
    }

    /// Every form post — sign-in, sign-out, reviews — must come from the configured public URL's origin (or, with
    /// no Origin, a Referer on it); anything else is refused before it runs, and nothing is recorded.
    @Test(arguments: [
        ([HTTPField(name: .origin, value: "https://evil.example")], "came from https://evil.example"),
        ([HTTPField(name: .origin, value: "null")], "came from null"),
        ([HTTPField(name: .origin, value: "http://countersign.example")], "came from http://countersign.example"),
        ([HTTPField(name: .origin, value: "https://countersign.example:443")], "another site"),
        ([HTTPField(name: .origin, value: "https://COUNTERSIGN.example")], "another site"),
        ([HTTPField(name: .origin, value: "https://countersign.example.")], "another site"),
        ([HTTPField(name: .origin, value: "https://countersign.example/")], "another site"),
        ([HTTPField(name: .origin, value: "https://countersign.example.evil.example")], "another site"),
        ([HTTPField(name: .origin, value: "https://xn--countersign-8ub.example")], "another site"),
        (
            [
                HTTPField(name: .origin, value: "https://countersign.example"),
                HTTPField(name: .origin, value: "https://evil.example"),
            ], "more than one Origin"
        ),
        ([HTTPField(name: .referer, value: "https://evil.example/ui")], "came from https://evil.example"),
        ([HTTPField(name: .referer, value: "https://countersign.example@evil.example/ui")], "Referer is not"),
        ([HTTPField(name: .referer, value: "https://countersign.example.evil.example/ui")], "another site"),
        ([HTTPField(name: .referer, value: "http://countersign.example/ui")], "another site"),
        ([HTTPField(name: .referer, value: "/ui/sign-in")], "Referer is not"),
        ([HTTPField(name: .referer, value: "null")], "Referer is not"),
        ([], "without an Origin or Referer"),
    ])
    func aFormFromAnotherOriginIsRefused(headers: [HTTPField], reason: String) async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let alice = try await browser(f, "alice")
            let token = try await signInForm(client)
            let size = try await f.ledgerSize()
            var forged = alice.headers
            forged[.origin] = nil
            forged.append(contentsOf: headers)
            var signInFields: HTTPFields = [
                .cookie: "\(SignInToken.cookie)=\(token)", .contentType: "application/x-www-form-urlencoded",
            ]
            signInFields.append(contentsOf: headers)
            for (path, body, fields) in [
                ("/ui/requests/\(id)/review", "csrf=\(alice.csrf)&decision=approve", forged),
                ("/ui/sign-out", "csrf=\(alice.csrf)", forged),
                ("/ui/sign-in", "csrf=\(token)&token=\(f.tokens["bob"]!)", signInFields),
            ] as [(String, String, HTTPFields)] {
                let r = try await client.call(.post, path, fields, body)
                #expect(r.status == .forbidden, "\(path)")
                #expect(text(r).contains(reason), "\(path): \(text(r))")
                #expect(r.headers[.setCookie] == nil)
            }
            #expect(try await f.ledgerSize() == size)
            // Still signed in: the forged sign-out did nothing.
            #expect(try await client.call(.get, "/ui", alice.headers).status == .ok)
        }
    }

    @Test func aFormFromTheServersOwnOriginOrRefererIsAccepted() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let token = try await signInForm(client)
            let viaReferer = try await signIn(
                client, token: f.tokens["alice"]!, csrf: token, cookie: token, origin: nil,
                extra: [.referer: "https://countersign.example/ui/sign-in?next=/ui"])
            #expect(viaReferer.status == .seeOther)
            #expect(Self.setCookie(viaReferer, WebSession.cookie) != nil)
        }
        // Without a public URL only the loopback origins of the port are accepted; with port 0, none.
        var loopback = ServerConfiguration(port: 8080)
        #expect(WebPages(control: f.control, configuration: loopback).acceptedOrigins.contains("http://127.0.0.1:8080"))
        loopback.port = 0
        try await f.application(configuration: loopback).test(.router) { client in
            let token = try await signInForm(client)
            let r = try await signIn(
                client, token: f.tokens["alice"]!, csrf: token, cookie: token, origin: "http://127.0.0.1:0")
            #expect(r.status == .forbidden)
            #expect(text(r).contains("no public URL configured (--public-url)"))
        }
    }

    /// Sign-out is a POST carrying the session's CSRF token; a cross-site or token-less attempt (or a GET) leaves
    /// the session alone.
    @Test func signOutNeedsTheSessionsCSRFToken() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let alice = try await browser(f, "alice")
            for body in ["", "csrf=", "csrf=forged", "csrf=\(try await browser(f, "bob").csrf)"] {
                let r = try await client.call(.post, "/ui/sign-out", alice.headers, body)
                #expect(r.status == .forbidden, "\(body)")
                #expect(r.headers[.setCookie] == nil)
            }
            let get = try await client.call(.get, "/ui/sign-out", alice.headers)
            #expect(get.status != .seeOther && get.headers[.setCookie] == nil)
            #expect(try await client.call(.get, "/ui", alice.headers).status == .ok)
            let out = try await client.call(.post, "/ui/sign-out", alice.headers, "csrf=\(alice.csrf)")
            #expect(out.status == .seeOther)
            // The session is over on every node, not just in this browser: replaying the cookie signs no one in.
            let replay = try await client.call(.get, "/ui", alice.headers)
            #expect(replay.status == .seeOther)
            let otherNode = ControlPlane(store: f.control.store, policy: f.control.policy)
            let secret = try #require(
                alice.headers[.cookie]?.split(separator: "=", maxSplits: 1).last.map(String.init))
            #expect(try await otherNode.session(secret: secret) == nil)
        }
    }

    /// `Secure` follows the configured public URL, never the `Host` header: behind a TLS proxy that forwards to
    /// loopback (the test client's requests carry `Host: localhost`) the cookies are still `Secure`; a development
    /// server whose public URL is plain http does not claim it, whatever the Host.
    @Test func theSecureFlagFollowsThePublicURLNotTheHost() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let form = try await client.call(.get, "/ui/sign-in", [:])
            #expect(Self.setCookie(form, SignInToken.cookie)?.header.contains("; Secure") == true)
            let token = try await signInForm(client)
            let r = try await signIn(client, token: f.tokens["alice"]!, csrf: token, cookie: token)
            #expect(Self.setCookie(r, WebSession.cookie)?.header.contains("; Secure") == true)
            let alice = try await browser(f, "alice")
            let out = try await client.call(.post, "/ui/sign-out", alice.headers, "csrf=\(alice.csrf)")
            #expect(Self.setCookie(out, WebSession.cookie)?.header.contains("; Secure") == true)
        }
        var plain = ServerConfiguration(port: 8080)
        plain.publicURL = try PublicURL(parsing: "http://127.0.0.1:8080")
        try await f.application(configuration: plain).test(.router) { client in
            let token = try await signInForm(client)
            let r = try await signIn(
                client, token: f.tokens["alice"]!, csrf: token, cookie: token, origin: "http://127.0.0.1:8080")
            #expect(Self.setCookie(r, WebSession.cookie)?.header.contains("Secure") == false)
        }
    }

    @Test(arguments: [
        ("https://countersign.example.com", "https://countersign.example.com", true),
        ("HTTPS://Countersign.Example.COM:443/", "https://countersign.example.com", true),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", false), ("http://[::1]:8080", "http://[::1]:8080", false),
        ("https://countersign.example.com:8443", "https://countersign.example.com:8443", true),
    ])
    func publicURLsAreParsedToTheOriginBrowsersSend(text: String, origin: String, secure: Bool) throws {
        let url = try PublicURL(parsing: text)
        #expect(url.origin == origin)
        #expect(url.isSecure == secure)
    }

    @Test(arguments: [
        "countersign.example.com", "ftp://countersign.example.com", "https://user:pw@countersign.example.com",
        "https://countersign.example.com/countersign", "https://countersign.example.com/?a=1",
        "https://countersign.example.com/#x", "https://", "https://bücher.example", "https://a.example:0",
    ])
    func publicURLsThatCannotBeAnOriginAreRefused(text: String) {
        #expect(throws: ControlError.self) { try PublicURL(parsing: text) }
    }

    /// The cookie holds a session of its own, never the API token: the token is not in the cookie, the cookie is
    /// not a bearer token, a token planted in the cookie signs no one in, and the ledger keeps only the session's
    /// hash.
    @Test func theSessionCookieIsNeverTheBearerToken() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let planted = "css_" + String(repeating: "A", count: 43)
            let token = try await signInForm(client)
            let r = try await signIn(
                client, token: f.tokens["alice"]!, csrf: token, cookie: token,
                extra: [.cookie: "\(WebSession.cookie)=\(planted)"])
            let session = try #require(Self.setCookie(r, WebSession.cookie)).value
            #expect(session != f.tokens["alice"]! && !session.contains(f.tokens["alice"]!.dropFirst(4)))
            #expect(session != planted)  // a session planted before sign-in is not the one signed in (fixation)
            #expect(session.hasPrefix("css_"))
            let asBearer = try await client.call(
                .get, "/api/v1/whoami", [.authorization: "Bearer \(session)"])
            #expect(asBearer.status == .unauthorized)
            for cookie in [
                "\(WebSession.cookie)=\(f.tokens["alice"]!)", "\(WebSession.cookie)=\(planted)",
                "\(WebSession.cookie)=cst_\(session.dropFirst(4))",
                "\(WebSession.cookie)=\(session); \(WebSession.cookie)=\(planted)",
            ] {
                let page = try await client.call(.get, "/ui", [.cookie: cookie])
                #expect(page.status == .seeOther, "\(cookie)")
                #expect(page.headers[.location]?.hasPrefix("/ui/sign-in") == true)
            }
            #expect(try await client.call(.get, "/ui", [.cookie: "\(WebSession.cookie)=\(session)"]).status == .ok)
            let entries = try await f.control.store.entries(from: 0, count: 1_000)
            let all = entries.map { String(decoding: $0.canonicalBytes, as: UTF8.self) }.joined()
            #expect(!all.contains(session) && !all.contains(f.tokens["alice"]!))
            #expect(all.contains(APIToken.hash(session)))
            let started = try #require(entries.last { $0.payload["change"]?.stringValue == "session.started" })
            #expect(started.actor == "alice")
            #expect(started.payload["role"]?.stringValue == "approver")
        }
    }

    /// A session lasts `WebSession.lifetime` to the second, and no longer than the token it stands on: revoking
    /// or expiring the token ends it, and a role removed from the policy ends it.
    @Test func aSessionEndsWithItsLifetimeOrItsToken() async throws {
        let clock = TestClock()
        let f = try await ServerFixture(clock: clock)
        try await f.application().test(.router) { client in
            let alice = try await session(f, "alice")
            clock.advance(WebSession.lifetime - 1)
            #expect(try await client.call(.get, "/ui", alice).status == .ok)
            clock.advance(1)
            #expect(try await client.call(.get, "/ui", alice).status == .seeOther)

            let short = try await f.control.createToken(
                identity: "bob", role: .approver, issuer: .themselves(ServerFixture.person("bob")),
                expiresAt: clock.now.addingTimeInterval(60))
            let principal = try await f.control.authenticate(secret: short.secret)
            let started = try await f.control.startSession(for: principal, lifetime: WebSession.lifetime)
            let bob: HTTPFields = [.cookie: "\(WebSession.cookie)=\(started.secret)"]
            clock.advance(59)
            #expect(try await client.call(.get, "/ui", bob).status == .ok)
            clock.advance(1)
            #expect(try await client.call(.get, "/ui", bob).status == .seeOther)

            let carol = try await session(f, "auditor")
            #expect(try await client.call(.get, "/ui", carol).status == .ok)
            let frank = try await f.control.authenticate(secret: f.tokens["auditor"]!)
            try await f.control.revokeToken(id: frank.tokenID, by: "erin")
            #expect(try await client.call(.get, "/ui", carol).status == .seeOther)
        }
    }

    /// A token's expiry holds on every use, even while the token is in the per-node cache.
    @Test func anExpiredTokenStopsWorkingAtOnceCachedOrNot() async throws {
        let clock = TestClock()
        let f = try await ServerFixture(clock: clock)
        let token = try await f.control.createToken(
            identity: "alice", role: .approver, issuer: .themselves(ServerFixture.person("alice")),
            expiresAt: clock.now.addingTimeInterval(2))
        try await f.application().test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(token.secret)"]
            let first = try await client.call(.get, "/api/v1/whoami", headers)
            #expect(first.status == .ok)  // now cached
            clock.advance(1)
            #expect(try await client.call(.get, "/api/v1/whoami", headers).status == .ok)
            clock.advance(1)  // expired at exactly its expiry, a few seconds before the cache would forget it
            #expect(try await client.call(.get, "/api/v1/whoami", headers).status == .unauthorized)
            clock.advance(1)
            #expect(try await client.call(.get, "/api/v1/whoami", headers).status == .unauthorized)
        }
        // Expired by a second, never cached: refused too.
        let late = try await f.control.createToken(
            identity: "bob", role: .approver, issuer: .themselves(ServerFixture.person("bob")),
            expiresAt: clock.now.addingTimeInterval(1))
        clock.advance(2)
        await #expect(throws: ControlError.self) { try await f.control.authenticate(secret: late.secret) }
    }

    // MARK: Exports

    /// A cell a spreadsheet would run as a formula is neutralised in every CSV export (OWASP): whoever wrote a
    /// review comment, a service name or a label must not get a formula into an auditor's spreadsheet.
    @Test func csvCellsThatSpreadsheetsWouldRunAreNeutralised() async throws {
        let cells = [
            "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx", " =1+1",
            "\u{FF1D}1+1", "=1,2", "safe", "a=b", "",
        ]
        let result = QueryResult(
            columns: ["=cmd", "n"], rows: cells.map { [.text($0), .integer(-5)] } + [[.real(-1.5), .null]])
        let lines = result.csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "'=cmd,n")
        #expect(lines[1] == "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-5")
        #expect(lines[2] == "'+1+1,-5")
        #expect(lines[3] == "'-1+1,-5")
        #expect(lines[4] == "'@SUM(A1),-5")
        #expect(lines[5] == "'\tx,-5")
        #expect(lines[6] == "\"'\rx\",-5")
        #expect(lines[7] == "' =1+1,-5")
        #expect(lines[8] == "'\u{FF1D}1+1,-5")
        #expect(lines[9] == "\"'=1,2\",-5")
        #expect(lines[10] == "safe,-5")
        #expect(lines[11] == "a=b,-5")
        #expect(lines[12] == ",-5")
        #expect(lines[13] == "-1.5,")  // numbers are numbers, not formulas

        // Through the audit console: a review comment is the attacker's text.
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            _ = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"),
                #"{"decision": "approve", "comment": "=cmd|' /C calc'!A0"}"#)
            let csv = try await client.call(
                .get,
                "/ui/audit/results.csv?sql=" + WebPages.encode("SELECT comment, 1 AS n FROM approvals", keeping: ""),
                try await session(f, "auditor"))
            #expect(text(csv) == "comment,n\r\n'=cmd|' /C calc'!A0,1\r\n")
        }
    }
}
