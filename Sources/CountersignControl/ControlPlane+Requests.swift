public import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
internal import CountersignSupplyChain
internal import Foundation
internal import Tracing

extension ControlPlane {
    /// Records a deploy request by `principal` (who must hold the deployer role) and decides it.
    public func requestDeploy(_ input: DeployRequestInput, by principal: Principal) async throws(ControlError)
        -> DeployRequestStatus
    {
        try principal.require(.deployer, to: "request deploys")
        for (field, value) in [
            ("service", input.service), ("environment", input.environment), ("artifact", input.artifact),
        ]
        where value.isEmpty {
            throw ControlError(.badRequest, "\(field) must not be empty", details: ["field": field])
        }
        // Recorded in the names' canonical form (`Payments` is `payments`), the form the gate decides on.
        let request = DeployRequest(
            id: Self.newID("dr_"), service: input.service, environment: input.environment, artifact: input.artifact,
            change: input.change, requester: principal.identity, deployer: input.deployer ?? principal.identity
        ).canonicalNames
        for (field, name) in request.unsafeNames {
            throw ControlError(.badRequest, Names.refusal(field, name), details: ["field": field])
        }
        guard let environment = policy.bundle.environments[request.environment] else {
            throw ControlError(
                .badRequest, "environment \(request.environment) is not defined in the policy",
                details: ["field": "environment"])
        }
        if let repository = request.change.repository, !Self.isRepositoryName(repository) {
            throw ControlError(
                .badRequest, "change.repository \(repository) is not a GitHub owner/name",
                details: ["field": "change.repository"])
        }
        // A tag-only reference is still recorded (with an empty digest column the projection cannot hold, so
        // it is refused here with the gate's reason) — approve the digest, never the tag.
        guard (try? ArtifactReference(parsing: request.artifact)) != nil else {
            throw ControlError(
                .badRequest, "artifact \(request.artifact) is not pinned by digest; approve the digest, never the tag",
                details: ["field": "artifact"])
        }
        try await readChangeFacts(for: request.change, environment: environment)
        return try await record(DeployRequested(request), by: principal.identity)
    }

    /// Reads the facts of the change a request names from GitHub's API, when it is configured and the request
    /// names a repository. A protected environment decides on nothing else, so there a failed read refuses the
    /// request (503, nothing recorded: the caller tries again); elsewhere the request goes on with its own account.
    func readChangeFacts(for change: Change, environment: DeploymentEnvironment) async throws(ControlError) {
        guard let repository = change.repository, github?.callsAPI == true else { return }
        guard environment.protected || Change.isCommitID(change.commit) else { return }
        do {
            try await readChangeFacts(repository: repository, commit: change.commit)
        } catch  where environment.protected {
            if error.code == .badRequest { throw error }
            throw ControlError(
                .unavailable,
                "the facts of \(repository)@\(change.commit.prefix(12)) cannot be read from GitHub (\(error.message)); "
                    + "\(environment.name) decides on nothing else, so nothing was recorded: try again")
        } catch {
            return
        }
    }

    /// Records a request (with where it came from) with its first decision and the notifications it queues, in
    /// one batch: a request is never on the ledger without its decision.
    func record(_ requested: DeployRequested, by actor: String) async throws(ControlError) -> DeployRequestStatus {
        let request = requested.request
        var batch = EntryBatch()
        let requestedAt = now()
        try batch.add(requested, actor: actor, at: requestedAt)
        let undecided = DeployRequestStatus(
            request: request, decision: nil, seq: -1, github: requested.github, requestedAt: requestedAt)
        let (decision, decided) = try await plan(undecided, by: "countersign")
        batch.add(contentsOf: decided)
        let entries = try await record(batch)
        if let decision { await count(decision, of: request.id) }
        let recorded = DeployRequestStatus(
            request: request, decision: decision, seq: entries[0].seq, github: requested.github,
            requestedAt: requestedAt)
        // Evidence recorded between the read above and this append (a failed check for the digest) re-decided the
        // requests it could see, which did not include this one yet: decide again now that this one is visible.
        // Either that event or this second look sees the other, so no decision stands on stale evidence.
        return DeployRequestStatus(
            request: request, decision: try await decide(recorded, by: "countersign"), seq: entries[0].seq,
            github: requested.github, requestedAt: requestedAt)
    }

    /// The request as recorded, with its latest recorded decision.
    public func deployRequest(id: String) async throws(ControlError) -> DeployRequestStatus {
        guard let seq = try await read({ r throws(LedgerError) in try await r.requestEntry(id: id) }) else {
            throw ControlError(.notFound, "no deploy request with id \(id)")
        }
        let entries: [LedgerEntry]
        do { entries = try await store.entries(from: Int(seq), count: 1) } catch { throw ControlError(ledger: error) }
        guard let entry = entries.first, entry.type == .deployRequested else {
            throw ControlError(.internal, "deploy request \(id) points at entry \(seq), which does not record it")
        }
        let requested: DeployRequested
        do { requested = try entry.event(DeployRequested.self) } catch { throw ControlError(ledger: error) }
        return DeployRequestStatus(
            request: requested.request, decision: try await latestDecision(id), seq: seq, github: requested.github,
            requestedAt: entry.at)
    }

    /// Requests, newest first, optionally only one environment's or one verdict's.
    public func listRequests(environment: String? = nil, verdict: Decision.Verdict? = nil, limit: Int = 50)
        async throws(ControlError) -> [ReadModel.RequestSummary]
    {
        try await read({ r throws(LedgerError) in
            try await r.requests(environment: environment, verdict: verdict, limit: limit)
        })
    }

    /// Decides request `id` now, recording the decision when it differs from the last one recorded.
    public func decide(id: String, by actor: String) async throws(ControlError) -> Decision {
        try await decide(try await deployRequest(id: id), by: actor)
    }

    /// Decides now; records and notifies, in one batch, only when the decision differs from the last one recorded.
    func decide(_ status: DeployRequestStatus, by actor: String) async throws(ControlError) -> Decision {
        try await traced("gate.decide") { span throws(ControlError) in
            span.attributes["countersign.request"] = status.request.id
            span.attributes["countersign.environment"] = status.request.environment
            let (changed, batch) = try await plan(status, by: actor)
            guard let decision = changed else {
                span.attributes["countersign.verdict"] = status.decision?.verdict.rawValue
                return status.decision!
            }
            span.attributes["countersign.verdict"] = decision.verdict.rawValue
            try await record(batch)
            await count(decision, of: status.request.id)
            return decision
        }
    }

    /// The decision `status`'s request gets now, and the entries recording it: the decision and its
    /// notifications. Nil and no entries when it is the decision already recorded.
    /// `review`, when given, is an approval recorded in the same batch: the decision counts it as the projection
    /// will.
    func plan(_ status: DeployRequestStatus, by actor: String, applying review: Approval? = nil)
        async throws(ControlError) -> (Decision?, EntryBatch)
    {
        let request = status.request
        let digest = (try? ArtifactReference(parsing: request.artifact))?.digest ?? ""
        var evidence = try await self.evidence(for: request, digest: digest)
        if let review { evidence = evidence.applying(review) }
        let decision = Gate.decide(request, evidence: evidence, policy: policy.bundle, now: now())
        let last = status.decision
        if let last, last.verdict == decision.verdict, last.tier == decision.tier, last.reasons == decision.reasons,
            last.policyHash == decision.policyHash
        {
            return (nil, EntryBatch())
        }
        var batch = EntryBatch()
        try batch.add(GateDecided(decision), actor: actor, at: decision.decidedAt)
        // A pending verdict is announced once, when the request arrives; a final one each time it changes.
        if decision.verdict != .pending || last == nil {
            try notify(request, decision, github: status.github, into: &batch)
        }
        return (decision, batch)
    }

    /// The metrics of a decision once it is recorded. The approval wait has one definition everywhere (the
    /// dashboard, the API, docs/metrics.md): from *ready* — the first decision in which approvals were the only
    /// control not satisfied — to the first allowing decision after it, both as the projection recorded them; it is
    /// observed once, by the decision that set `allowed_at`. A request that never waited on approvals has none.
    func count(_ decision: Decision, of request: String) async {
        metrics.decision(verdict: decision.verdict.rawValue, tier: decision.tier)
        guard decision.verdict == .allowed,
            let (ready, allowed) = try? await read({ r throws(LedgerError) in try await r.readiness(of: request) }),
            let ready, let allowed, abs(allowed.timeIntervalSince(decision.decidedAt)) < 0.001
        else { return }
        metrics.approvalWait(allowed.timeIntervalSince(ready))
    }

    /// The latest recorded decision of request `id` as JSON bytes: one indexed read of the projection, and the
    /// entry itself only when this node has not encoded that decision before.
    public func latestDecisionJSON(_ id: String) async throws(ControlError) -> [UInt8] {
        guard let seq = try await read({ r throws(LedgerError) in try await r.latestDecisionEntry(request: id) })
        else {
            _ = try await deployRequest(id: id)  // 404 when there is no such request
            throw ControlError(.notFound, "request \(id) has no decision yet")
        }
        if let body = cache.decision(request: id, seq: seq) { return body }
        let entries: [LedgerEntry]
        do { entries = try await store.entries(from: Int(seq), count: 1) } catch { throw ControlError(ledger: error) }
        guard let entry = entries.first else { throw ControlError(.internal, "decision entry \(seq) is missing") }
        let body = try PayloadCoding.encode(try Self.decision(entry)).canonicalBytes
        cache.remember(decision: body, request: id, seq: seq)
        return body
    }

    /// The last decision recorded for request `id`.
    func latestDecision(_ id: String) async throws(ControlError) -> Decision? {
        guard let seq = try await read({ r throws(LedgerError) in try await r.latestDecisionEntry(request: id) })
        else { return nil }
        let entries: [LedgerEntry]
        do { entries = try await store.entries(from: Int(seq), count: 1) } catch { throw ControlError(ledger: error) }
        guard let entry = entries.first else { return nil }
        return try Self.decision(entry)
    }

    /// The decision a `gate.decided` entry records in full (the server's own always do).
    private static func decision(_ entry: LedgerEntry) throws(ControlError) -> Decision {
        let decided: GateDecided
        do { decided = try entry.event(GateDecided.self) } catch { throw ControlError(ledger: error) }
        guard let decision = decided.decision else {
            throw ControlError(.internal, "decision entry \(entry.seq) does not record the whole decision")
        }
        return decision
    }

    /// Re-decides the open requests an event may have changed: those of `requestID`, or every undecided or
    /// pending request for `digest`.
    func redecide(requestID: String? = nil, digest: String? = nil, by actor: String) async throws(ControlError) {
        var ids: [String] = []
        if let requestID { ids.append(requestID) }
        if let digest {
            ids += try await read({ r throws(LedgerError) in try await r.openRequests(digest: digest) })
        }
        for id in Set(ids).sorted() { _ = try await decide(id: id, by: actor) }
    }
}
