import CountersignControl
import CountersignCore
import CountersignServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Issue 17, item 2: a protection rule on an ordinary `environment:` job. GitHub creates that job's deployment
/// with an empty payload, so the artifact is the build of the run's commit that a builder registered (or that
/// verified provenance names); `payload.artifact` may only pick among those builds.
extension GitHubTests {
    static let realShape = "deployment_protection_rule.requested.real-shape.json"
    static let realCommit = "47efb7196c2a1a2fd3f52f2c59f0e2dd3d0e4d54"
    static let realRepository = "zaniebot/release-authenticator-example"

    /// The release environment of the recorded delivery, protected; its author is a person of the policy.
    static let releasePolicy =
        ServerFixture.policy + """

            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: release }
            spec: { rank: 30, protected: true, deployers: [deploy-bot], sourceRefs: ["refs/heads/main"] }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: zanie }
            spec: { kind: human, roles: [approver], aliases: [zaniebot] }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: ci-deployer }
            spec: { kind: automation, roles: [builder, deployer] }
            """

    /// The recorded delivery as GitHub sent it; only the callback's origin is the test's GitHub API, which the
    /// configured API root must be for Countersign to call it back.
    func realShapeDelivery(_ github: FakeHTTPServer, payload: [String: Any]? = nil) throws -> [String: Any] {
        var rule = try Self.fixture(Self.realShape)
        let callback = try #require(rule["deployment_callback_url"] as? String)
        rule["deployment_callback_url"] = callback.replacingOccurrences(
            of: "https://api.github.com", with: github.baseURL)
        if let payload {
            var deployment = try #require(rule["deployment"] as? [String: Any])
            deployment["payload"] = payload
            rule["deployment"] = deployment
        }
        return rule
    }

    /// A GitHub API answering for `commit` of `repository` as pushed without a pull request, `login` its author and
    /// committer.
    static func gitHub(pushed commit: String, in repository: String, by login: String, email: String) async throws
        -> FakeHTTPServer
    {
        let github = try await FakeHTTPServer()
        try github.serve("/repos/\(repository)/commits/\(commit)/pulls", [Any]())
        try github.serve(
            "/repos/\(repository)/commits/\(commit)",
            [
                "sha": commit, "author": ["login": login], "committer": ["login": login],
                "commit": [
                    "author": ["email": email, "date": "2026-11-02T09:00:00Z"],
                    "committer": ["email": email, "date": "2026-11-02T09:00:00Z"],
                ],
            ])
        return github
    }

    /// A GitHub API answering for the recorded delivery's pushed commit — no pull request, zaniebot wrote and
    /// committed it — and a server of the release policy configured with it.
    static func releaseFixture() async throws -> (FakeHTTPServer, ServerFixture) {
        let github = try await Self.gitHub(
            pushed: Self.realCommit, in: Self.realRepository, by: "zaniebot", email: "zanie@example.com")
        let f = try await ServerFixture(
            github: GitHubConfiguration(
                webhookSecret: Self.secret, apiBaseURL: github.baseURL, apiToken: "ghs_test", deployer: "deploy-bot"),
            policy: Self.releasePolicy)
        return (github, f)
    }

    @Test func anOrdinaryJobDeploysTheRegisteredBuildOfItsCommit() async throws {
        let (github, f) = try await Self.releaseFixture()
        let image = "ghcr.io/zaniebot/app@\(ServerFixture.digest)"
        let otherDigest = "sha256:" + String(repeating: "cd", count: 32)
        try await f.application().test(.router) { client in
            func outcome(_ rule: [String: Any], _ delivery: String) async throws -> String {
                let answer = try await deliver(client, "deployment_protection_rule", rule, delivery: delivery)
                #expect(answer.status == .ok)
                return try #require(try object(answer)["outcome"] as? String)
            }
            // Nothing registered for the commit: rejected, saying what to do.
            let none = try await outcome(try realShapeDelivery(github), "r-1")
            #expect(
                none.hasPrefix(
                    "rejected: no build of \(Self.realRepository)@47efb7196c2a is known: register it from the build job"
                ),
                "\(none)")

            // A fork's build of the same commit, and one registered by an identity that may also deploy, count
            // for nothing: the party being gated does not choose what it deploys.
            let fork = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "ghcr.io/evil/app@\#(otherDigest)", "commit": "\#(Self.realCommit)", "repository": "evil/release-authenticator-example"}"#
            )
            #expect(fork.status == .created)
            let both = try await f.control.createToken(
                identity: "ci-deployer", role: .builder, issuer: .host(user: "test"))
            var bothHeaders = f.headers(nil)
            bothHeaders[.authorization] = "Bearer \(both.secret)"
            let interested = try await client.call(
                .post, "/api/v1/artifacts", bothHeaders,
                #"{"reference": "ghcr.io/zaniebot/app@\#(otherDigest)", "commit": "\#(Self.realCommit)", "repository": "\#(Self.realRepository)"}"#
            )
            #expect(interested.status == .created)
            let ignored = try await outcome(try realShapeDelivery(github), "r-2")
            #expect(ignored.contains("no build of"), "\(ignored)")
            #expect(ignored.contains("a record for evil/release-authenticator-example"), "\(ignored)")
            #expect(ignored.contains("a registration by ci-deployer, who may deploy or is no builder"), "\(ignored)")

            // The builder registers the build (the repository in other capitals is the same repository).
            let registered = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "\#(image)", "commit": "\#(Self.realCommit)", "repository": "ZanieBot/Release-Authenticator-Example"}"#
            )
            #expect(registered.status == .created)

            // payload.artifact may pick a build, never add one: another digest, or this digest elsewhere, is refused.
            let foreign = try await outcome(
                try realShapeDelivery(github, payload: ["artifact": "ghcr.io/zaniebot/app@\(otherDigest)"]), "r-3")
            #expect(foreign.contains("is not a build of \(Self.realRepository)@47efb7196c2a"), "\(foreign)")
            let elsewhere = try await outcome(
                try realShapeDelivery(github, payload: ["artifact": "evil.example/app@\(ServerFixture.digest)"]), "r-4")
            #expect(
                elsewhere.contains("payload.artifact names evil.example/app, but that build of"), "\(elsewhere)")

            // The recorded delivery as GitHub sends it: the build is the artifact, decided at once.
            let decided = try await outcome(try realShapeDelivery(github), "r-5")
            #expect(decided.hasSuffix(": pending"), "\(decided)")
            let id = String(decided.dropFirst("request ".count).prefix { $0 != ":" })
            let status = try object(try await client.call(.get, "/api/v1/deploy-requests/\(id)", f.headers("alice")))
            let request = try #require(status["request"] as? [String: Any])
            #expect(request["artifact"] as? String == image)
            #expect(request["environment"] as? String == "release")

            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            let approved = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#)
            let decision = try object(approved)
            #expect(decision["verdict"] as? String == "allowed", "\(decision)")
            let controls = try #require(decision["controls"] as? [[String: Any]])
            #expect(
                controls.contains {
                    $0["control"] as? String == "source"
                        && ($0["message"] as? String)?.contains("registered by ci") == true
                }, "\(controls)")

            // A second build of the commit makes the bare delivery ambiguous; the payload then picks one.
            _ = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "ghcr.io/zaniebot/worker@\#(otherDigest)", "commit": "\#(Self.realCommit)", "repository": "\#(Self.realRepository)"}"#
            )
            let ambiguous = try await outcome(try realShapeDelivery(github), "r-6")
            #expect(
                ambiguous.contains("2 builds of \(Self.realRepository)@47efb7196c2a are registered"), "\(ambiguous)")
            let picked = try await outcome(try realShapeDelivery(github, payload: ["artifact": image]), "r-7")
            #expect(picked.hasPrefix("request dr_"), "\(picked)")
        }
        // Every refusal went back to GitHub as a rejection with its reason; the allowed run as an approval.
        let deliverer = OutboxDeliverer(control: f.control)
        var backoff: [String: ContinuousClock.Instant] = [:]
        while try await deliverer.deliverDue(&backoff) > 0 {}
        let states = github.recorded.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["state"] as? String
        }
        #expect(states.filter { $0 == "rejected" }.count == 5, "\(states)")
        #expect(states.contains("approved"), "\(states)")
        #expect(
            github.recorded.allSatisfy {
                $0.path == "/repos/\(Self.realRepository)/actions/runs/23625057533/deployment_protection_rule"
            })
    }
}
