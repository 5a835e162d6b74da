public import CountersignCore
internal import CountersignEncoding
public import Foundation

extension ReadModel {
    /// The evidence the gate reads for `request`: checks, verifications and canary verdicts for its digest,
    /// approvals of this request, and unreviewed break-glass grants for its environment.
    public func evidence(for request: DeployRequest, digest: String) async throws(LedgerError) -> Evidence {
        var evidence = Evidence()
        for row in try await rows(
            "checks", "SELECT seq, check_id, name, status, reported_by, at FROM checks WHERE digest = ? ORDER BY seq",
            [.text(digest)])
        {
            let seq = try row.required(row.integer("seq"))
            evidence.checks.append(
                CheckResult(
                    id: row.text("check_id") ?? "seq:\(seq)",
                    name: try row.required(row.text("name")), digest: digest,
                    status: try row.required(row.text("status").flatMap(CheckResult.Status.init)),
                    reportedBy: row.text("reported_by") ?? "", at: try row.required(row.date("at"))))
        }
        for row in try await rows(
            "artifact_verifications",
            """
            SELECT seq, policy, policy_hash, repository, verified, details, at FROM artifact_verifications
            WHERE digest = ? ORDER BY seq
            """, [.text(digest)])
        {
            evidence.artifactVerifications.append(
                ArtifactVerification(
                    id: "verification:\(try row.required(row.integer("seq")))", digest: digest,
                    policy: try row.required(row.text("policy")),
                    verified: try row.required(row.integer("verified")) == 1, details: row.text("details"),
                    at: try row.required(row.date("at")), policyHash: row.text("policy_hash"),
                    repository: row.text("repository")))
        }
        for row in try await rows(
            "approvals",
            """
            SELECT seq, approval_id, approver, digest, environment, state, comment, at, groups FROM approvals
            WHERE request_id = ? ORDER BY seq
            """, [.text(request.id)])
        {
            // Only `granted` counts as an approval: an unknown state is an error, never an approval.
            let seq = try row.required(row.integer("seq"))
            evidence.approvals.append(
                Approval(
                    id: row.text("approval_id") ?? "seq:\(seq)",
                    approver: try row.required(row.text("approver")), digest: row.text("digest") ?? "",
                    environment: row.text("environment") ?? "",
                    state: try row.required(row.text("state").flatMap(Approval.State.init(rawValue:))),
                    comment: row.text("comment"), at: try row.required(row.date("at")),
                    groups: try row.optionalStrings("groups")))
        }
        for row in try await rows(
            "canary_verdicts",

            "SELECT verdict_id, template, outcome, at, judged_by, environment FROM canary_verdicts WHERE digest = ? "
                + "ORDER BY seq",
            [.text(digest)])
        {
            evidence.canaryVerdicts.append(
                CanaryVerdict(
                    id: try row.required(row.text("verdict_id")), digest: digest,
                    template: try row.required(row.text("template")),
                    outcome: try row.required(row.text("outcome").flatMap(CanaryVerdict.Outcome.init)),
                    at: try row.required(row.date("at")), judgedBy: row.text("judged_by"),
                    environment: row.text("environment")))
        }
        for row in try await rows(
            "breakglass_grants",
            """
            SELECT grant_id, freeze_name, invoked_by, environment, service, reason, incident_id, granted_at, expires_at
            FROM breakglass_grants WHERE environment = ? AND reviewed_at IS NULL ORDER BY seq
            """, [.text(request.environment)])
        {
            evidence.breakGlassGrants.append(
                BreakGlassGrant(
                    id: try row.required(row.text("grant_id")), freeze: try row.required(row.text("freeze_name")),
                    invokedBy: row.text("invoked_by") ?? "", environment: request.environment,
                    service: row.text("service"), reason: row.text("reason"), incident: row.text("incident_id"),
                    grantedAt: try row.required(row.date("granted_at")),
                    expiresAt: try row.required(row.date("expires_at"))))
        }
        try await changeEvidence(for: request, digest: digest, into: &evidence)
        return evidence
    }

    /// GitHub's record of the request's commit, and every record binding the digest to a commit.
    private func changeEvidence(for request: DeployRequest, digest: String, into evidence: inout Evidence)
        async throws(LedgerError)
    {
        for row in try await rows(
            "changes",
            "SELECT seq, repository, change, source, unknown, unresolved, recorded_at FROM changes WHERE commit_sha = ?",
            [.text(request.change.commit.lowercased())])
        {
            let seq = try row.required(row.integer("seq"))
            let change: Change
            let unknown: [String]
            let unresolved: [String]
            let text = try row.required(row.text("change"))
            do throws(JSONError) {
                let decoder = JSONValueDecoder()
                change = try decoder.decode(Change.self, from: Array(text.utf8))
                // A row that does not say what is known is read as a delivery's: its committers unknown.
                unknown = try decoder.decode(
                    [String].self, from: Array((row.text("unknown") ?? #"["committers"]"#).utf8))
                unresolved = try decoder.decode([String].self, from: Array((row.text("unresolved") ?? "[]").utf8))
            } catch {
                throw LedgerError(.storage, "changes row \(seq) does not hold a change: \(error.message)")
            }
            // A fact this build does not know is still a fact the record could not establish: it keeps the
            // decision waiting rather than being dropped.
            evidence.changes.append(
                ChangeFacts(
                    id: "change:\(seq)", repository: row.text("repository") ?? "", change: change,
                    source: ChangeFacts.Source(rawValue: row.text("source") ?? "") ?? .githubWebhook,
                    unknown: unknown.map { ChangeFacts.Fact(rawValue: $0) ?? .committers }, unresolved: unresolved,
                    at: try row.required(row.date("recorded_at"))))
        }
        evidence.sources = try await sourceBindings("digest", digest)
    }

    /// Every record binding a digest to the commit it was built from — verified provenance or a builder's
    /// registration — of one commit: the builds a deployment that names only its commit may be given.
    public func builds(commit: String) async throws(LedgerError) -> [SourceBinding] {
        try await sourceBindings("commit_sha", commit.lowercased())
    }

    /// The `artifact_sources` rows whose `column` (digest or commit_sha, both indexed) is `value`, oldest first.
    private func sourceBindings(_ column: String, _ value: String) async throws(LedgerError) -> [SourceBinding] {
        try await rows(
            "artifact_sources",
            """
            SELECT seq, digest, commit_sha, repository, via, bound_by, at, reference FROM artifact_sources
            WHERE \(column) = ? ORDER BY seq
            """,
            [.text(value)]
        ).map { row throws(LedgerError) in
            SourceBinding(
                id: "source:\(try row.required(row.integer("seq")))", digest: try row.required(row.text("digest")),
                commit: try row.required(row.text("commit_sha")), repository: row.text("repository"),
                via: try row.required(row.text("via").flatMap(SourceBinding.Via.init(rawValue:))),
                by: try row.required(row.text("bound_by")), at: try row.required(row.date("at")),
                reference: row.text("reference"))
        }
    }

    /// `approver`'s current review of `request`, nil when they have none.
    public func review(request: String, approver: String) async throws(LedgerError) -> Approval.State? {
        guard
            let row = try await rows(
                "approvals", "SELECT state FROM approvals WHERE request_id = ? AND approver = ?",
                [.text(request), .text(approver)]
            ).first
        else { return nil }
        return try row.required(row.text("state").flatMap(Approval.State.init(rawValue:)))
    }
}

extension ReadModel {
    /// The checks GitHub recorded against `commit`: the latest of each (repository, name), oldest first.
    public func commitChecks(commit: String) async throws(LedgerError) -> [CommitCheckReported] {
        var latest: [String: CommitCheckReported] = [:]
        var order: [String] = []
        for row in try await rows(
            "commit_checks",
            "SELECT repository, name, status, reported_by, details FROM commit_checks WHERE commit_sha = ? ORDER BY seq",
            [.text(commit.lowercased())])
        {
            let check = CommitCheckReported(
                repository: try row.required(row.text("repository")), commit: commit.lowercased(),
                name: try row.required(row.text("name")),
                status: try row.required(row.text("status").flatMap(CheckResult.Status.init(rawValue:))),
                reportedBy: try row.required(row.text("reported_by")), details: row.text("details"))
            let key = check.repository.lowercased() + "\u{0}" + check.name
            if latest[key] == nil { order.append(key) }
            latest[key] = check
        }
        return order.compactMap { latest[$0] }
    }
}
