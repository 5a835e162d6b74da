public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// Approves, rejects or withdraws request `id` as `principal`, then re-decides it.
    ///
    /// Separation of duties is enforced here as well as in the gate: an approver the gate would not count (the
    /// change's author or a committer, the requester, the deployer) is refused with 403, and the attempt is
    /// recorded as `approval.refused`, so the audit shows it.
    public func review(
        id: String, state: Approval.State, comment: String?, by principal: Principal
    ) async throws(ControlError) -> Decision {
        try principal.require(.approver, to: "approve or reject deploys")
        guard principal.kind == .human else {
            throw ControlError(.forbidden, "automation identity \(principal.identity) has no authority to approve")
        }
        let status = try await deployRequest(id: id)
        let request = status.request
        let bundle = policy.bundle
        guard let environment = bundle.environments[request.environment] else {
            throw ControlError(.conflict, "environment \(request.environment) is no longer in the policy")
        }
        let digest = (try? ArtifactReference(parsing: request.artifact))?.digest ?? ""
        if state != .withdrawn,
            let why = try await excluded(request, environment: environment, digest: digest)[principal.identity]
        {
            let reason = "\(principal.identity) may not review this request: they are \(why)"
            try await record(
                ApprovalRefused(
                    request: id, approver: principal.identity, decision: state.rawValue, digest: digest,
                    environment: request.environment, reason: reason),
                actor: principal.identity)
            throw ControlError(
                .forbidden, reason,
                details: ["rule": "separation-of-duties", "recorded": EventType.approvalRefused.rawValue])
        }
        if status.decision?.verdict == .allowed, state == .granted {
            throw ControlError(.conflict, "request \(id) is already allowed")
        }
        if state == .withdrawn {
            let mine = try await read({ r throws(LedgerError) in
                try await r.review(request: id, approver: principal.identity)
            })
            guard mine == .granted else {
                throw ControlError(.conflict, "\(principal.identity) has no approval of \(id) to withdraw")
            }
        }
        let approval = Approval(
            id: Self.newID("ap_"), approver: principal.identity, digest: state == .withdrawn ? "" : digest,
            environment: state == .withdrawn ? "" : request.environment, state: state, comment: comment,
            at: now(), groups: principal.groups)
        let bound = state != .withdrawn
        let reviewed = ApprovalReviewed(
            state, id: approval.id, request: id, approver: principal.identity,
            digest: bound ? digest : nil, environment: bound ? request.environment : nil, comment: comment,
            groups: principal.groups)
        // The review and the decision it leads to, in one batch: never a recorded approval the gate has not seen.
        var batch = EntryBatch()
        try batch.add(reviewed, actor: principal.identity, at: approval.at)
        let (changed, decided) = try await plan(status, by: principal.identity, applying: approval)
        batch.add(contentsOf: decided)
        try await record(batch)
        if let changed { await count(changed, of: status.request.id) }
        // A concurrent review planned without this one (and this one without it): whichever is recorded last, a
        // second look at the projections, which now hold both, decides on everything.
        return try await decide(id: id, by: principal.identity)
    }

    /// Records a check result for a digest (builders only) and re-decides the open requests for it.
    public func reportCheck(
        digest: String, name: String, status: CheckResult.Status, details: String? = nil, by principal: Principal
    ) async throws(ControlError) -> Int64 {
        try principal.require(.builder, to: "report checks")
        guard ArtifactReference.isDigest(digest) else {
            throw ControlError(.badRequest, "digest must be sha256:<64 hex>", details: ["field": "digest"])
        }
        guard !name.isEmpty else {
            throw ControlError(.badRequest, "name must not be empty", details: ["field": "name"])
        }
        let entry = try await record(
            CheckReported(digest: digest, name: name, status: status, reportedBy: principal.identity, details: details),
            actor: principal.identity)
        try await redecide(digest: digest, by: principal.identity)
        return entry.seq
    }
}
