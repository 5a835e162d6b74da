import CountersignControl
import CountersignCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17, item 5: CI without long-lived secrets. A job presents its OpenID Connect ID token (as GitHub Actions
/// mints it) and acts as the automation identity whose `oidc` rule its claims match — against an issuer of our own
/// on 127.0.0.1 (`Tests/IdentityProvider/idp.py`, PyJWT), which also makes the forgeries.
@Suite struct CIIdentityTokenTests {
    static let audience = "https://countersign.example"

    static func policy(issuer: String) -> String {
        ServerFixture.policy + """

            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: shop-ci }
            spec:
              kind: automation
              roles: [deployer]
              oidc:
                - issuer: \(issuer)
                  audience: \(audience)
                  claims:
                    repository: acme/shop
                    ref: refs/heads/main
                    environment: production
                    job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/*"
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: shop-builder }
            spec:
              kind: automation
              roles: [builder, deployer]
              oidc:
                - issuer: \(issuer)
                  audience: \(audience)
                  role: builder
                  claims: { repository: acme/shop, job_workflow_ref: "acme/shop/.github/workflows/build.yml@*" }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: shop-twin }
            spec:
              kind: automation
              roles: [deployer]
              oidc:
                - issuer: \(issuer)
                  audience: \(audience)
                  claims: { repository: acme/shop, event_name: workflow_dispatch }
            """
    }

    @Test func aJobActsAsTheIdentityItsClaimsMatchAndNothingElseGetsIn() async throws {
        let idp = try IdentityProviderFixture()
        let f = try await ServerFixture(policy: Self.policy(issuer: idp.issuer))
        let good = try await idp.ciToken("shop-deploy", audience: Self.audience)
        try await f.application().test(.router) { client in
            var headers = f.headers(nil)
            headers[.authorization] = "Bearer \(good)"
            let me = try await client.call(.get, "/api/v1/whoami", headers)
            #expect(me.status == .ok)
            let body = try object(me)
            #expect(body["identity"] as? String == "shop-ci")
            #expect(body["role"] as? String == "deployer")
            #expect((body["token"] as? String)?.hasPrefix("oidc:") == true)
            // It acts as the deployer: a request it makes names it.
            let made = try await client.call(.post, "/api/v1/deploy-requests", headers, ServerFixture.requestBody())
            #expect(made.status == .created, "\(String(buffer: made.body))")
        }

        // Each refusal is 401 with its reason, and never another identity.
        func refused(_ token: String, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) async {
            await #expect(sourceLocation: sourceLocation) {
                _ = try await f.control.authenticate(secret: token)
            } throws: { error in
                let e = error as? ControlError
                return e?.code == .unauthenticated && e?.message.contains(reason) == true
            }
        }
        // The issuer rotates its key: new tokens verify at once, tokens signed with the withdrawn key do not.
        try await idp.control("/control/rotate", #"{"alg": "ES256"}"#)
        let rotated = try await idp.ciToken("shop-deploy", audience: Self.audience)
        #expect(try await f.control.authenticate(secret: rotated).identity == "shop-ci")
        await refused(good, "does not publish")
        await refused(
            try await idp.ciToken("shop-deploy", audience: "https://elsewhere.example"),
            "matches no identity's oidc rules (aud https://elsewhere.example, repository acme/shop")
        await refused(try await idp.ciToken("fork-deploy", audience: Self.audience), "repository mallory/shop")
        await refused(try await idp.ciToken("shop-branch", audience: Self.audience), "ref refs/heads/evil")
        try await idp.control("/control/next", #"{"exp_offset": -120}"#)
        await refused(try await idp.ciToken("shop-deploy", audience: Self.audience), "expired at")
        try await idp.control("/control/next", #"{"iat_offset": 300}"#)
        await refused(try await idp.ciToken("shop-deploy", audience: Self.audience), "in the future (iat)")
        try await idp.control("/control/next", #"{"kid": "no-such-key"}"#)
        await refused(try await idp.ciToken("shop-deploy", audience: Self.audience), "does not publish")
        for sign in ["none", "hs256-public", "unlisted"] {
            try await idp.control("/control/next", #"{"sign": "\#(sign)"}"#)
            await refused(try await idp.ciToken("shop-deploy", audience: Self.audience), "the CI ID token")
        }
        // An issuer no rule names is refused before anything is fetched from it.
        let before = try await idp.log().count
        try await idp.control("/control/next", #"{"iss": "http://127.0.0.1:9/evil"}"#)
        await refused(
            try await idp.ciToken("shop-deploy", audience: Self.audience),
            "was issued by http://127.0.0.1:9/evil, which no identity's oidc rules trust")
        // A claim that is not a string matches no pattern.
        try await idp.control("/control/next", #"{"claims": {"repository": ["acme/shop"]}}"#)
        await refused(try await idp.ciToken("shop-deploy", audience: Self.audience), "matches no identity's oidc rules")
        #expect(try await idp.log().count == before + 2, "only the two token requests: nothing fetched for evil")
        await refused("eyJhbGciOiJSUzI1NiJ9.e30.x", "was issued by nobody")
        await refused("a.b.c", "is not a signed JWT")

        // The build workflow's job is the builder (its identity also deploys, so the rule names the role).
        try await idp.control(
            "/control/next",
            #"{"claims": {"job_workflow_ref": "acme/shop/.github/workflows/build.yml@refs/heads/main"}}"#)
        let builder = try await f.control.authenticate(
            secret: try await idp.ciToken("shop-deploy", audience: Self.audience))
        #expect(builder.identity == "shop-builder" && builder.role == .builder)
        // Two identities' rules matching one job is the policy's mistake: nobody, and both named.
        try await idp.control("/control/next", #"{"claims": {"event_name": "workflow_dispatch"}}"#)
        await refused(
            try await idp.ciToken("shop-deploy", audience: Self.audience),
            "matches the oidc rules of several identities (shop-ci as deployer, shop-twin as deployer)")

    }
}
