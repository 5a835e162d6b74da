public import CountersignCore
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// The evidence the gate reads for `request`, from the projections (``ReadModel/evidence(for:digest:)``): a row
    /// that cannot be read fails the decision, never lightens it.
    func evidence(for request: DeployRequest, digest: String) async throws(ControlError) -> Evidence {
        try await read({ r throws(LedgerError) in try await r.evidence(for: request, digest: digest) })
    }

    /// Who may not approve `request`, and why — on the facts the gate decides on: GitHub's record of the change
    /// where there is one, with everyone the request itself names added (``ChangeResolution``).
    public func excluded(_ request: DeployRequest, environment: DeploymentEnvironment, digest: String)
        async throws(ControlError) -> [String: String]
    {
        let evidence = try await self.evidence(for: request, digest: digest)
        return ChangeResolution(request, evidence: evidence, now: now())
            .excluded(environment: environment, policy: policy.bundle)
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
