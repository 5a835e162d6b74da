import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// GitHub deployment protection rules end to end: signed deliveries from ../shared/testdata/webhooks, the
/// decision, and the callback delivered to a fake GitHub API that records it.
@Suite struct GitHubTests {
    static let secret = "It's a Secret to Everybody"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/testdata/webhooks").standardized

    static func fixture(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// GitHub's published vector, and the comma-less negative one (reference §1.5).
    @Test func signatureVectors() {
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookSignature.sign(Array("Hello, World!".utf8), secret: Self.secret) == header)
        #expect(WebhookSignature.isValid(header, body: Array("Hello, World!".utf8), secret: Self.secret))
        #expect(!WebhookSignature.isValid(header, body: Array("Hello World!".utf8), secret: Self.secret))
        #expect(
            WebhookSignature.sign(Array("Hello World!".utf8), secret: Self.secret)
                == "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")
        #expect(!WebhookSignature.isValid(nil, body: [], secret: Self.secret))
        #expect(!WebhookSignature.isValid("sha1=abc", body: [], secret: Self.secret))
        #expect(!WebhookSignature.isValid("sha256=zz", body: [], secret: Self.secret))
    }

    func deliver(
        _ client: some TestClientProtocol, _ event: String, _ payload: Any, delivery: String, secret: String = secret
    ) async throws -> TestResponse {
        try await deliver(
            client, event, data: try JSONSerialization.data(withJSONObject: payload), delivery: delivery, secret: secret
        )
    }

    func deliver(
        _ client: some TestClientProtocol, _ event: String, data body: Data, delivery: String, secret: String = secret
    ) async throws -> TestResponse {
        let headers: HTTPFields = [
            .contentType: "application/json", .init("X-GitHub-Event")!: event,
            .init("X-GitHub-Delivery")!: delivery,
            .init("X-Hub-Signature-256")!: WebhookSignature.sign(Array(body), secret: secret),
        ]
        return try await client.execute(
            uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    @Test func protectionRuleFlowWithCallbacks() async throws {
        let github = try await FakeHTTPServer()
        let receiver = try await FakeHTTPServer()
        let f = try await ServerFixture(
            github: GitHubConfiguration(
                webhookSecret: Self.secret, apiBaseURL: github.baseURL, apiToken: "ghs_test", deployer: "deploy-bot"),
            notifications: NotificationSettings(urls: [receiver.baseURL + "/hook"], secret: "n0tify"))
        let deliverer = OutboxDeliverer(control: f.control)
        let pr = try Self.fixture("pull_request.opened.json")
        let head = ((pr["pull_request"] as? [String: Any])?["head"] as? [String: Any])?["sha"] as? String ?? ""
        // GitHub's API, once the pull request is merged into main as `merge`: what the deployment's commit is.
        let merge = "c4295bd74fb0f4fda03689c3df3f2803b658fd85"
        var merged = try #require(pr["pull_request"] as? [String: Any])
        merged["merged"] = true
        merged["merged_at"] = "2026-11-03T09:00:00Z"
        merged["merge_commit_sha"] = merge
        merged["merged_by"] = ["login": "octocat"]
        merged["base"] = ["ref": "main", "sha": String(repeating: "0", count: 40)]
        try github.servePullRequest(
            "Codertocat/Hello-World", merged,
            commits: [
                [
                    "sha": head, "author": ["login": "Codertocat"], "committer": ["login": "web-flow"],
                    "commit": [
                        "author": ["email": "codertocat@example.com", "date": "2026-11-02T09:00:00Z"],
                        "committer": ["email": "noreply@github.com", "date": "2026-11-02T09:00:00Z"],
                    ],
                ]
            ], associated: [head, merge])
        var rule = try Self.fixture("deployment_protection_rule.requested.real-shape.json")
        rule["environment"] = "production"
        rule["repository"] = pr["repository"]
        rule["deployment_callback_url"] =
            github.baseURL + "/repos/Codertocat/Hello-World/actions/runs/77/deployment_protection_rule"
        rule["deployment"] =
            [
                "id": 9, "sha": merge, "ref": "main", "environment": "production",
                "payload": ["artifact": "registry.example.com/hello@\(ServerFixture.digest)"],
            ] as [String: Any]
        let prData = try JSONSerialization.data(withJSONObject: pr)
        let ruleData = try JSONSerialization.data(withJSONObject: rule)

        try await f.application().test(.router) { client in
            var backoff: [String: ContinuousClock.Instant] = [:]
            let opened = try await deliver(client, "pull_request", data: prData, delivery: "d-1")
            #expect(opened.status == .ok)
            // CI registers the digest as built from the merge commit.
            let registered = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "registry.example.com/hello@\#(ServerFixture.digest)", "commit": "\#(merge)", "repository": "Codertocat/Hello-World"}"#
            )
            #expect(registered.status == .created)
            let decided = try await deliver(client, "deployment_protection_rule", data: ruleData, delivery: "d-2")
            #expect(decided.status == .ok)
            let outcome = try #require(try object(decided)["outcome"] as? String)
            #expect(outcome.hasSuffix(": pending"))
            let id = String(outcome.dropFirst("request ".count).prefix { $0 != ":" })

            // The replayed delivery is acknowledged and processed once.
            let size = try await f.ledgerSize()
            let replay = try await deliver(client, "deployment_protection_rule", data: ruleData, delivery: "d-2")
            #expect(try object(replay)["outcome"] as? String == "duplicate delivery d-2: already processed")
            #expect(try await f.ledgerSize() == size)

            // The change evidence came from the pull_request delivery: the author is excluded.
            let status = try await client.call(.get, "/api/v1/deploy-requests/\(id)", f.headers("alice"))
            let request = try #require(try object(status)["request"] as? [String: Any])
            #expect(
                ((request["change"] as? [String: Any])?["pullRequest"] as? [String: Any])?["author"] as? String
                    == "Codertocat")
            #expect(request["deployer"] as? String == "deploy-bot")

            // Pending: a status comment (no state) goes to GitHub, and a notification to the receiver.
            #expect(try await deliverer.deliverDue(&backoff) == 2)
            let comment = try #require(github.recorded.first)
            #expect(comment.path == "/repos/Codertocat/Hello-World/actions/runs/77/deployment_protection_rule")
            #expect(comment.headers["authorization"] == "Bearer ghs_test")
            let commentBody = try #require(
                JSONSerialization.jsonObject(with: Data(comment.body.utf8)) as? [String: Any])
            #expect(commentBody["state"] == nil)
            #expect(commentBody["environment_name"] as? String == "production")
            #expect((commentBody["comment"] as? String)?.contains("waiting for check unit") == true)
            let hook = try #require(receiver.recorded.first)
            #expect(
                WebhookSignature.isValid(
                    hook.headers["x-countersign-signature-256"], body: Array(hook.body.utf8), secret: "n0tify"))

            // Checks and an approval make it allowed; the callback approves the run.
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            let approved = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#)
            #expect(try object(approved)["verdict"] as? String == "allowed")
            #expect(try await deliverer.deliverDue(&backoff) >= 1)
            let callbacks = github.recorded.filter { $0.body.contains("\"state\"") }
            #expect(callbacks.count == 1)
            let final = try #require(JSONSerialization.jsonObject(with: Data(callbacks[0].body.utf8)) as? [String: Any])
            #expect(final["state"] as? String == "approved")

            // The deploy's outcome arrives as deployment_status.
            var deployed = try Self.fixture("deployment_status.created.json")
            var deployment = try #require(deployed["deployment"] as? [String: Any])
            deployment["sha"] = merge
            deployed["deployment"] = deployment
            let done = try await deliver(client, "deployment_status", deployed, delivery: "d-3")
            #expect((try object(done)["outcome"] as? String)?.hasPrefix("deploy.succeeded") == true)
        }
        let rows = try await f.control.store.lookup("SELECT status FROM deploys", [])
        #expect(rows.rows == [[.text("succeeded")]])
        let pending = try await f.control.store.lookup(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL", [])
        #expect(pending.rows == [[.integer(0)]])
    }

    /// Callback URLs that start with the API's prefix but leave it once resolved, or that are not a protection
    /// rule's callback at all: Countersign would send its GitHub token to each.
    @Test func callbackURLsMustBeExactlyAProtectionRuleCallback() {
        let github = GitHubConfiguration(webhookSecret: "s", apiBaseURL: "https://ghe.example/api/v3/", apiToken: "t")
        let good = "https://ghe.example/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule"
        #expect(github.deploymentCallback(good) == good)
        #expect(
            github.deploymentCallback("HTTPS://GHE.EXAMPLE/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule")
                == good)
        for bad in [
            "https://ghe.example/api/v3/../../x",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/42/../../../../../x/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/../r/actions/runs/42/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/./actions/runs/42/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/4%32/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/%2e%2e/actions/runs/42/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule?x=1",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule#f",
            "https://evil@ghe.example/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule",
            "https://ghe.example:8443/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule",
            "http://ghe.example/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule",
            "https://ghe.example.evil/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule",
            "https://ghe.example/api/v3x/repos/o/r/actions/runs/42/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/x42/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/42/deployment_protection_rule/",
            "https://ghe.example/api/v3/repos/o/r/actions/runs/42",
            "https://ghe.example/api/v3/user/keys",
            "https://ghe.example/api/v3//repos/o/r/actions/runs/42/deployment_protection_rule",
            "https://ghe.example/api/v3/repos/o/r\\..\\x/actions/runs/42/deployment_protection_rule",
        ] {
            #expect(github.deploymentCallback(bad) == nil, "\(bad)")
        }
    }

    /// A captured delivery replayed under a new delivery id is recognised by its signed bytes and processed once;
    /// malformed signature headers are refused (ConnectionLimitTests sends oversized and unsigned bodies over a
    /// real socket, where a declared length is not rewritten).
    @Test func replaysAndOversizedOrUnsignedBodiesAreRefused() async throws {
        let github = try await FakeHTTPServer()
        let f = try await ServerFixture(
            github: GitHubConfiguration(webhookSecret: Self.secret, apiBaseURL: github.baseURL, apiToken: "ghs_test"))
        try await f.application().test(.router) { client in
            let pr = try JSONSerialization.data(withJSONObject: try Self.fixture("pull_request.opened.json"))
            let first = try await deliver(client, "pull_request", data: pr, delivery: "r-1")
            #expect(first.status == .ok)
            let size = try await f.ledgerSize()
            for id in ["r-1", "r-2", "R-1 "] {
                let replay = try await deliver(client, "pull_request", data: pr, delivery: id)
                #expect(replay.status == .ok)
                #expect((try object(replay)["outcome"] as? String)?.contains("duplicate delivery") == true, "\(id)")
            }
            #expect(try await f.ledgerSize() == size, "a replay appends nothing")

            for header in [
                "sha256=", "sha1=" + String(repeating: "0", count: 40), "sha256=" + String(repeating: "z", count: 64),
            ] {
                let malformed: HTTPFields = [
                    .init("X-GitHub-Event")!: "ping", .init("X-GitHub-Delivery")!: "m",
                    .init("X-Hub-Signature-256")!: header,
                ]
                let r = try await client.execute(
                    uri: "/webhooks/github", method: .post, headers: malformed, body: ByteBuffer(string: "{}"))
                #expect(r.status == .unauthorized, "\(header)")
            }
            #expect(try await f.ledgerSize() == size)
        }
    }

    @Test func badSignaturesAndForgedCallbacksAreRefused() async throws {
        let github = try await FakeHTTPServer()
        let f = try await ServerFixture(
            github: GitHubConfiguration(webhookSecret: Self.secret, apiBaseURL: github.baseURL, apiToken: "ghs_test"))
        try await f.application().test(.router) { client in
            let before = try await f.ledgerSize()
            let wrong = try await deliver(client, "ping", ["zen": "hi"], delivery: "x-1", secret: "not the secret")
            #expect(wrong.status == .unauthorized)
            var unsigned: HTTPFields = [.init("X-GitHub-Event")!: "ping", .init("X-GitHub-Delivery")!: "x-2"]
            unsigned[.contentType] = "application/json"
            let missing = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: unsigned, body: ByteBuffer(string: "{}"))
            #expect(missing.status == .unauthorized)
            #expect(try await f.ledgerSize() == before)

            var rule = try Self.fixture("deployment_protection_rule.requested.real-shape.json")
            rule["environment"] = "production"
            // The fixture's callback points at api.github.com, not the configured API: refused, nothing queued.
            let forged = try await deliver(client, "deployment_protection_rule", rule, delivery: "x-3")
            #expect(forged.status == .badRequest)
            #expect(
                try apiError(forged).message.contains("is not a protection-rule callback of the configured GitHub API"))

            // A run whose commit has no known build is rejected back to GitHub with the reason.
            rule["deployment_callback_url"] = github.baseURL + "/repos/o/r/actions/runs/1/deployment_protection_rule"
            let noArtifact = try await deliver(client, "deployment_protection_rule", rule, delivery: "x-4")
            #expect((try object(noArtifact)["outcome"] as? String)?.contains("no build of") == true)
        }
        var backoff: [String: ContinuousClock.Instant] = [:]
        github.answer(500)
        let deliverer = OutboxDeliverer(control: f.control)
        #expect(try await deliverer.deliverDue(&backoff) == 1)
        // A 500 is retried after the backoff; nothing is delivered twice.
        #expect(try await deliverer.deliverDue(&backoff) == 0)
        backoff.removeAll()
        #expect(try await deliverer.deliverDue(&backoff) == 1)
        #expect(github.recorded.count == 2)
        #expect(github.recorded.last?.body.contains("\"state\":\"rejected\"") == true)
        #expect(try await deliverer.deliverDue(&backoff) == 0)
    }
}
