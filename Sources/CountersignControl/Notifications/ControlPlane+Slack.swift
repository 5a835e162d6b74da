internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Crypto
internal import Foundation

extension ControlPlane {
    /// How far a Slack request's timestamp may be from this server's clock: Slack's own advice, five minutes.
    static let slackWindow: TimeInterval = 300

    /// Approve or Reject clicked in a Slack message (`/webhooks/slack/interactions`).
    ///
    /// Slack signs each request: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` under the app's
    /// signing secret, with `X-Slack-Request-Timestamp`. A request whose timestamp is more than five minutes from
    /// this server's clock, or whose signature does not match (compared in constant time), is refused with nothing
    /// recorded; one seen before (the same signed bytes) is answered as a duplicate. The person is the identity
    /// whose alias is `slack:<their Slack user id>` — Slack's id, not a display name anyone can change — a human
    /// with the approver role; the click then goes through the same review path as the web UI's, so the change's
    /// author clicking Approve is refused and recorded (`approval.refused`).
    public func handleSlackInteraction(timestamp: String?, signature: String?, body: [UInt8])
        async throws(ControlError) -> String
    {
        guard let secret = notifications.slackSigningSecret else {
            throw ControlError(.notFound, "Slack interactions are not configured on this server")
        }
        guard let timestamp, let seconds = Int64(timestamp),
            abs(now().timeIntervalSince1970 - Double(seconds)) <= Self.slackWindow
        else {
            throw ControlError(
                .unauthenticated, "X-Slack-Request-Timestamp is missing or more than five minutes from now (a replay?)")
        }
        let signed = Array("v0:\(timestamp):".utf8) + body
        let expected =
            "v0="
            + Hex.encode(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8))))
        guard let signature, APIToken.constantTimeEquals(Array(signature.utf8), Array(expected.utf8)) else {
            throw ControlError(.unauthenticated, "X-Slack-Signature does not match the request")
        }
        let digest = Hex.sha256(body)
        if let first = try await read({ r throws(LedgerError) in try await r.delivery(bodySHA256: digest) }) {
            return "duplicate: the same request was processed as \(first)"
        }
        guard let payload = Self.formValue("payload", in: body).flatMap({ try? JSONValue(parsing: $0) }),
            payload["type"]?.stringValue == "block_actions", let action = payload["actions"]?.arrayValue?.first,
            let actionID = action["action_id"]?.stringValue, let id = action["value"]?.stringValue,
            let user = payload["user"]?["id"]?.stringValue
        else { throw ControlError(.badRequest, "the request is not a Slack block action with a user and a value") }
        let outcome: String
        if actionID == ChatMessage.approve || actionID == ChatMessage.reject {
            outcome = try await slackReview(id, approve: actionID == ChatMessage.approve, user: user)
        } else {
            outcome = "\(actionID) noted"
        }
        try await record(
            WebhookReceived(
                delivery: "slack-" + digest.prefix(32), event: "slack.block_actions", action: actionID,
                outcome: outcome,
                bodySHA256: digest, repository: nil),
            actor: "slack")
        return outcome
    }

    private func slackReview(_ id: String, approve: Bool, user: String) async throws(ControlError) -> String {
        let bundle = policy.bundle
        guard let identity = bundle.identity("slack:" + user), identity.kind == .human,
            identity.roles.contains(.approver)
        else {
            return
                "Slack user \(user) is no approver of the policy (give an approver the alias slack:\(user)); not counted"
        }
        let principal = Principal(identity: identity.name, role: .approver, kind: .human, tokenID: "slack:interaction")
        do {
            let decision = try await review(
                id: id, state: approve ? .granted : .rejected, comment: "in Slack", by: principal)
            return "\(identity.name) \(approve ? "approved" : "rejected") \(id): \(decision.verdict.rawValue)"
        } catch  where error.code == .forbidden || error.code == .conflict || error.code == .notFound {
            return "\(identity.name) could not review \(id): \(error.message)"
        }
    }

    /// The value of `name` in an `application/x-www-form-urlencoded` body.
    static func formValue(_ name: String, in body: [UInt8]) -> String? {
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
