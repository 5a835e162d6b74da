import CountersignCore
import CountersignEncoding
import Foundation
import Testing

@testable import CountersignControl

/// The demo's development identity provider checks what a real provider checks: its one client and redirect URI,
/// S256 PKCE, a code used once within a minute, the client's secret. (The browser tests drive the whole flow through
/// the server, the ID token's signature and claims verified by the server's own `OIDCProvider`.)
@Suite struct DemoIdentityProviderTests {
    static let origin = "http://127.0.0.1:8080"
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func provider() async throws -> DemoIdentityProvider {
        try await DemoIdentityProvider(
            origin: origin, policy: try PolicyLoader.load(path: DemoHistoryTests.policy))
    }

    static func query(challenge: String = OIDCProvider.challenge(for: "v" + String(repeating: "x", count: 50)))
        -> [String: String]
    {
        [
            "client_id": DemoIdentityProvider.clientID, "redirect_uri": origin + "/ui/sign-in/callback",
            "response_type": "code", "scope": "openid email", "state": "s1", "nonce": "n1",
            "code_challenge": challenge, "code_challenge_method": "S256",
        ]
    }

    static let verifier = "v" + String(repeating: "x", count: 50)

    static func basic(_ secret: String) -> String {
        "Basic " + Data("\(DemoIdentityProvider.clientID):\(secret)".utf8).base64EncodedString()
    }

    @Test func signsInThePolicysPeopleAsTheirSignInSays() async throws {
        let idp = try await Self.provider()
        #expect(idp.people.map(\.name) == ["alice", "bob", "carol", "dave", "erin", "frank"])
        #expect(idp.people.first?.email == "alice@example.com")
        #expect(idp.people.first { $0.name == "erin" }?.groups == ["dba", "eng-managers", "infra", "sre-oncall"])
        let settings = try idp.settings()
        #expect(settings.issuer == Self.origin + "/demo-idp")
        #expect(idp.discovery["code_challenge_methods_supported"] == .array([.string("S256")]))
        #expect(idp.jwks["keys"]?.arrayValue?.first?["alg"] == .string("ES256"))
    }

    @Test(arguments: [
        ("redirect_uri", "https://attacker.example/cb", "redirect_uri"), ("client_id", "other", "client_id"),
        ("code_challenge_method", "plain", "PKCE"), ("code_challenge", "short", "PKCE"),
        ("response_type", "token", "response_type"), ("scope", "email", "openid"), ("nonce", "", "nonce"),
    ])
    func refusesAnyOtherAuthorizationRequest(_ field: String, _ value: String, _ why: String) async throws {
        let idp = try await Self.provider()
        var query = Self.query()
        query[field] = value
        guard case .failure(let error) = idp.check(query) else {
            Issue.record("\(field)=\(value) was accepted")
            return
        }
        #expect(error.message.contains(why), "\(error.message)")
    }

    @Test func aCodeIsRedeemedOnceWithItsVerifierAndTheClientsSecret() async throws {
        let idp = try await Self.provider()
        let authorization = try idp.check(Self.query()).get()
        let location = try await idp.authorize("bob", authorization, now: Self.now)
        #expect(location.hasPrefix(Self.origin + "/ui/sign-in/callback?code="))
        #expect(location.hasSuffix("&state=s1"))
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        let secret = try idp.settings().clientSecret
        let form = [
            "grant_type": "authorization_code", "code": code, "redirect_uri": Self.origin + "/ui/sign-in/callback",
            "code_verifier": Self.verifier,
        ]
        let (wrongClient, _) = await idp.token(form: form, authorization: Self.basic("guess"), now: Self.now)
        #expect(wrongClient == 401)
        var wrongVerifier = form
        wrongVerifier["code_verifier"] = "w" + String(repeating: "x", count: 50)
        let (badPKCE, body) = await idp.token(form: wrongVerifier, authorization: Self.basic(secret), now: Self.now)
        #expect(badPKCE == 400)
        #expect(body["error_description"]?.stringValue?.contains("PKCE") == true)
        // The failed attempt spent the code: the right verifier after it gets nothing either.
        let (spent, _) = await idp.token(form: form, authorization: Self.basic(secret), now: Self.now)
        #expect(spent == 400)

        let second = try await idp.authorize("bob", authorization, now: Self.now)
        let code2 = try #require(URLComponents(string: second)?.queryItems?.first { $0.name == "code" }?.value)
        var fresh = form
        fresh["code"] = code2
        let (late, _) = await idp.token(form: fresh, authorization: Self.basic(secret), now: Self.now + 61)
        #expect(late == 400, "a code lives a minute")

        let third = try await idp.authorize("bob", authorization, now: Self.now)
        fresh["code"] = try #require(URLComponents(string: third)?.queryItems?.first { $0.name == "code" }?.value)
        let (ok, answer) = await idp.token(form: fresh, authorization: Self.basic(secret), now: Self.now)
        #expect(ok == 200)
        let idToken = try #require(answer["id_token"]?.stringValue)
        let payload = try JSONValue(parsing: try #require(Base64URL.decode(idToken.split(separator: ".")[1])))
        #expect(payload["iss"] == .string(Self.origin + "/demo-idp"))
        #expect(payload["aud"] == .string(DemoIdentityProvider.clientID))
        #expect(payload["nonce"] == .string("n1"))
        #expect(payload["email"] == .string("bob@example.com"))
        #expect(payload["email_verified"] == .bool(true))
        let (again, _) = await idp.token(form: fresh, authorization: Self.basic(secret), now: Self.now)
        #expect(again == 400, "a code is used once")
        await #expect(throws: ControlError.self) {
            _ = try await idp.authorize("mallory", authorization, now: Self.now)
        }
    }

    /// Anyone can open the page and ask for codes: a bounded number wait at once, and expired ones make room.
    @Test func codesInFlightAreBounded() async throws {
        let idp = try await Self.provider()
        let authorization = try idp.check(Self.query()).get()
        for _ in 0..<DemoIdentityProvider.maximumCodes {
            _ = try await idp.authorize("bob", authorization, now: Self.now)
        }
        await #expect(throws: ControlError.self) { _ = try await idp.authorize("bob", authorization, now: Self.now) }
        _ = try await idp.authorize("bob", authorization, now: Self.now + 61)
    }
}
