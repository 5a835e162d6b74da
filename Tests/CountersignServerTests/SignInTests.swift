import CountersignControl
import CountersignCore
import CountersignEncoding
import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CountersignServer

/// People sign in with the organisation's identity provider (issue 16, item 1): the authorization code flow with
/// PKCE against a real provider on 127.0.0.1, and every forgery of the ID token, the state or the code refused.
@Suite(.serialized) struct SignInTests {
    static let policy =
        ServerFixture.policy
        .replacingOccurrences(
            of: "spec: { kind: human, roles: [approver], aliases: [alice-gh] }",
            with: "spec: { kind: human, roles: [approver], aliases: [alice-gh], signIn: { subject: 00u-alice } }"
        )
        .replacingOccurrences(
            of: "metadata: { name: bob }\nspec: { kind: human, roles: [approver] }",
            with: "metadata: { name: bob }\nspec: { kind: human, roles: [approver], signIn: { subject: 00u-bob } }")
            + """

            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: dana }
            spec: { kind: human, roles: [approver, auditor], signIn: { email: dana@example.com } }
            """

    struct Attempt {
        var status: HTTPResponse.Status
        var page: String
        var session: String?
    }

    /// A browser leaving for the provider as `login` and coming back: the attempt's cookie and the callback's query.
    static func leave(
        _ client: some TestClientProtocol, _ idp: IdentityProviderFixture, as login: String, role: String = ""
    ) async throws -> (cookie: String, code: String, state: String) {
        let start = try await client.call(.get, "/ui/sign-in/provider?role=\(role)&next=/ui/requests", [:])
        #expect(start.status == .seeOther)
        let location = try #require(start.headers[.location])
        let cookie = try #require(
            start.headers[values: .setCookie].first { $0.hasPrefix("countersign_oidc=") }?
                .split(separator: ";").first.map(String.init))
        let back = try await idp.authorize(location, as: login)
        #expect(back.status == 302)
        let returned = try #require(back.location)
        let query = try #require(URLComponents(string: returned)?.queryItems)
        return (
            cookie, try #require(query.first { $0.name == "code" }?.value),
            try #require(query.first { $0.name == "state" }?.value)
        )
    }

    /// A browser signing in as `login`: to the server, to the provider (which signs `login` in at once), back.
    static func signIn(
        _ client: some TestClientProtocol, _ idp: IdentityProviderFixture, as login: String, role: String = "",
        state tamperState: ((String) -> String)? = nil, cookie tamperCookie: ((String) -> String)? = nil
    ) async throws -> Attempt {
        let (cookie, code, state) = try await leave(client, idp, as: login, role: role)
        let callback = try await client.call(
            .get, "/ui/sign-in/callback?code=\(code)&state=\(tamperState?(state) ?? state)",
            [.cookie: tamperCookie?(cookie) ?? cookie])
        let session = callback.headers[values: .setCookie].first { $0.hasPrefix("countersign_session=") }
            .flatMap { $0.split(separator: ";").first.map(String.init) }
        return Attempt(status: callback.status, page: String(buffer: callback.body), session: session)
    }

    static func application(_ f: ServerFixture, _ idp: IdentityProviderFixture) throws -> some ApplicationProtocol {
        f.application(
            components: ServerComponents(control: f.control, identityProvider: OIDCProvider(settings: try idp.settings))
        )
    }

    @Test func aPersonSignsInThroughTheProvider() async throws {
        let idp = try IdentityProviderFixture()
        let f = try await ServerFixture(policy: Self.policy)
        try await Self.application(f, idp).test(.router) { client in
            let signInPage = try await client.call(.get, "/ui/sign-in", [:])
            #expect(String(buffer: signInPage.body).contains("Sign in with 127.0.0.1"))
            let alice = try await Self.signIn(client, idp, as: "alice")
            #expect(alice.status == .ok, "\(alice.page)")
            #expect(alice.page.contains(#"content="0;url=/ui/requests""#))
            let cookie = try #require(alice.session)
            let inbox = try await client.call(.get, "/ui/requests", [.cookie: cookie])
            #expect(inbox.status == .ok)
            #expect(String(buffer: inbox.body).contains("alice"))

            // What went over the wire: PKCE S256 and a nonce out, the client's secret in Basic, the verifier back.
            let log = try await idp.log()
            let authorize = try #require(
                log.first { $0["path"] as? String == "/authorize" }?["query"] as? [String: Any])
            #expect(authorize["code_challenge_method"] as? String == "S256")
            #expect((authorize["nonce"] as? String)?.count == 43)
            let token = try #require(log.first { $0["path"] as? String == "/token" })
            #expect(token["auth_scheme"] as? String == "Basic")
            #expect((token["form"] as? [String: Any])?["code_verifier"] as? String != nil)

            // On the ledger: the session's own token, with the provider's issuer and subject, and the session.
            let entries = try await f.control.store.entries(from: 0, count: 10_000).filter {
                $0.type == .identityChanged && $0.actor == "alice"
            }.suffix(2)
            #expect(entries.map { $0.payload["change"]?.stringValue } == ["token.created", "session.started"])
            #expect(entries.first?.payload["subject"]?.stringValue == "00u-alice")
            #expect(entries.first?.payload["issuer"]?.stringValue == idp.issuer)
            #expect(entries.first?.payload["role"]?.stringValue == "approver")
            // And the groups the provider verified, as it wrote them: reviews in this session carry them, for the
            // teams that name a sign-in group.
            #expect(entries.first?.payload["groups"] == .array([.string("eng-payments"), .string("Everyone")]))
            let session = try #require(
                try await f.control.session(secret: String(cookie.dropFirst("countersign_session=".count))))
            #expect(session.principal.groups == ["eng-payments", "Everyone"])

            // Signed in through the provider, alice mints her own token: her session's role, shown once.
            let tokens = try await client.call(.get, "/ui/tokens", [.cookie: cookie])
            let page = String(buffer: tokens.body)
            let csrf = try #require(
                page.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression).map {
                    String(page[$0].dropFirst(#"name="csrf" value=""#.count).dropLast())
                })
            let minted = try await client.call(
                .post, "/ui/tokens",
                [.cookie: cookie, .contentType: "application/x-www-form-urlencoded", .origin: ServerFixture.publicURL],
                "csrf=\(csrf)&days=7")
            #expect(minted.status == .created)
            let body = String(buffer: minted.body)
            let secret = try #require(
                body.range(of: #"cst_[A-Za-z0-9_-]{43}"#, options: .regularExpression).map { String(body[$0]) })
            let whoami = try object(try await client.call(.get, "/api/v1/whoami", [.authorization: "Bearer \(secret)"]))
            #expect(whoami["identity"] as? String == "alice")
            #expect(whoami["role"] as? String == "approver")
            let long = try await client.call(
                .post, "/ui/tokens",
                [.cookie: cookie, .contentType: "application/x-www-form-urlencoded", .origin: ServerFixture.publicURL],
                "csrf=\(csrf)&days=365")
            #expect(long.status == .badRequest)
        }
    }

    /// The policy maps the provider's people: by subject, by a verified email in any case, never by an unverified
    /// one, never someone the policy does not name, and only to a role they hold.
    @Test func thePolicyDecidesWhoSignsInAsWhom() async throws {
        let idp = try IdentityProviderFixture()
        let f = try await ServerFixture(policy: Self.policy)
        try await Self.application(f, idp).test(.router) { client in
            let dana = try await Self.signIn(client, idp, as: "dana", role: "auditor")
            #expect(dana.status == .ok, "\(dana.page)")
            let unverified = try await Self.signIn(client, idp, as: "dana-unverified")
            #expect(unverified.status == .forbidden)
            #expect(unverified.page.contains("no identity in the policy signs in as subject 00u-dana2"))
            #expect(unverified.session == nil)
            let mallory = try await Self.signIn(client, idp, as: "mallory")
            #expect(mallory.status == .forbidden)
            #expect(mallory.session == nil)
            let admin = try await Self.signIn(client, idp, as: "alice", role: "admin")
            #expect(admin.status == .forbidden)
            #expect(admin.page.contains("alice does not hold the admin role"))
        }
    }

    /// Each forged ID token, made by the real provider on demand: refused, and no session starts.
    @Test(arguments: [
        (#"{"iss": "https://evil.example"}"#, "was issued by https://evil.example"),
        (#"{"aud": "someone-else"}"#, "is not for this client"),
        (#"{"aud": ["countersign-test", "someone-else"]}"#, "was issued to another party"),
        (#"{"azp": "someone-else"}"#, "was issued to another party"),
        (#"{"exp_offset": -400}"#, "expired at"),
        (#"{"iat_offset": -3600}"#, "was issued more than 10 minutes ago"),
        (#"{"iat_offset": 3600}"#, "was issued in the future"),
        (#"{"nonce": "a-nonce-from-another-sign-in"}"#, "does not carry this sign-in"),
        (#"{"claims": {"nonce": null}}"#, "does not carry this sign-in"),
        (#"{"claims": {"sub": null}}"#, "names no subject"),
        (#"{"sign": "unlisted"}"#, "which the provider does not publish"),
        (#"{"sign": "none"}"#, "is signed with alg none, which is not accepted"),
        (#"{"sign": "hs256-public"}"#, "is signed with alg HS256, which is not accepted"),
        (#"{"kid": "no-such-key"}"#, "which the provider does not publish"),
    ])
    func aForgedIDTokenIsRefused(_ next: String, _ reason: String) async throws {
        let idp = try IdentityProviderFixture()
        let f = try await ServerFixture(policy: Self.policy)
        try await Self.application(f, idp).test(.router) { client in
            try await idp.control("/control/next", next)
            let attempt = try await Self.signIn(client, idp, as: "alice")
            #expect(attempt.status == .unauthorized, "\(next)")
            #expect(attempt.page.contains(reason), "\(next): \(attempt.page)")
            #expect(attempt.session == nil)
            let sessions = try await f.control.store.entries(from: 0, count: 10_000).filter {
                $0.payload["change"]?.stringValue == "session.started"
            }
            #expect(sessions.isEmpty)
        }
    }

    /// The browser side of the flow: the answer must come back to the browser that left, within ten minutes, once.
    @Test func theStateTheCookieAndTheCodeBindTheAnswerToThisBrowser() async throws {
        let idp = try IdentityProviderFixture()
        let f = try await ServerFixture(policy: Self.policy)
        try await Self.application(f, idp).test(.router) { client in
            let wrongState = try await Self.signIn(client, idp, as: "alice", state: { _ in OIDCProvider.secret() })
            #expect(wrongState.status == .forbidden)
            let noCookie = try await Self.signIn(client, idp, as: "alice", cookie: { _ in "other=1" })
            #expect(noCookie.status == .forbidden)
            let forgedCookie = try await Self.signIn(
                client, idp, as: "alice", cookie: { $0.replacingOccurrences(of: ".", with: "x.") })
            #expect(forgedCookie.status == .forbidden)
            #expect(forgedCookie.page.contains("did not start in this browser"))

            // The same code twice: the provider refuses the second redemption.
            let (cookie, code, state) = try await Self.leave(client, idp, as: "bob")
            let callback = "code=\(code)&state=\(state)"
            let first = try await client.call(.get, "/ui/sign-in/callback?" + callback, [.cookie: cookie])
            #expect(first.status == .ok)
            let replay = try await client.call(.get, "/ui/sign-in/callback?" + callback, [.cookie: cookie])
            #expect(replay.status == .unauthorized)
            #expect(String(buffer: replay.body).contains("invalid_grant"))
        }
    }

    @Test func anExpiredAttemptIsRefused() async throws {
        let idp = try IdentityProviderFixture()
        let clock = TestClock(Date())
        let f = try await ServerFixture(policy: Self.policy, clock: clock)
        try await Self.application(f, idp).test(.router) { client in
            let (cookie, code, state) = try await Self.leave(client, idp, as: "alice")
            clock.advance(SignInAttempt.lifetime + 1)
            let late = try await client.call(
                .get, "/ui/sign-in/callback?code=\(code)&state=\(state)", [.cookie: cookie])
            #expect(late.status == .forbidden)
        }
    }

    /// The provider rotates its key: the next token names a kid the server has not seen, and the server fetches the
    /// key set again — once, not for every made-up kid.
    @Test func aRotatedKeyIsFetchedOnceAndWithdrawnKeysStopVerifying() async throws {
        let idp = try IdentityProviderFixture()
        let f = try await ServerFixture(policy: Self.policy)
        try await Self.application(f, idp).test(.router) { client in
            #expect(try await Self.signIn(client, idp, as: "alice").status == .ok)
            try await idp.control("/control/rotate", #"{"alg": "ES256", "keep_old": false}"#)
            let rotated = try await Self.signIn(client, idp, as: "bob")
            #expect(rotated.status == .ok, "\(rotated.page)")
            let fetches = try await idp.log().filter { $0["path"] as? String == "/jwks" }.count
            #expect(fetches == 2)
            // Two made-up kids in a row within ten seconds: the key set is not fetched again.
            for _ in 0..<2 {
                try await idp.control("/control/next", #"{"kid": "made-up"}"#)
                #expect(try await Self.signIn(client, idp, as: "alice").status == .unauthorized)
            }
            #expect(try await idp.log().filter { $0["path"] as? String == "/jwks" }.count == fetches)
        }
    }

    @Test func providerSettingsAreRefusedWhereTheyWouldWeakenSignIn() {
        func refused(_ issuer: String, demo: Bool = false) -> Bool {
            (try? OIDCSettings(
                issuer: issuer, clientID: "c", clientSecret: "s", redirectURI: "https://x/cb", demo: demo))
                == nil
        }
        #expect(refused("http://idp.example.com"))  // plain http off loopback
        #expect(refused("https://idp.example.com?x=1"))
        #expect(refused("https://user@idp.example.com"))
        #expect(refused("http://127.0.0.1:9999/demo-idp"))  // the demo's provider outside the demo
        #expect(!refused("http://127.0.0.1:9999/demo-idp", demo: true))
        #expect(!refused("http://127.0.0.1:9999"))
        #expect(!refused("https://login.example.com/oauth2/default"))
    }
}
