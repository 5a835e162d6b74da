import CountersignControl
import CountersignLedger
import CountersignServer
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17, item 8: approvals where approvers are. Decisions go to Slack (Block Kit, validated with `slack_sdk`'s
/// block models) and Microsoft Teams (an Adaptive Card) by environment or team, with a link to the request; Approve
/// and Reject clicked in Slack come back signed and go through the same review path — the author's click refused and
/// recorded, a stale or replayed click refused.
@Suite struct ChatNotificationTests {
    static let signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let policy = ServerFixture.policy
        .replacingOccurrences(of: "aliases: [alice-gh]", with: #"aliases: [alice-gh, "slack:U0ALICE"]"#)
        .replacingOccurrences(
            of: "metadata: { name: bob }\nspec: { kind: human, roles: [approver] }",
            with: "metadata: { name: bob }\nspec: { kind: human, roles: [approver], aliases: [\"slack:U0BOB\"] }")

    /// Slack's signature of `body` at `timestamp`.
    static func sign(_ body: String, _ timestamp: String, secret: String = signingSecret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("v0:\(timestamp):\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "v0=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// A click as Slack posts it: the block action, form-encoded.
    static func click(_ action: String, request: String, user: String) -> String {
        let payload =
            #"{"type": "block_actions", "user": {"id": "\#(user)", "username": "someone"}, "api_app_id": "A0001", "#
            + #""container": {"type": "message"}, "actions": [{"type": "button", "action_id": "\#(action)", "#
            + #""block_id": "countersign:\#(request)", "value": "\#(request)", "action_ts": "1700000000.1"}]}"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "payload=" + payload.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    @Test func decisionsReachChatAndSlackClicksAreReviews() async throws {
        let chat = try await FakeHTTPServer()
        let f = try await ServerFixture(
            notifications: NotificationSettings(
                chats: [
                    try ChatRoute("production=\(chat.baseURL)/slack/production", service: .slack),
                    try ChatRoute("staging=\(chat.baseURL)/slack/staging", service: .slack),
                    try ChatRoute("team:owners=\(chat.baseURL)/teams/owners", service: .teams),
                ], publicURL: ServerFixture.publicURL, slackSigningSecret: Self.signingSecret),
            policy: Self.policy)
        let deliverer = OutboxDeliverer(control: f.control)
        try await f.application().test(.router) { client in
            var backoff: [String: ContinuousClock.Instant] = [:]
            try await f.recordChangeFacts()
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            #expect(try await deliverer.deliverDue(&backoff) == 2, "production's Slack and the owners' Teams")
            let slack = try #require(chat.recorded.first { $0.path == "/slack/production" })
            #expect(!chat.recorded.contains { $0.path == "/slack/staging" })
            let message = try #require(JSONSerialization.jsonObject(with: Data(slack.body.utf8)) as? [String: Any])
            #expect(message["text"] as? String == "Deploy shop to production: pending")
            #expect(slack.body.contains(#""action_id":"countersign.approve""#))
            #expect(slack.body.contains(#""url":"\#(ServerFixture.publicURL)/ui/requests/\#(id)""#))
            #expect(slack.headers["x-countersign-signature-256"] == nil, "a chat webhook gets the message alone")
            try Self.validateWithSlackSDK(slack.body)
            let teams = try #require(chat.recorded.first { $0.path == "/teams/owners" })
            let card = try #require(
                ((JSONSerialization.jsonObject(with: Data(teams.body.utf8)) as? [String: Any])?["attachments"]
                    as? [[String: Any]])?.first)
            #expect(card["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
            #expect(((card["content"] as? [String: Any])?["type"] as? String) == "AdaptiveCard")
            #expect(teams.body.contains("Action.OpenUrl"))

            func post(_ body: String, timestamp: String? = nil, signature: String? = nil) async throws -> TestResponse {
                let at = timestamp ?? String(Int(Date().timeIntervalSince1970))
                let headers: HTTPFields = [
                    .contentType: "application/x-www-form-urlencoded",
                    .init("X-Slack-Request-Timestamp")!: at,
                    .init("X-Slack-Signature")!: signature ?? Self.sign(body, at),
                ]
                return try await client.call(.post, "/webhooks/slack/interactions", headers, body)
            }
            func text(_ r: TestResponse) throws -> String { try object(r)["text"] as? String ?? "" }
            // Forged, stale or unsigned: refused, nothing recorded.
            let size = try await f.ledgerSize()
            let approve = Self.click("countersign.approve", request: id, user: "U0ALICE")
            #expect(
                try await post(approve, signature: Self.sign(approve, "1", secret: "wrong")).status == .unauthorized)
            let stale = String(Int(Date().timeIntervalSince1970) - 301)
            #expect(try await post(approve, timestamp: stale).status == .unauthorized)
            #expect(try await post(approve, signature: "v0=").status == .unauthorized)
            #expect(try await f.ledgerSize() == size)

            // bob wrote the change: his click is refused, recorded, and said.
            let own = try text(try await post(Self.click("countersign.approve", request: id, user: "U0BOB")))
            #expect(own.contains("bob could not review \(id): bob may not review this request"), "\(own)")
            let refused = try await f.control.store.lookup(
                "SELECT COUNT(*) FROM entries WHERE type = 'approval.refused'", [])
            #expect(refused.rows == [[.integer(1)]])
            let stranger = try await post(Self.click("countersign.approve", request: id, user: "U0NOBODY"))
            #expect(try text(stranger).contains("is no approver of the policy"))
            // alice approves in Slack; the decision waits for the unit check only.
            let approved = try text(try await post(approve))
            #expect(approved == "alice approved \(id): pending", "\(approved)")
            let at = String(Int(Date().timeIntervalSince1970))
            let first = try await post(
                Self.click("countersign.reject", request: "dr_none", user: "U0ALICE"), timestamp: at)
            let again = try await post(
                Self.click("countersign.reject", request: "dr_none", user: "U0ALICE"), timestamp: at)
            #expect(try text(first).contains("could not review dr_none"))
            #expect(try text(again).hasPrefix("duplicate"), "the same signed request is processed once")

            // The check passes: allowed, and the channel hears it without buttons.
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            while try await deliverer.deliverDue(&backoff) > 0 {}
            let last = try #require(chat.recorded.last { $0.path == "/slack/production" })
            #expect(last.body.contains("Deploy shop to production: allowed"))
            #expect(!last.body.contains("countersign.approve"))
            try Self.validateWithSlackSDK(last.body)
        }
    }

    /// Every block of a Slack message parses and validates with `slack_sdk`'s block models, the reference.
    static func validateWithSlackSDK(_ message: String) throws {
        let python = try #require(ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PYTHON"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("slack-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try message.write(to: file, atomically: true, encoding: .utf8)
        let script = """
            import json, sys
            from slack_sdk.models.blocks import Block
            message = json.load(open(sys.argv[1]))
            assert isinstance(message.get("text"), str) and message["text"], "no fallback text"
            for raw in message["blocks"]:
                block = Block.parse(raw)
                assert block is not None, f"unknown block {raw.get('type')}"
                block.validate_json()
                assert block.to_dict() == raw, f"slack_sdk reads {raw} as {block.to_dict()}"
            print("ok", len(message["blocks"]))
            """
        let run = try ActionTests.run(python, ["-c", script, file.path])
        #expect(run.status == 0 && run.output.hasPrefix("ok"), "\(run.output)")
    }
}

extension ChatNotificationTests {
    @Test func routesAreParsedStrictlyAndClicksNeedTheSecret() async throws {
        #expect(try ChatRoute("https://hooks.slack.com/services/T/B/x", service: .slack).key == "slack:*")
        #expect(
            try ChatRoute("Production=https://hooks.slack.com/x", service: .slack).key == "slack:environment:production"
        )
        #expect(try ChatRoute("team:owners=https://x.webhook.office.com/y", service: .teams).key == "teams:team:owners")
        for bad in ["http://hooks.slack.com/x", "production", "production=ftp://x", "=https://"] {
            #expect(throws: ControlError.self, "\(bad)") { try ChatRoute(bad, service: .slack) }
        }
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let body = Self.click("countersign.approve", request: "dr_x", user: "U0ALICE")
            let at = String(Int(Date().timeIntervalSince1970))
            let headers: HTTPFields = [
                .init("X-Slack-Request-Timestamp")!: at, .init("X-Slack-Signature")!: Self.sign(body, at),
            ]
            let answer = try await client.call(.post, "/webhooks/slack/interactions", headers, body)
            #expect(answer.status == .notFound)
        }
    }
}
