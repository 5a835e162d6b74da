import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17, item 3: GitHub's own evidence. A check GitHub records against a commit becomes the check of its
/// builds (registered before or after it concluded); a review clicked in GitHub goes through the same review path
/// as one given in Countersign, separation of duties included. Each delivery is signed and processed once.
extension GitHubTests {
    func checkRun(_ name: String, _ conclusion: String, app: String = "github-actions", id: Int) -> [String: Any] {
        [
            "action": "completed",
            "check_run": [
                "id": id, "name": name, "head_sha": Self.realCommit, "status": "completed", "conclusion": conclusion,
                "html_url": "https://github.com/\(Self.realRepository)/runs/\(id)",
                "app": ["slug": app, "name": app],
            ] as [String: Any],
            "repository": ["full_name": Self.realRepository, "name": "release-authenticator-example"],
            "sender": ["login": "zaniebot"],
        ]
    }

    /// `deployment_review` as GitHub sends it (the shape of the recorded `requested` delivery, approved).
    func deploymentReview(_ action: String, by login: String, comment: String = "") throws -> [String: Any] {
        var review = try Self.fixture("deployment_review.requested.json")
        review["action"] = action
        var run = try #require(review["workflow_run"] as? [String: Any])
        run["id"] = 23_625_057_533
        run["head_sha"] = Self.realCommit
        review["workflow_run"] = run
        review["workflow_job_runs"] = [
            [
                "id": 1, "name": "deploy", "status": "waiting", "conclusion": NSNull(), "html_url": "https://x",
                "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z", "environment": "release",
            ] as [String: Any]
        ]
        review["approver"] = ["login": login, "type": "User"]
        review["comment"] = comment
        review["since"] = "2026-11-02T09:00:00Z"
        review["repository"] = ["full_name": Self.realRepository, "name": "release-authenticator-example"]
        return review
    }

    @Test func githubChecksAndReviewsDecideTheRun() async throws {
        let (github, f) = try await Self.releaseFixture()
        let image = "ghcr.io/zaniebot/app@\(ServerFixture.digest)"
        try await f.application().test(.router) { client in
            func outcome(_ event: String, _ payload: [String: Any], _ delivery: String) async throws -> String {
                let answer = try await deliver(client, event, payload, delivery: delivery)
                #expect(answer.status == .ok, "\(String(buffer: answer.body))")
                return try #require(try object(answer)["outcome"] as? String)
            }
            // The push: when the commit was made (in its author's zone), where its lead time starts.
            func push(_ timestamp: String) -> [String: Any] {
                [
                    "ref": "refs/heads/main", "repository": ["full_name": Self.realRepository],
                    "commits": [
                        ["id": Self.realCommit, "timestamp": timestamp], ["id": "not-a-commit", "timestamp": "x"],
                    ],
                ]
            }
            #expect(
                try await outcome("push", push("2026-11-02T07:30:00-01:00"), "p-1")
                    == "push to refs/heads/main: 1 commit time recorded")
            _ = try await outcome("push", push("2026-11-03T00:00:00Z"), "p-2")
            // The unit tests conclude before the build is registered: recorded against the commit.
            let early = try await outcome("check_run", checkRun("unit", "success", id: 1), "c-1")
            #expect(early == "check unit passed at 47efb7196c2a by ci (no build of it yet)", "\(early)")
            let queued = try await outcome(
                "check_run", checkRun("lint", "success", id: 2).merging(["action": "created"]) { $1 }, "c-2")
            #expect(queued.contains("only a completed one is a result"))
            // The build is registered: the commit's checks become its checks.
            _ = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "\#(image)", "commit": "\#(Self.realCommit)", "repository": "\#(Self.realRepository)"}"#
            )
            var rule = try realShapeDelivery(github)
            rule["environment"] = "release"
            let requested = try await outcome("deployment_protection_rule", rule, "r-1")
            #expect(requested.hasSuffix(": pending"), "\(requested)")
            let id = String(requested.dropFirst("request ".count).prefix { $0 != ":" })
            let started = try await f.control.store.lookup(
                "SELECT committed_at FROM deploy_requests WHERE request_id = ?", [.text(id)])
            #expect(started.rows == [[.text("2026-11-02T08:30:00.000Z")]], "the first push's time, not the API's")
            var decision = try object(
                try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("alice")))
            #expect(Self.message(decision, "checks")?.contains("unit passed (reported by ci)") == true, "\(decision)")

            // A status by someone who is no builder is recorded and counts for nothing.
            let forged = try await outcome(
                "status",
                [
                    "sha": Self.realCommit, "state": "failure", "context": "unit", "sender": ["login": "mallory"],
                    "repository": ["full_name": Self.realRepository],
                ], "s-1")
            #expect(forged.contains("check unit failed at 47efb7196c2a by mallory for \(ServerFixture.digest)"))
            decision = try object(
                try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("alice")))
            #expect(decision["verdict"] as? String == "pending", "\(decision)")
            #expect(Self.message(decision, "checks")?.contains("unit passed (reported by ci)") == true, "\(decision)")
            // zaniebot wrote the commit: their click in GitHub is refused, recorded, and named.
            let own = try await outcome("deployment_review", try deploymentReview("approved", by: "zaniebot"), "v-1")
            #expect(own.contains("\(id) refused: zanie may not review this request"), "\(own)")
            let refusals = try await f.control.store.lookup(
                "SELECT COUNT(*) FROM entries WHERE type = 'approval.refused'", [])
            #expect(refusals.rows == [[.integer(1)]])
            // Someone GitHub knows but the policy does not: not counted.
            let stranger = try await outcome(
                "deployment_review", try deploymentReview("approved", by: "octocat"), "v-2")
            #expect(stranger.contains("octocat is no approver of the policy"), "\(stranger)")
            // alice (alice-gh in GitHub) approves: the run is allowed.
            let click = try JSONSerialization.data(
                withJSONObject: try deploymentReview("approved", by: "alice-gh", comment: "ship it"))
            let approved = try await deliver(client, "deployment_review", data: click, delivery: "v-3")
            #expect(
                try object(approved)["outcome"] as? String == "review by alice in GitHub (approved): \(id) allowed",
                "\(String(buffer: approved.body))")
            // Redelivered, under its id or another: processed once.
            for again in ["v-3", "v-4"] {
                let replay = try await deliver(client, "deployment_review", data: click, delivery: again)
                #expect((try object(replay)["outcome"] as? String)?.hasPrefix("duplicate delivery \(again)") == true)
            }

            // The builder's own re-run failing does count: the next run of the commit is denied.
            _ = try await outcome("check_run", checkRun("unit", "failure", id: 3), "c-3")
            rule["workflow_run"] = ["id": 23_625_057_534]
            rule["deployment_callback_url"] = (rule["deployment_callback_url"] as? String)?.replacingOccurrences(
                of: "/runs/23625057533/", with: "/runs/23625057534/")
            let next = try await outcome("deployment_protection_rule", rule, "r-2")
            #expect(next.hasSuffix(": denied"), "\(next)")
            let nextID = String(next.dropFirst("request ".count).prefix { $0 != ":" })
            decision = try object(
                try await client.call(.get, "/api/v1/deploy-requests/\(nextID)/decision", f.headers("alice")))
            #expect(Self.message(decision, "checks")?.contains("unit failed") == true, "\(decision)")
            // A suite is a check named after its app; a skipped run has not passed.
            let suite = try await outcome(
                "check_suite",
                [
                    "action": "completed",
                    "check_suite": [
                        "id": 9, "head_sha": Self.realCommit, "conclusion": "success",
                        "app": ["slug": "github-actions"],
                    ],
                    "repository": ["full_name": Self.realRepository],
                ], "c-4")
            #expect(suite.hasPrefix("check suite:github-actions passed"), "\(suite)")
            let skipped = try await outcome("check_run", checkRun("e2e", "skipped", id: 5), "c-5")
            #expect(skipped.hasPrefix("check e2e pending"), "\(skipped)")
        }
    }

    static func message(_ decision: [String: Any], _ control: String) -> String? {
        (decision["controls"] as? [[String: Any]])?.first { $0["control"] as? String == control }?["message"] as? String
    }
}
