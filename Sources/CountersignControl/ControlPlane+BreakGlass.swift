public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Foundation

extension ControlPlane {
    /// Breaks glass for `freeze` in `environment`: checked against the freeze's break-glass policy (who may, the
    /// service it names, the reason and the open incident it requires, its maximum duration) before anything is
    /// recorded, then
    /// `breakglass.invoked`, a notification, and the open requests for the environment decided again.
    public func breakGlass(
        freeze name: String, environment: String, service: String?, reason: String?, incident: String?,
        duration: TimeInterval, by principal: Principal
    ) async throws(ControlError) -> BreakGlassGrant {
        guard principal.kind == .human else {
            throw ControlError(.forbidden, "automation identity \(principal.identity) cannot break glass")
        }
        let bundle = policy.bundle
        guard let freeze = bundle.freezes.first(where: { $0.name == name }) else {
            throw ControlError(.badRequest, "freeze \(name) is not defined in the policy", details: ["field": "freeze"])
        }
        let environment = Names.canonical(environment)
        guard freeze.environments.contains(where: { Names.canonical($0) == environment }) else {
            throw ControlError(
                .badRequest, "freeze \(name) does not cover \(environment)", details: ["field": "environment"])
        }
        let service = service.map(Names.canonical)
        if let service, !Names.isSafe(service) {
            throw ControlError(.badRequest, Names.refusal("service", service), details: ["field": "service"])
        }
        guard duration > 0 else {
            throw ControlError(.badRequest, "duration must be positive", details: ["field": "duration"])
        }
        // The incident is a fact of the ledger, not a free-text field: it was opened through the incident API (or a
        // signed incident webhook) and is still open. A grant for an incident that never existed, or is over, is none.
        if let incident, !incident.trimmingCharacters(in: .whitespaces).isEmpty {
            switch try await read({ r throws(LedgerError) in try await r.incidentResolved(id: incident) }) {
            case nil:
                throw ControlError(
                    .badRequest, "no incident with id \(incident): open it first (POST /api/v1/incidents)",
                    details: ["field": "incident"])
            case true?:
                throw ControlError(
                    .badRequest, "incident \(incident) is resolved; break glass for an open incident",
                    details: ["field": "incident"])
            case false?: break
            }
        }
        let granted = now()
        let grant = BreakGlassGrant(
            id: Self.newID("bg_"), freeze: name,
            invokedBy: principal.identity, environment: environment, service: service, reason: reason,
            incident: incident, grantedAt: granted, expiresAt: granted.addingTimeInterval(duration))
        if let problem = bundle.breakGlassProblem(grant, freeze: freeze, now: granted) {
            throw ControlError(.forbidden, "break-glass refused: \(problem)")
        }
        let invoked = BreakGlassInvoked(
            id: grant.id, freeze: name, environment: environment, service: service, invokedBy: principal.identity,
            reason: reason ?? "", incident: incident ?? "", expiresAt: LedgerTime(grant.expiresAt),
            reviewTeam: freeze.breakGlass.reviewTeam,
            reviewDue: LedgerTime(granted.addingTimeInterval(Double(freeze.breakGlass.reviewWithin))))
        // The grant and its notifications together: a grant is never on the ledger unannounced.
        var batch = EntryBatch()
        try batch.add(invoked, actor: principal.identity, at: granted)
        let body = try PayloadCoding.encode(invoked).merging([("event", .string(invoked.type.rawValue))])
        for url in notifications.urls { try queue(kind: .webhook, target: url, body: body, request: nil, into: &batch) }
        try await record(batch)
        let open = try await read({ r throws(LedgerError) in try await r.openRequests(environment: environment) })
        for id in open { _ = try await decide(id: id, by: principal.identity) }
        return grant
    }

    /// Reviews a grant after the fact: only a person of the freeze's review team, signed in with a role that
    /// decides (approver or admin), who did not invoke it, once. The rule is here, not in the routes, so the API and
    /// the web form apply the same one: an auditor (read-only) or a deployer in the team cannot end a grant's review.
    public func reviewBreakGlass(
        id: String, outcome: String, notes: String?, by principal: Principal
    ) async throws(ControlError) {
        try principal.require(.approver, .admin, to: "review break-glass grants")
        guard principal.kind == .human else {
            throw ControlError(
                .forbidden, "automation identity \(principal.identity) may not review break-glass grants")
        }
        guard let outcome = BreakGlassReviewed.Outcome(rawValue: outcome) else {
            throw ControlError(.badRequest, "outcome must be justified or unjustified", details: ["field": "outcome"])
        }
        guard let grant = try await read({ r throws(LedgerError) in try await r.grant(id: id) }) else {
            throw ControlError(.notFound, "no break-glass grant with id \(id)")
        }
        let bundle = policy.bundle
        guard let freeze = bundle.freezes.first(where: { $0.name == grant.freeze }) else {
            throw ControlError(.conflict, "the grant's freeze is no longer in the policy")
        }
        if bundle.canonical(grant.invokedBy) == principal.identity {
            throw ControlError(.forbidden, "\(principal.identity) invoked this grant and may not review it")
        }
        let reviewers = (bundle.teams[freeze.breakGlass.reviewTeam]?.members ?? []).map(bundle.canonical)
        var state: BreakGlassState = grant.reviewed ? .reviewed : .granted
        if state == .granted, case .success(let s) = state.applying(.tick(now: now(), expiresAt: grant.expiresAt)) {
            state = s
        }
        switch state.applying(.review(by: principal.identity, reviewers: reviewers)) {
        case .failure(let error):
            throw ControlError(error.message.contains("already") ? .conflict : .forbidden, error.message)
        case .success: break
        }
        try await record(BreakGlassReviewed(id: id, outcome: outcome, notes: notes), actor: principal.identity)
    }
}
