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
    /// - `deployment_review`: an approval or rejection clicked in GitHub, through the same review path.
    /// - `push`: when each pushed commit was made, where lead time starts.
    /// - `check_run`, `check_suite`, `status`: a check against a commit, and through its builds against digests.
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
        case "deployment_review": outcome = try await deploymentReview(payload)
        case "push": outcome = try await push(payload)
        case "check_run", "check_suite", "status": outcome = try await githubCheck(event, payload)
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

    /// A pull request's facts for its head commit and, once merged, its merge commit. A delivery names the pull
    /// request's author but not who made its commits, so where GitHub's API is configured the commits and reviews
    /// are read from it as well; otherwise the record says its committers are unknown. Approvals carry over only
    /// while the head commit is the one approved.
    private func pullRequest(_ payload: JSONValue, delivery: String) async throws(ControlError) -> String {
        guard let pr = payload["pull_request"], let number = pr["number"]?.integerValue, number > 0,
            let head = pr["head"]?["sha"]?.stringValue, pr["user"]?["login"]?.stringValue != nil
        else { throw ControlError(.badRequest, "pull_request: missing number, head.sha or user.login") }
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        let existing = try await storedChange(repository: repository, pullRequest: Int64(number))
        let known = existing?.commit.lowercased() == head.lowercased() ? existing?.pullRequest?.reviewers ?? [] : []
        var commits = [head]
        if pr["merged"] == .bool(true), let merge = pr["merge_commit_sha"]?.stringValue { commits.append(merge) }
        let outcome = "change evidence for #\(number) at \(commits.joined(separator: ", "))"
        return try await recordDelivered(
            commits, repository: repository, pr: pr, knownReviewers: known, delivery: delivery, outcome: outcome)
    }

    /// A review changes who approves the head commit: an approval of an earlier commit, or of a head that has
    /// moved on, approves something else.
    private func pullRequestReview(_ payload: JSONValue, delivery: String) async throws(ControlError) -> String {
        guard let pr = payload["pull_request"], let number = pr["number"]?.integerValue, number > 0,
            let head = pr["head"]?["sha"]?.stringValue, let review = payload["review"],
            let reviewer = review["user"]?["login"]?.stringValue
        else {
            throw ControlError(.badRequest, "pull_request_review: missing pull_request.number, head.sha or review.user")
        }
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        let state = review["state"]?.stringValue?.lowercased() ?? ""
        let existing = try await storedChange(repository: repository, pullRequest: Int64(number))
        var reviewers = existing?.commit.lowercased() == head.lowercased() ? existing?.pullRequest?.reviewers ?? [] : []
        let approvesHead = review["commit_id"]?.stringValue?.lowercased() == head.lowercased()
        if state == "approved", approvesHead, payload["action"]?.stringValue != "dismissed" {
            if !reviewers.contains(reviewer) { reviewers.append(reviewer) }
        } else if state != "commented" {
            reviewers.removeAll { $0 == reviewer }
        }
        var commits = [head]
        if pr["merged"] == .bool(true), let merge = pr["merge_commit_sha"]?.stringValue { commits.append(merge) }
        let outcome = "review by \(reviewer) (\(state)) on #\(number)"
        return try await recordDelivered(
            commits, repository: repository, pr: pr, knownReviewers: reviewers, delivery: delivery, outcome: outcome)
    }

    /// Records what a delivery says about each of `commits`, reads the whole record from GitHub's API where it is
    /// configured, and decides the commits' requests again. An API read that fails leaves the delivery's record,
    /// and the outcome says why.
    private func recordDelivered(
        _ commits: [String], repository: String, pr: JSONValue, knownReviewers: [String], delivery: String,
        outcome: String
    ) async throws(ControlError) -> String {
        var outcome = outcome
        let bundle = policy.bundle
        for commit in commits {
            guard
                var delivered = GitHubChange.record(
                    commit: commit, repository: repository, pr: pr, commits: nil, reviews: nil,
                    knownReviewers: knownReviewers, policy: bundle)
            else { continue }
            delivered.delivery = delivery
            try await record(delivered, actor: "github")
            do {
                if try await readChangeFacts(repository: repository, commit: commit) != nil { continue }
            } catch {
                outcome += "; GitHub API read of \(commit.prefix(12)) failed: \(error.message)"
            }
            try await redecide(commit: commit, by: "github")
        }
        return outcome
    }

    /// A change from a pull request. Kind and reversibility come from labels (`kind:<kind>`, `one-way` or
    /// `irreversible`); without a label a change is `code` and reversible.
    static func change(
        commit: String, ref: String, number: Int, author: String, reviewers: [String], mergedBy: String?,
        labels: [String], title: String?
    ) -> Change {
        // Read in the names' canonical form: a label `One-Way` is `one-way`.
        let canonical = labels.map(Names.canonical)
        let kind = canonical.first { $0.hasPrefix("kind:") }.map { String($0.dropFirst(5)) } ?? "code"
        let irreversible =
            canonical.contains("one-way") || canonical.contains("irreversible") || kind == "schema-migration"
        let ticket = title.flatMap { t in
            t.range(of: #"[A-Z][A-Z0-9]+-[0-9]+"#, options: .regularExpression).map { String(t[$0]) }
        }
        return Change(
            commit: commit, ref: ref,
            pullRequest: Change.PullRequest(
                number: number, author: author, committers: [author], reviewers: reviewers, mergedBy: mergedBy),
            ticket: ticket, kind: kind, reversible: !irreversible, labels: labels)
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
