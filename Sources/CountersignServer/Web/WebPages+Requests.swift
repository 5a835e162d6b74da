internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// The approvals inbox: the requests the signed-in person may approve, newest first, each saying why a human
    /// is needed and who separation of duties excludes; then the others waiting, each saying why it is not theirs.
    func inbox(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    )
        async throws -> Response
    {
        let ids = try await control.read({ r throws(LedgerError) in try await r.pendingRequests(limit: 50) })
        var cards: [[String: Any]] = []
        for id in ids {
            let status = try await control.deployRequest(id: id)
            cards.append(try await card(status, session))
        }
        let mine = cards.filter { $0["mayApprove"] as? Bool == true }
        let others = cards.filter { $0["mayApprove"] as? Bool != true }
        return renderer.page(
            "inbox", title: "Approvals", section: "inbox", session: session,
            context: [
                "mine": mine, "others": others, "count": cards.count, "mineCount": mine.count,
                "noMine": mine.isEmpty, "hasOthers": !others.isEmpty, "empty": cards.isEmpty,
            ], started: started)
    }

    /// Every request, newest first, filtered by environment and verdict.
    func requests(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let q = Self.query(request)
        let environment = q["environment"].flatMap { $0.isEmpty ? nil : $0 }
        let verdict = q["verdict"].flatMap(Decision.Verdict.init(rawValue:))
        let list = try await control.listRequests(environment: environment, verdict: verdict, limit: 200)
        let now = control.now()
        let items: [[String: Any]] = list.map { r in
            [
                "id": r.id, "service": r.service, "environment": r.environment, "tier": r.tier ?? "—",
                "verdict": r.verdict?.rawValue ?? "undecided", "digest": r.digest,
                "digestShort": WebFormat.short(r.digest), "requested": WebFormat.time(r.requestedAt),
                "ago": WebFormat.ago(RFC3339.date(r.requestedAt), now: now),
            ]
        }
        let environments = control.policy.bundle.environments.keys.sorted().map { name in
            ["name": name, "selected": name == environment]
        }
        let chosen = verdict?.rawValue ?? ""
        let verdicts = ["allowed", "pending", "denied"].map { name -> [String: Any] in
            let selected: Bool = name == chosen
            return ["name": name, "selected": selected]
        }
        return renderer.page(
            "requests", title: "Requests", section: "requests", session: session,
            context: [
                "requests": items, "environments": environments, "verdicts": verdicts, "empty": items.isEmpty,
            ], started: started)
    }

    /// One request: the change, the decision control by control, approvals, the decision history, deploys.
    func requestDetail(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let id = try context.parameters.require("id")
        let status = try await control.deployRequest(id: id)
        var page = try await card(status, session)
        let reviews = try await control.read({ r throws(LedgerError) in try await r.reviews(request: id) })
        page["approvals"] = reviews.map { r -> [String: Any] in
            WebFormat.present([
                "approver": r.approver, "state": r.state.rawValue, "at": WebFormat.time(r.at), "team": r.team,
                "comment": r.comment, "seq": r.seq,
            ])
        }
        let decisions = try await control.read({ r throws(LedgerError) in try await r.decisions(request: id) })
        page["history"] = decisions.map { d -> [String: Any] in
            WebFormat.present([
                "seq": d.seq, "at": WebFormat.time(d.decidedAt), "verdict": d.verdict.rawValue, "by": d.decidedBy,
                "reasons": d.reasons.joined(separator: "; "),
            ])
        }
        let deploys = try await control.read({ r throws(LedgerError) in try await r.deploys(request: id) })
        page["deploys"] = deploys.map { d -> [String: Any] in
            [
                "id": d.id, "status": d.status, "started": WebFormat.time(d.startedAt),
                "finished": WebFormat.time(d.finishedAt), "seq": d.startedSeq,
            ]
        }
        if let flash = Self.query(request)["done"] { page["flash"] = "Recorded: \(flash)." }
        return renderer.page(
            "request", title: "Request \(id)", section: "requests", session: session, context: page, started: started)
    }

    /// Approve or reject from a form; the control plane enforces role and separation of duties and records a
    /// refusal, which comes back as a 403 page with the reason.
    func review(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await Self.form(request, checkedFor: session)
        guard let state = form["decision"].flatMap(Approval.State.init(action:)) else {
            throw ControlError(.badRequest, "decision must be approve, reject or withdraw")
        }
        let comment = form["comment"].flatMap { $0.isEmpty ? nil : $0 }
        _ = try await control.review(id: id, state: state, comment: comment, by: session.principal)
        return PageRenderer.redirect("/ui/requests/\(Self.encode(id))?done=\(state.rawValue)")
    }

    /// What the inbox and the detail page show about a request.
    func card(_ status: DeployRequestStatus, _ session: WebSession) async throws -> [String: Any] {
        let r = status.request
        let bundle = control.policy.bundle
        let now = control.now()
        let digest = (try? ArtifactReference(parsing: r.artifact))?.digest ?? ""
        let decision = status.decision
        var excluded: [[String: String]] = []
        if let environment = bundle.environments[r.environment] {
            excluded = try await control.excluded(r, environment: environment, digest: digest)
                .sorted { $0.key < $1.key }.map { ["name": $0.key, "why": $0.value] }
        }
        let tier = bundle.tiers.first { $0.name == decision?.tier }
        let teams = tier?.approvals.map(\.team) ?? []
        let me = session.principal
        var cannot: String?
        if me.role != .approver {
            cannot = "your token's role is \(me.role.rawValue); approving needs an approver token"
        } else if me.kind != .human {
            cannot = "\(me.identity) is an automation identity and has no authority to approve"
        } else if let why = excluded.first(where: { $0["name"] == me.identity })?["why"] {
            cannot = "separation of duties: you are \(why)"
        } else if !teams.isEmpty, !teams.contains(where: { bundle.teams[$0]?.members.contains(me.identity) == true }) {
            cannot = "you are not in \(teams.joined(separator: " or ")), whose approval this tier needs"
        } else if decision?.verdict != .pending {
            cannot = "the request is \(decision?.verdict.rawValue ?? "undecided"), not waiting for approval"
        }
        let change = r.change
        let repository = try await control.read({ r throws(LedgerError) in
            try await r.repository(commit: change.commit)
        }).flatMap { $0.isEmpty ? nil : $0 }
        var card: [String: Any] = [
            "id": r.id, "service": r.service, "environment": r.environment, "artifact": r.artifact, "digest": digest,
            "digestShort": WebFormat.short(digest), "requester": r.requester, "deployer": r.deployer,
            "requested": WebFormat.time(status.requestedAt), "ago": WebFormat.ago(status.requestedAt, now: now),
            "tier": decision?.tier ?? "—", "verdict": decision?.verdict.rawValue ?? "undecided",
            "commit": change.commit, "commitShort": String(change.commit.prefix(10)), "ref": change.ref,
            "kind": change.kind, "reversible": change.reversible,
            "committed": WebFormat.time(change.committedAt), "seq": status.seq,
            "excluded": excluded, "hasExcluded": !excluded.isEmpty,
            "mayApprove": cannot == nil, "cannot": cannot ?? "", "pending": decision?.verdict == .pending,
            "teams": teams.joined(separator: ", "),
        ]
        // Mustache treats an empty string as present: optional facts are left out instead.
        if !change.labels.isEmpty { card["labels"] = change.labels.joined(separator: ", ") }
        if let ticket = change.ticket, !ticket.isEmpty { card["ticket"] = ticket }
        if let plan = change.rollbackPlan, !plan.isEmpty { card["rollbackPlan"] = plan }
        if let pr = change.pullRequest {
            var item: [String: Any] = ["number": pr.number, "author": pr.author]
            if !pr.reviewers.isEmpty { item["reviewers"] = pr.reviewers.joined(separator: ", ") }
            if let repository { item["url"] = "https://github.com/\(repository)/pull/\(pr.number)" }
            card["pr"] = item
        }
        if let repository { card["commitURL"] = "https://github.com/\(repository)/commit/\(change.commit)" }
        let controls = decision?.controls ?? []
        card["controls"] = controls.map { c -> [String: Any] in
            ["control": c.control, "status": c.status.rawValue, "message": c.message]
        }
        card["needs"] = controls.filter { $0.status != .satisfied }.map { c -> [String: Any] in
            ["control": c.control, "status": c.status.rawValue, "message": c.message]
        }
        if let relaxations = decision?.relaxations, !relaxations.isEmpty {
            card["relaxations"] = relaxations.joined(separator: "; ")
        }
        card["policy"] = decision.map { WebFormat.short($0.policyHash) } ?? "—"
        return card
    }
}
