internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// Queues a notification in the ledger's outbox, in the batch of the event it announces; ``OutboxDeliverer``
    /// sends it, on this node or, after a restart, on the next, so nothing queued is lost.
    func queue(
        kind: NotificationQueued.Kind, target: String, body: JSONValue, request: String?, into batch: inout EntryBatch
    ) throws(ControlError) {
        try batch.add(
            NotificationQueued(
                id: Self.newID("nt_"), kind: kind, target: target, body: body.canonicalString, request: request),
            actor: "countersign", at: now())
    }

    /// With a decision: a JSON webhook to every configured URL, and — for a request that came from a GitHub
    /// deployment protection rule — the callback once the verdict is final (a status comment while it is pending).
    func notify(
        _ request: DeployRequest, _ decision: Decision, github: DeployRequested.GitHubOrigin?,
        into batch: inout EntryBatch
    ) throws(ControlError) {
        let summary: JSONValue = .object([
            ("event", .string(decision.verdict == .pending ? "approval.pending" : "gate.decided")),
            ("request", .string(request.id)), ("service", .string(request.service)),
            ("environment", .string(request.environment)), ("artifact", .string(request.artifact)),
            ("verdict", .string(decision.verdict.rawValue)), ("tier", decision.tier.map(JSONValue.string) ?? .null),
            ("reasons", .array(decision.reasons.map(JSONValue.string))),
        ])
        for url in notifications.urls {
            try queue(kind: .webhook, target: url, body: summary, request: request.id, into: &batch)
        }
        try notifyChats(request, decision, into: &batch)
        guard let github else { return }
        var body: [(String, JSONValue)] = [
            ("environment_name", .string(github.environment)), ("comment", .string(Self.comment(decision, request))),
        ]
        switch decision.verdict {
        case .allowed: body.append(("state", .string("approved")))
        case .denied: body.append(("state", .string("rejected")))
        case .pending: break
        }
        try queue(
            kind: .githubCallback, target: github.callback, body: .object(body), request: request.id, into: &batch)
    }

    /// Chat messages for the routes that cover the request: its environment's, those of the teams its tier asks to
    /// approve, and everything's. Posted when people are needed (the decision waits for approvals) and when the
    /// verdict is final; a decision waiting only for machines (checks, a canary) posts nothing.
    func notifyChats(_ request: DeployRequest, _ decision: Decision, into batch: inout EntryBatch) throws(ControlError)
    {
        guard !notifications.chats.isEmpty else { return }
        let waitsForPeople = decision.controls.contains { $0.control == "approvals" && $0.status == .pending }
        guard decision.verdict != .pending || waitsForPeople else { return }
        let teams = policy.bundle.tiers.first { $0.name == decision.tier }?.approvals.map(\.team) ?? []
        let link = ChatMessage.link(request, publicURL: notifications.publicURL)
        var sent: Set<String> = []
        for route in notifications.chats
        where route.covers(environment: request.environment, teams: teams) && sent.insert(route.key).inserted {
            let body: JSONValue
            switch route.service {
            case .slack:
                body = ChatMessage.slack(
                    request, decision, link: link, interactive: notifications.slackSigningSecret != nil)
            case .teams:
                body = ChatMessage.teams(request, decision, link: link)
            }
            try queue(
                kind: route.service == .slack ? .slack : .teams, target: route.key, body: body, request: request.id,
                into: &batch)
        }
    }

    /// The comment GitHub shows with the decision: the verdict and each unmet control, within GitHub's 1024
    /// characters.
    static func comment(_ decision: Decision, _ request: DeployRequest) -> String {
        var lines = [
            "Countersign: \(decision.verdict.rawValue) (request \(request.id), tier \(decision.tier ?? "none"))"
        ]
        lines += decision.reasons.map { "- \($0)" }
        var text = lines.joined(separator: "\n")
        if text.count > 1024 { text = String(text.prefix(1020)) + " …" }
        return text
    }
}
