import CountersignCore
import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CountersignControl

/// Where a change's facts come from, end to end through the API (issue 16, item 3): in a protected environment the
/// gate decides on what GitHub's API says about the commit — read by the server with the App's token from a GitHub
/// API of the tests' own on 127.0.0.1 — and on what binds the digest to it; what the deploy bot says about its own
/// change only adds controls.
@Suite struct ChangeFactsTests {
    /// The fixture's policy with a lighter tier above the standard one: a reversible flag flip needs only its check.
    static let policy = ServerFixture.policy.replacingOccurrences(
        of: """
            kind: Tier
            metadata: { name: standard }
            """,
        with: """
            kind: Tier
            metadata: { name: flag-flip }
            spec:
              priority: 100
              match: "change.kind == 'flag' && change.reversible"
              controls:
                checks: [unit]
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Tier
            metadata: { name: standard }
            """)

    static let repository = "acme/shop"
    static let head = String(repeating: "5e", count: 20)

    /// Pull request #7 as GitHub's API returns it: bob's one-way migration, merged into main as the fixture's commit.
    static func pullRequest(merged: Bool = true) -> [String: Any] {
        [
            "number": 7, "state": merged ? "closed" : "open", "title": "PAY-99: drop the legacy column",
            "html_url": "https://github.com/acme/shop/pull/7", "user": ["login": "bob"],
            "head": ["ref": "drop-column", "sha": head], "base": ["ref": "main"],
            "labels": [["name": "kind:schema-migration"], ["name": "one-way"]],
            "merged": merged, "merged_at": merged ? "2026-11-03T09:00:00Z" : NSNull(),
            "merge_commit_sha": ServerFixture.commit, "merged_by": ["login": "erin"], "commits": 2,
        ]
    }

    /// Its two commits: bob's, and one alice pushed under an address GitHub links to no account — her noreply one.
    static var commits: [[String: Any]] {
        [
            [
                "sha": String(repeating: "1a", count: 20), "author": ["login": "bob"], "committer": ["login": "bob"],
                "commit": [
                    "author": ["email": "bob@example.com", "date": "2026-11-02T09:00:00Z"],
                    "committer": ["email": "bob@example.com", "date": "2026-11-02T09:00:00Z"],
                ],
            ],
            [
                "sha": head, "author": NSNull(), "committer": ["login": "web-flow"],
                "commit": [
                    "author": ["email": "12345678+alice-gh@users.noreply.github.com", "date": "2026-11-02T10:00:00Z"],
                    "committer": ["email": "noreply@github.com", "date": "2026-11-02T10:00:00Z"],
                ],
            ],
        ]
    }

    /// The deploy bot's account: a reversible flag flip by someone else, reviewed.
    static let botsAccount = """
        {"service": "shop", "environment": "production",
         "artifact": "registry.example.com/shop@\(ServerFixture.digest)",
         "change": {"repository": "acme/shop", "commit": "\(ServerFixture.commit)", "ref": "refs/heads/main",
                    "kind": "flag", "reversible": true,
                    "pullRequest": {"number": 7, "author": "mallory", "reviewers": ["alice"]}}}
        """

    static func fixture(_ github: FakeHTTPServer, policy: String = ChangeFactsTests.policy) async throws
        -> ServerFixture
    {
        try await ServerFixture(
            github: GitHubConfiguration(webhookSecret: "s3cret", apiBaseURL: github.baseURL, apiToken: "ghs_test"),
            policy: policy)
    }

    @Test func theDeployBotsAccountOfItsChangeCountsForNothingAgainstGitHubsRecord() async throws {
        let github = try await FakeHTTPServer()
        try github.servePullRequest(
            Self.repository, Self.pullRequest(), commits: Self.commits,
            reviews: [
                // alice approved the first head; the branch moved on since.
                [
                    "user": ["login": "alice"], "state": "APPROVED", "commit_id": String(repeating: "1a", count: 20),
                    "submitted_at": "2026-11-02T09:30:00Z",
                ]
            ], associated: [ServerFixture.commit])
        let f = try await Self.fixture(github)
        try await f.application().test(.router) { client in
            _ = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "registry.example.com/shop@\#(ServerFixture.digest)", "commit": "\#(ServerFixture.commit)"}"#
            )
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), Self.botsAccount)
            #expect(created.status == .created)
            let body = try object(created)
            let id = try #require((body["request"] as? [String: Any])?["id"] as? String)
            let decision = try #require(body["decision"] as? [String: Any])
            // GitHub records a one-way migration: the flag flip the bot claims does not lighten it.
            #expect(decision["tier"] as? String == "standard")
            #expect(decision["verdict"] as? String == "pending")
            let messages = (decision["controls"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(messages.contains { $0.contains("as GitHub records them (github-api): acme/shop #7") })
            #expect(messages.contains { $0.contains("selects tier flag-flip, GitHub's record tier standard") })
            #expect(messages.contains { $0.contains("built from 0123456789ab (registered by ci)") })

            // The server read the pull request, its commits and its reviews with the App's token.
            let reads = github.reads.map(\.path)
            #expect(reads.contains { $0.hasPrefix("/repos/acme/shop/commits/\(ServerFixture.commit)/pulls") })
            #expect(reads.contains { $0.hasPrefix("/repos/acme/shop/pulls/7/commits") })
            #expect(reads.contains { $0.hasPrefix("/repos/acme/shop/pulls/7/reviews") })
            #expect(github.reads.allSatisfy { $0.headers["authorization"] == "Bearer ghs_test" })

            // alice pushed a commit under her noreply address, which the bot left out: she may not approve.
            let alice = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#)
            #expect(alice.status == .forbidden)
            let aliceRefusal = try apiError(alice).message
            #expect(aliceRefusal.contains("a committer of the change"), "\(aliceRefusal)")
            // bob wrote it, whatever the bot says.
            let bob = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("bob"), #"{"decision": "approve"}"#)
            #expect(bob.status == .forbidden)
            #expect(try apiError(bob).message.contains("the change's author"))
            // "mallory", the author the bot named, is excluded as well: naming people only adds to those excluded.
            let excluded = try await f.control.excluded(
                try await f.control.deployRequest(id: id).request,
                environment: try #require(f.control.policy.bundle.environments["production"]),
                digest: ServerFixture.digest)
            #expect(excluded["mallory"] != nil && excluded["alice"] != nil && excluded["bob"] != nil)
        }
    }

    @Test func productionWaitsForGitHubsRecordAndRefusesWhenGitHubCannotBeRead() async throws {
        // No GitHub at all: recorded, pending, and the reason names the missing facts.
        let plain = try await ServerFixture()
        try await plain.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", plain.headers("deployer"), ServerFixture.requestBody())
            #expect(created.status == .created)
            let reasons = ((try object(created)["decision"] as? [String: Any])?["controls"] as? [[String: Any]] ?? [])
                .filter { $0["status"] as? String != "satisfied" }.compactMap { $0["message"] as? String }
            #expect(reasons.contains { $0.contains("no GitHub record of acme/shop@0123456789ab yet") }, "\(reasons)")
            #expect(reasons.contains { $0.contains("nothing binds \(ServerFixture.digest) to commit 0123456789ab") })
        }

        // A GitHub whose API fails: nothing is recorded, and the caller is told to try again.
        let github = try await FakeHTTPServer()
        try github.serve(
            "/repos/acme/shop/commits/\(ServerFixture.commit)/pulls", ["message": "Server Error"], status: 502)
        let f = try await Self.fixture(github)
        try await f.application().test(.router) { client in
            let size = try await f.ledgerSize()
            let refused = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(refused.status == .serviceUnavailable)
            let message = try apiError(refused).message
            #expect(message.contains("cannot be read from GitHub") && message.contains("HTTP 502: Server Error"))
            #expect(try await f.ledgerSize() == size)

        }
    }

    @Test func aHostileAPICannotLeadTheTokenAway() async throws {
        let elsewhere = try await FakeHTTPServer()
        let github = try await FakeHTTPServer()
        let pulls = "/repos/acme/shop/commits/\(ServerFixture.commit)/pulls"
        // A next page on another host.
        try github.serve(
            pulls, [Self.pullRequest()], headers: ["Link": "<\(elsewhere.baseURL)\(pulls)?page=2>; rel=\"next\""])
        let f = try await Self.fixture(github)
        try await f.application().test(.router) { client in
            let led = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(led.status == .serviceUnavailable)
            #expect(try apiError(led).message.contains("named a next page outside \(github.baseURL); not followed"))
            // A redirect to it.
            try github.serve(pulls, ["message": "Moved"], status: 302, headers: ["Location": elsewhere.baseURL + pulls])
            let redirected = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(redirected.status == .serviceUnavailable)
            #expect(try apiError(redirected).message.contains("HTTP 302"))
        }
        #expect(elsewhere.reads.isEmpty && elsewhere.recorded.isEmpty)
    }

    @Test(arguments: ["acme/../admin", "acme/shop/extra", "acme", "/acme/shop", "acme/sh op", "acme/shop?x=1", "../.."])
    func aRepositoryNameCannotStepOutOfTheAPIPath(_ repository: String) async throws {
        let github = try await FakeHTTPServer()
        let f = try await Self.fixture(github)
        try await f.application().test(.router) { client in
            let body = ServerFixture.requestBody().replacingOccurrences(
                of: #""repository": "acme/shop""#, with: #""repository": "\#(repository)""#)
            let refused = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), body)
            #expect(refused.status == .badRequest, "\(repository)")
            #expect(try apiError(refused).message.contains("is not a GitHub owner/name"))
        }
        #expect(github.reads.isEmpty)
    }

    /// An abbreviated commit can be made to name another commit: production refuses it before reading anything.
    @Test(arguments: ["0123456", String(repeating: "0", count: 39), String(repeating: "0", count: 41), "main"])
    func productionReadsFactsByFullCommitIdsOnly(_ commit: String) async throws {
        let github = try await FakeHTTPServer()
        let f = try await Self.fixture(github)
        try await f.application().test(.router) { client in
            let body = ServerFixture.requestBody().replacingOccurrences(of: ServerFixture.commit, with: commit)
            let refused = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), body)
            #expect(refused.status == .badRequest, "\(commit)")
            #expect(try apiError(refused).message.contains("not a full git commit id"))
        }
        #expect(github.reads.isEmpty)
    }

    @Test func onlyABuilderThatCannotDeployBindsADigestToItsCommit() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let reference = "registry.example.com/shop@\(ServerFixture.digest)"
            let byBot = try await client.call(
                .post, "/api/v1/artifacts", f.headers("deployer"),
                #"{"reference": "\#(reference)", "commit": "\#(ServerFixture.commit)"}"#)
            #expect(byBot.status == .forbidden)
            let abbreviated = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "\#(reference)", "commit": "0123456"}"#)
            #expect(abbreviated.status == .badRequest)
            #expect(try apiError(abbreviated).message.contains("not a full git commit id"))

            // Built from another commit than the request names: denied, saying so.
            try await f.recordChangeFacts()
            let other = String(repeating: "f", count: 40)
            _ = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "\#(reference)", "commit": "\#(other)"}"#)
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let decision = try #require(try object(created)["decision"] as? [String: Any])
            #expect(decision["verdict"] as? String == "denied")
            let reasons = (decision["controls"] as? [[String: Any]] ?? []).filter {
                $0["status"] as? String == "denied"
            }
            #expect(reasons.contains { ($0["message"] as? String)?.contains("was built from ffffffffffff") == true })
        }
    }

    /// Deliveries alone (no API token): a review counts only for the head commit it approved, a new head starts
    /// without approvals, and a dismissal withdraws one.
    @Test func aReviewApprovesTheHeadItWasGivenOnAndNoOther() async throws {
        let f = try await ServerFixture(
            github: GitHubConfiguration(
                webhookSecret: GitHubTests.secret, apiBaseURL: "http://127.0.0.1:9", apiToken: ""))
        let head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
        let moved = String(repeating: "9", count: 40)
        var pr = try GitHubTests.fixture("pull_request.opened.json")
        let opened = try JSONSerialization.data(withJSONObject: pr)
        var pull = try #require(pr["pull_request"] as? [String: Any])
        var headObject = try #require(pull["head"] as? [String: Any])
        headObject["sha"] = moved
        pull["head"] = headObject
        pr["pull_request"] = pull
        pr["action"] = "synchronize"
        let pushed = try JSONSerialization.data(withJSONObject: pr)
        let review = try GitHubTests.fixture("pull_request_review.submitted.json")
        func reviewed(_ action: String, _ state: String, on commit: String) throws -> Data {
            var body = review
            body["action"] = action
            body["review"] = ["user": ["login": "alice"], "state": state, "commit_id": commit]
            return try JSONSerialization.data(withJSONObject: body)
        }
        let deliveries: [(event: String, body: Data, reviewers: [(String, [String])])] = [
            ("pull_request", opened, [(head, [])]),
            // An approval of another commit approves that commit.
            (
                "pull_request_review", try reviewed("submitted", "approved", on: String(repeating: "0", count: 40)),
                [(head, [])]
            ),
            ("pull_request_review", try reviewed("submitted", "approved", on: head), [(head, ["alice"])]),
            ("pull_request_review", try reviewed("dismissed", "dismissed", on: head), [(head, [])]),
            ("pull_request_review", try reviewed("submitted", "approved", on: head), [(head, ["alice"])]),
            // A push moves the head: the new head starts without approvals.
            ("pull_request", pushed, [(moved, []), (head, ["alice"])]),
        ]
        let control = f.control
        try await f.application().test(.router) { client in
            for (n, delivery) in deliveries.enumerated() {
                let response = try await GitHubTests().deliver(
                    client, delivery.event, data: delivery.body, delivery: "d-\(n)")
                #expect(response.status == .ok)
                for (commit, expected) in delivery.reviewers {
                    let recorded = try await control.storedChange(commit: commit)?.pullRequest?.reviewers
                    #expect(recorded == expected, "after delivery \(n), on \(commit.prefix(7))")
                }
            }
        }
    }
}
