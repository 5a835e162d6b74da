internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// GitHub deliveries are capped at 25 MB.
    public static let maxWebhookBytes = 25 << 20

    /// Handles one GitHub delivery: the signature is checked over the raw bytes before anything is parsed, a
    /// delivery id seen before is acknowledged without being processed again, and every processed delivery is a
    /// `webhook.received` entry with its outcome.
    ///
    /// - `pull_request`, `pull_request_review`: the change evidence for the head (and merge) commit — author,
    ///   reviewers who approved, merged-by, labels — as `change.recorded`.
    /// - `deployment_protection_rule`: a deploy request for the run's environment and commit, decided at once;
    ///   the callback (approved / rejected, or a status comment while pending) is queued for GitHub.
    /// - `deployment_status`: success or failure of the deploy the request allowed.
    /// - `ping` and anything else: acknowledged and recorded.
    ///
    /// - Returns: a one-line outcome for the response body.
    public func handleGitHub(
        event: String?, delivery: String?, signature: String?, body: [UInt8]
    ) async throws(ControlError) -> String {
        guard let github else { throw ControlError(.notFound, "GitHub webhooks are not configured on this server") }
        guard WebhookSignature.isValid(signature, body: body, secret: github.webhookSecret) else {
            throw ControlError(.unauthenticated, "the X-Hub-Signature-256 signature does not match the body")
        }
        return try await handleVerifiedGitHub(event: event, delivery: delivery, body: body)
    }

    /// `handleGitHub` for a body whose signature was checked as it streamed in (`WebhookRoutes`).
    package func handleVerifiedGitHub(event: String?, delivery: String?, body: [UInt8]) async throws(ControlError)
        -> String
    {
        guard let github else { throw ControlError(.notFound, "GitHub webhooks are not configured on this server") }
        guard let event, !event.isEmpty, event.count <= 100, let delivery, !delivery.isEmpty, delivery.count <= 100
        else {
            throw ControlError(.badRequest, "X-GitHub-Event and X-GitHub-Delivery are required")
        }
        if try await read({ r throws(LedgerError) in try await r.deliveryRecorded(id: delivery) }) {
            return "duplicate delivery \(delivery): already processed"
        }
        // A captured delivery replayed under a new delivery id carries the same signed bytes: its digest is the
        // delivery's identity as much as the id GitHub gives it.
        let digest = Hex.sha256(body)
        if let first = try await read({ r throws(LedgerError) in try await r.delivery(bodySHA256: digest) }) {
            return "duplicate delivery \(delivery): the same body was processed as delivery \(first)"
        }
        let payload: JSONValue
        do { payload = try JSONValue(parsing: String(decoding: body, as: UTF8.self)) } catch {
            throw ControlError(.badRequest, "the delivery is not valid JSON: \(error)")
        }
        guard case .object = payload else { throw ControlError(.badRequest, "the delivery is not a JSON object") }
        let action = payload["action"]?.stringValue
        let outcome: String
        switch event {
        case "pull_request": outcome = try await pullRequest(payload, delivery: delivery)
        case "pull_request_review": outcome = try await pullRequestReview(payload, delivery: delivery)
        case "deployment_protection_rule": outcome = try await protectionRule(payload, github)
        case "deployment_status": outcome = try await deploymentStatus(payload)
        default: outcome = "\(event) acknowledged"
        }
        let received = WebhookReceived(
            delivery: delivery, event: event, action: action, outcome: outcome, bodySHA256: digest,
            repository: payload["repository"]?["full_name"]?.stringValue)
        do {
            try await record(received, actor: "github")
        } catch {
            // Another node recorded the same delivery between our check and this append.
            if try await read({ r throws(LedgerError) in try await r.deliveryRecorded(id: delivery) }) {
                return "duplicate delivery \(delivery): already processed"
            }
            throw error
        }
        return outcome
    }

    // MARK: Change evidence

    private func pullRequest(_ payload: JSONValue, delivery: String) async throws(ControlError) -> String {
        guard let pr = payload["pull_request"], let number = pr["number"]?.integerValue, number > 0,
            let head = pr["head"]?["sha"]?.stringValue, let author = pr["user"]?["login"]?.stringValue
        else { throw ControlError(.badRequest, "pull_request: missing number, head.sha or user.login") }
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        let base = pr["base"]?["ref"]?.stringValue ?? "main"
        let labels = (pr["labels"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let existing = try await storedChange(repository: repository, pullRequest: Int64(number))
        var reviewers = existing?.pullRequest?.reviewers ?? []
        reviewers.removeAll { $0 == author }
        var commits = [
            (head, pr["head"]?["ref"].flatMap(\.stringValue).map { "refs/heads/\($0)" } ?? "refs/heads/\(base)")
        ]
        var mergedBy: String?
        if pr["merged"] == .bool(true), let merge = pr["merge_commit_sha"]?.stringValue {
            commits.append((merge, "refs/heads/\(base)"))
            mergedBy = pr["merged_by"]?["login"]?.stringValue
        }
        for (commit, ref) in commits {
            let change = Self.change(
                commit: commit, ref: ref, number: number, author: author, reviewers: reviewers,
                mergedBy: mergedBy, labels: labels, title: pr["title"]?.stringValue)
            try await recordChange(change, repository: repository, delivery: delivery)
        }
        return "change evidence for #\(number) at \(commits.map(\.0).joined(separator: ", "))"
    }

    private func pullRequestReview(_ payload: JSONValue, delivery: String) async throws(ControlError) -> String {
        guard let pr = payload["pull_request"], let number = pr["number"]?.integerValue, number > 0,
            let review = payload["review"], let reviewer = review["user"]?["login"]?.stringValue
        else { throw ControlError(.badRequest, "pull_request_review: missing pull_request.number or review.user") }
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        let state = review["state"]?.stringValue?.lowercased() ?? ""
        guard var change = try await storedChange(repository: repository, pullRequest: Int64(number)) else {
            return "review of #\(number) before its pull_request event: nothing to attach it to"
        }
        var reviewers = change.pullRequest?.reviewers ?? []
        if state == "approved", !reviewers.contains(reviewer), reviewer != change.pullRequest?.author {
            reviewers.append(reviewer)
        } else if payload["action"]?.stringValue == "dismissed" {
            reviewers.removeAll { $0 == reviewer }
        }
        change.pullRequest?.reviewers = reviewers
        try await recordChange(change, repository: repository, delivery: delivery)
        return "review by \(reviewer) (\(state)) on #\(number)"
    }

    /// A change from a pull request. Kind and reversibility come from labels (`kind:<kind>`, `one-way` or
    /// `irreversible`); without a label a change is `code` and reversible.
    static func change(
        commit: String, ref: String, number: Int, author: String, reviewers: [String], mergedBy: String?,
        labels: [String], title: String?
    ) -> Change {
        let kind = labels.first { $0.hasPrefix("kind:") }.map { String($0.dropFirst(5)) } ?? "code"
        let irreversible = labels.contains("one-way") || labels.contains("irreversible") || kind == "schema-migration"
        let ticket = title.flatMap { t in
            t.range(of: #"[A-Z][A-Z0-9]+-[0-9]+"#, options: .regularExpression).map { String(t[$0]) }
        }
        return Change(
            commit: commit, ref: ref,
            pullRequest: Change.PullRequest(
                number: number, author: author, committers: [author], reviewers: reviewers, mergedBy: mergedBy),
            ticket: ticket, kind: kind, reversible: !irreversible, labels: labels)
    }

    private func recordChange(_ change: Change, repository: String, delivery: String) async throws(ControlError) {
        try await record(ChangeRecorded(change: change, repository: repository, delivery: delivery), actor: "github")
    }

    private func storedChange(repository: String, pullRequest: Int64) async throws(ControlError) -> Change? {
        let found = try await read({ r throws(LedgerError) in
            try await r.recordedChange(repository: repository, pullRequest: pullRequest)
        })
        return try found.map { text throws(ControlError) in try Self.parseChange(text) }
    }

    func storedChange(commit: String) async throws(ControlError) -> Change? {
        let found = try await read({ r throws(LedgerError) in try await r.recordedChange(commit: commit) })
        return try found.map { text throws(ControlError) in try Self.parseChange(text) }
    }

    private static func parseChange(_ text: String) throws(ControlError) -> Change {
        do { return try PayloadCoding.decode(Change.self, from: try JSONValue(parsing: text)) } catch let e
            as ControlError
        {
            throw e
        } catch {
            throw ControlError(.internal, "a stored change is not JSON")
        }
    }
}
