internal import CountersignCore
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// The evidence the gate reads for `request`, from the projections: checks, verifications and canary verdicts
    /// for its digest, approvals of this request, and break-glass grants for its environment.
    func evidence(for request: DeployRequest, digest: String) async throws(APIError) -> Evidence {
        var evidence = Evidence()
        for row in try await rows(
            "SELECT seq, check_id, name, status, reported_by, at FROM checks WHERE digest = ? ORDER BY seq",
            [.text(digest)])
        {
            guard let name = row.text("name"), let status = row.text("status").flatMap(CheckResult.Status.init),
                let at = row.date("at")
            else { throw unreadable("checks", row) }
            evidence.checks.append(
                CheckResult(
                    id: row.text("check_id") ?? "seq:\(row.integer("seq") ?? 0)", name: name, digest: digest,
                    status: status, reportedBy: row.text("reported_by") ?? "", at: at))
        }
        for row in try await rows(
            """
            SELECT registered_seq, verified, verification_policy, verified_at, verification_details FROM artifacts
            WHERE digest = ? AND verified IS NOT NULL
            """, [.text(digest)])
        {
            guard let policyName = row.text("verification_policy"), let at = row.date("verified_at") else {
                throw unreadable("artifacts", row)
            }
            evidence.artifactVerifications.append(
                ArtifactVerification(
                    id: "verification:\(digest)", digest: digest, policy: policyName,
                    verified: row.integer("verified") == 1,
                    details: row.text("verification_details"), at: at))
        }
        for row in try await rows(
            """
            SELECT seq, approval_id, approver, digest, environment, state, comment, at FROM approvals
            WHERE request_id = ? ORDER BY seq
            """, [.text(request.id)])
        {
            guard let approver = row.text("approver"), let at = row.date("at") else {
                throw unreadable("approvals", row)
            }
            // Only `granted` counts as an approval: an unknown state is an error, never an approval.
            guard let state = row.text("state").flatMap(Approval.State.init(rawValue:)) else {
                throw unreadable("approvals", row)
            }
            evidence.approvals.append(
                Approval(
                    id: row.text("approval_id") ?? "seq:\(row.integer("seq") ?? 0)", approver: approver,
                    digest: row.text("digest") ?? "", environment: row.text("environment") ?? "", state: state,
                    comment: row.text("comment"), at: at))
        }
        for row in try await rows(
            "SELECT verdict_id, template, outcome, at FROM canary_verdicts WHERE digest = ? ORDER BY seq",
            [.text(digest)])
        {
            guard let id = row.text("verdict_id"), let template = row.text("template"),
                let outcome = row.text("outcome").flatMap(CanaryVerdict.Outcome.init), let at = row.date("at")
            else { throw unreadable("canary_verdicts", row) }
            evidence.canaryVerdicts.append(
                CanaryVerdict(id: id, digest: digest, template: template, outcome: outcome, at: at))
        }
        for row in try await rows(
            """
            SELECT grant_id, freeze_name, invoked_by, environment, service, reason, incident_id, granted_at, expires_at
            FROM breakglass_grants WHERE environment = ? AND reviewed_at IS NULL ORDER BY seq
            """, [.text(request.environment)])
        {
            guard let id = row.text("grant_id"), let freeze = row.text("freeze_name"),
                let granted = row.date("granted_at"), let expires = row.date("expires_at")
            else { throw unreadable("breakglass_grants", row) }
            evidence.breakGlassGrants.append(
                BreakGlassGrant(
                    id: id, freeze: freeze, invokedBy: row.text("invoked_by") ?? "", environment: request.environment,
                    service: row.text("service"), reason: row.text("reason"), incident: row.text("incident_id"),
                    grantedAt: granted, expiresAt: expires))
        }
        return evidence
    }

    /// A projection row the gate cannot read: an error, never skipped — a skipped rejection or failed check would
    /// lighten the gate (DESIGN §5a).
    func unreadable(_ table: String, _ row: Row) -> APIError {
        let fields = zip(row.columns, row.values).map { "\($0)=\($1)" }.joined(separator: ", ")
        return APIError(.internal, "a row of \(table) cannot be read as evidence (\(fields.prefix(300)))")
    }
}

extension Evidence {
    /// The evidence once `review` is recorded, as the `approvals` projection will hold it (one row per request and
    /// approver: the new state replaces the old, and a withdrawal keeps the digest and environment it withdraws).
    /// A review and the decision it leads to are recorded in one batch, so the decision is taken on this before the
    /// projection exists; `ReviewBatchTests` checks that the two agree.
    func applying(_ review: Approval) -> Evidence {
        var evidence = self
        let previous = evidence.approvals.last { $0.approver == review.approver }
        evidence.approvals.removeAll { $0.approver == review.approver }
        var row = review
        if review.digest.isEmpty, let previous { row.digest = previous.digest }
        if review.environment.isEmpty, let previous { row.environment = previous.environment }
        evidence.approvals.append(row)
        return evidence
    }
}
