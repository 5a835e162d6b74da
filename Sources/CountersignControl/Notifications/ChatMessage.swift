internal import CountersignCore
internal import CountersignEncoding
internal import Foundation

/// The chat messages of a decision: Slack's Block Kit and a Microsoft Teams Adaptive Card, with the request, its
/// verdict, what it waits for, and a link to its page. A Slack message for a request waiting for approvals also
/// carries Approve and Reject, which come back signed to `/webhooks/slack/interactions` and go through the same
/// review path as the web UI's.
enum ChatMessage {
    static let approve = "countersign.approve"
    static let reject = "countersign.reject"

    static func title(_ request: DeployRequest, _ decision: Decision) -> String {
        String("Deploy \(request.service) to \(request.environment): \(decision.verdict.rawValue)".prefix(150))
    }

    static func link(_ request: DeployRequest, publicURL: String?) -> String? {
        publicURL.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/ui/requests/" + request.id }
    }

    /// Slack's mrkdwn escapes: `&`, `<` and `>` only.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func slack(_ request: DeployRequest, _ decision: Decision, link: String?, interactive: Bool) -> JSONValue {
        func field(_ name: String, _ value: String) -> JSONValue {
            .object([("type", "mrkdwn"), ("text", .string(String("*\(name)*\n\(escape(value))".prefix(2000))))])
        }
        var blocks: [JSONValue] = [
            .object([
                ("type", "header"),
                ("text", .object([("type", "plain_text"), ("text", .string(title(request, decision)))])),
            ]),
            .object([
                ("type", "section"),
                (
                    "fields",
                    .array([
                        field("Request", request.id), field("Tier", decision.tier ?? "none"),
                        field("Requested by", request.requester), field("Artifact", request.artifact),
                    ])
                ),
            ]),
        ]
        if !decision.reasons.isEmpty {
            let text = decision.reasons.map { "• " + escape($0) }.joined(separator: "\n")
            blocks.append(
                .object([
                    ("type", "section"),
                    ("text", .object([("type", "mrkdwn"), ("text", .string(String(text.prefix(3000))))])),
                ]))
        }
        var buttons: [JSONValue] = []
        if interactive, decision.verdict == .pending {
            func button(_ label: String, _ action: String, _ style: String) -> JSONValue {
                .object([
                    ("type", "button"), ("action_id", .string(action)), ("style", .string(style)),
                    ("text", .object([("type", "plain_text"), ("text", .string(label))])),
                    ("value", .string(request.id)),
                ])
            }
            buttons += [button("Approve", approve, "primary"), button("Reject", reject, "danger")]
        }
        if let link {
            buttons.append(
                .object([
                    ("type", "button"), ("action_id", "countersign.open"), ("url", .string(link)),
                    ("text", .object([("type", "plain_text"), ("text", "Open in Countersign")])),
                ]))
        }
        if !buttons.isEmpty {
            blocks.append(
                .object([
                    ("type", "actions"), ("block_id", .string("countersign:\(request.id)")),
                    ("elements", .array(buttons)),
                ]))
        }
        return .object([("text", .string(title(request, decision))), ("blocks", .array(blocks))])
    }

    static func teams(_ request: DeployRequest, _ decision: Decision, link: String?) -> JSONValue {
        func fact(_ title: String, _ value: String) -> JSONValue {
            .object([("title", .string(title)), ("value", .string(value))])
        }
        var body: [JSONValue] = [
            .object([
                ("type", "TextBlock"), ("text", .string(title(request, decision))), ("weight", "Bolder"),
                ("size", "Medium"), ("wrap", .bool(true)),
            ]),
            .object([
                ("type", "FactSet"),
                (
                    "facts",
                    .array([
                        fact("Request", request.id), fact("Tier", decision.tier ?? "none"),
                        fact("Requested by", request.requester), fact("Artifact", request.artifact),
                    ])
                ),
            ]),
        ]
        for reason in decision.reasons.prefix(20) {
            body.append(.object([("type", "TextBlock"), ("text", .string("- " + reason)), ("wrap", .bool(true))]))
        }
        var card: [(String, JSONValue)] = [
            ("$schema", "http://adaptivecards.io/schemas/adaptive-card.json"), ("type", "AdaptiveCard"),
            ("version", "1.4"), ("body", .array(body)),
        ]
        if let link {
            card.append(
                (
                    "actions",
                    .array([
                        .object([("type", "Action.OpenUrl"), ("title", "Open in Countersign"), ("url", .string(link))])
                    ])
                ))
        }
        return .object([
            ("type", "message"),
            (
                "attachments",
                .array([
                    .object([
                        ("contentType", "application/vnd.microsoft.card.adaptive"), ("contentUrl", .null),
                        ("content", .object(card)),
                    ])
                ])
            ),
        ])
    }
}
