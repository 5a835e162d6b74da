internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    // MARK: deployment_review

    /// `deployment_review` (approved, rejected): a review clicked in GitHub on a run a protection rule held. It goes
    /// through the same review path as one given in Countersign — the reviewer is the identity whose alias is their
    /// GitHub login, a person with the approver role; separation of duties applies, and a refused click (the
    /// change's author approving their own deploy) is recorded as `approval.refused` and named in the outcome.
    /// It reviews the requests of that run (`workflow_run.id`) in the environments the delivery names.
    func deploymentReview(_ payload: JSONValue) async throws(ControlError) -> String {
        let action = payload["action"]?.stringValue ?? ""
        guard action == "approved" || action == "rejected" else { return "deployment review \(action) noted" }
        guard let run = payload["workflow_run"]?["id"], run != .null,
            let commit = payload["workflow_run"]?["head_sha"]?.stringValue,
            let login = payload["approver"]?["login"]?.stringValue ?? payload["sender"]?["login"]?.stringValue
        else {
            throw ControlError(
                .badRequest, "deployment_review: missing workflow_run.id, workflow_run.head_sha or approver")
        }
        let runs = (payload["workflow_job_runs"]?.arrayValue ?? []) + [payload["workflow_job_run"] ?? .null]
        let environments = Set(runs.compactMap { $0["environment"]?.stringValue.map(Names.canonical) })
        let bundle = policy.bundle
        guard let identity = bundle.identity(login), identity.kind == .human, identity.roles.contains(.approver) else {
            return "review by \(login) in GitHub: \(login) is no approver of the policy; not counted"
        }
        let principal = Principal(
            identity: identity.name, role: .approver, kind: .human, tokenID: "github:deployment_review")
        var outcomes: [String] = []
        for id in try await read({ r throws(LedgerError) in try await r.requests(commit: commit.lowercased()) }) {
            let status = try await deployRequest(id: id)
            guard status.github?.run == run, environments.isEmpty || environments.contains(status.request.environment)
            else { continue }
            do {
                let decision = try await review(
                    id: id, state: action == "approved" ? .granted : .rejected,
                    comment: payload["comment"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }, by: principal)
                outcomes.append("\(id) \(decision.verdict.rawValue)")
            } catch  where error.code == .forbidden || error.code == .conflict {
                outcomes.append("\(id) refused: \(error.message)")
            }
        }
        guard !outcomes.isEmpty else { return "review by \(identity.name) in GitHub: no request of run \(run)" }
        return "review by \(identity.name) in GitHub (\(action)): " + outcomes.joined(separator: "; ")
    }

    // MARK: Checks

    /// `check_run` and `check_suite` (completed), and `status`: GitHub's record of a check against a commit, as
    /// `commit_check.reported`, and as `check.reported` for every build of the commit (`trustedBuilds`). The reporter
    /// is the check's app (`github-actions[bot]`) or the status's sender, named as the policy names them: the checks
    /// control counts only builders' reports, so a check posted by someone else is recorded and ignored.
    func githubCheck(_ event: String, _ payload: JSONValue) async throws(ControlError) -> String {
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        let commit: String?
        let name: String?
        let status: CheckResult.Status?
        let reporter: String?
        let details: String
        switch event {
        case "status":
            let state = payload["state"]?.stringValue ?? ""
            commit = payload["sha"]?.stringValue
            name = payload["context"]?.stringValue
            status = ["success": .passed, "failure": .failed, "error": .failed, "pending": .pending][state]
            reporter = payload["sender"]?["login"]?.stringValue
            details = "status \(state)" + (payload["target_url"]?.stringValue.map { " \($0)" } ?? "")
        default:
            let node = payload[event]
            guard payload["action"]?.stringValue == "completed" else {
                return "\(event) \(payload["action"]?.stringValue ?? "?") noted: only a completed one is a result"
            }
            let conclusion = node?["conclusion"]?.stringValue ?? ""
            let slug = node?["app"]?["slug"]?.stringValue
            commit = node?["head_sha"]?.stringValue
            name = event == "check_suite" ? slug.map { "suite:\($0)" } : node?["name"]?.stringValue
            // A check that did not run (skipped, neutral) has not passed: it stays pending.
            status = ["success": .passed, "neutral": .pending, "skipped": .pending][conclusion] ?? .failed
            reporter = slug.map { "\($0)[bot]" } ?? payload["sender"]?["login"]?.stringValue
            details =
                "\(event) \(node?["id"]?.integerValue.map(String.init) ?? "?"): \(conclusion)"
                + (node?["html_url"]?.stringValue.map { " \($0)" } ?? "")
        }
        guard let commit, Change.isCommitID(commit), let name, !name.isEmpty, let status, let reporter,
            Self.isRepositoryName(repository)
        else { throw ControlError(.badRequest, "\(event): missing repository, commit, name, state or reporter") }
        let check = CommitCheckReported(
            repository: repository, commit: commit, name: name, status: status,
            reportedBy: policy.bundle.canonical(reporter), details: details)
        let digests = try await record(
            check, bindingTo: try await trustedBuilds(of: repository, commit: commit).builds.keys.sorted())
        return "check \(name) \(status.rawValue) at \(commit.prefix(12)) by \(check.reportedBy)"
            + (digests.isEmpty ? " (no build of it yet)" : " for \(digests.joined(separator: ", "))")
    }

    /// Records `check` and its report for each of `digests`, and decides their requests again.
    @discardableResult
    private func record(_ check: CommitCheckReported, bindingTo digests: [String]) async throws(ControlError)
        -> [String]
    {
        var batch = EntryBatch()
        let at = now()
        try batch.add(check, actor: "github", at: at)
        for digest in digests {
            try batch.add(Self.report(check, for: digest), actor: "github", at: at)
        }
        _ = try await record(batch)
        for digest in digests { try await redecide(digest: digest, by: "github") }
        return digests
    }

    /// A commit check as the check of one build of the commit.
    static func report(_ check: CommitCheckReported, for digest: String) -> CheckReported {
        CheckReported(
            digest: digest, name: check.name, status: check.status, reportedBy: check.reportedBy,
            details: "\(check.repository)@\(check.commit.prefix(12)): \(check.details ?? "")")
    }

    /// The checks GitHub recorded against `commit` in `repository`, as reports for `digest`: what a build registered
    /// (or verified) after its commit's checks concluded is given.
    func commitChecks(_ repository: String?, _ commit: String, for digest: String) async throws(ControlError)
        -> [CheckReported]
    {
        guard let repository else { return [] }
        let key = ChangeResolution.repositoryKey(repository)
        return try await read({ r throws(LedgerError) in try await r.commitChecks(commit: commit) })
            .filter { ChangeResolution.repositoryKey($0.repository) == key }
            .map { Self.report($0, for: digest) }
    }
}

extension ControlPlane {
    // MARK: push

    /// `push`: when each pushed commit was made (`commits[].timestamp`), as `commits.pushed`. A deploy request for
    /// one of them later starts its lead time there — GitHub's word, not the requester's.
    func push(_ payload: JSONValue) async throws(ControlError) -> String {
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        guard Self.isRepositoryName(repository) else { throw ControlError(.badRequest, "push: missing repository") }
        let ref = payload["ref"]?.stringValue ?? ""
        let commits = (payload["commits"]?.arrayValue ?? []).compactMap { commit -> CommitsPushed.Pushed? in
            guard let id = commit["id"]?.stringValue, Change.isCommitID(id),
                let at = commit["timestamp"]?.stringValue.flatMap(RFC3339.date)
            else { return nil }
            return CommitsPushed.Pushed(id: id.lowercased(), at: at)
        }
        guard !commits.isEmpty else { return "push to \(ref): no commits" }
        try await record(CommitsPushed(repository: repository, ref: ref, commits: commits), actor: "github")
        return "push to \(ref): \(commits.count) commit time\(commits.count == 1 ? "" : "s") recorded"
    }
}
