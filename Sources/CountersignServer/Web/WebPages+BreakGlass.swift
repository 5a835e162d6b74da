internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// Break-glass grants: active ones, reviews due (with the freeze's deadline), and the reviewed history; members
    /// of a freeze's review team review from here.
    func breakGlass(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let now = control.now()
        let bundle = control.policy.bundle
        let grants = try await control.read({ r throws(LedgerError) in try await r.grants(limit: 200) })
        var active: [[String: Any]] = []
        var due: [[String: Any]] = []
        var reviewed: [[String: Any]] = []
        for g in grants {
            let freeze = bundle.freezes.first { $0.name == g.freeze }
            let granted = RFC3339.date(g.grantedAt)
            let deadline = freeze.flatMap { f in
                granted.map { $0.addingTimeInterval(Double(f.breakGlass.reviewWithin)) }
            }
            let team = freeze?.breakGlass.reviewTeam ?? ""
            let invoker = g.invokedBy
            let me = session.principal.identity
            // What the control layer will accept (`reviewBreakGlass`), so the page offers no form it would refuse.
            let mayReview =
                bundle.teams[team]?.members.contains(where: { bundle.canonical($0) == me }) == true
                && bundle.canonical(invoker) != me && session.principal.kind == .human
                && [.approver, .admin].contains(session.principal.role)
            var item: [String: Any] = [
                "id": g.id, "freeze": g.freeze, "by": invoker, "environment": g.environment,
                "service": g.service ?? "all services", "reason": g.reason ?? "", "incident": g.incident ?? "",
                "granted": WebFormat.time(granted), "expires": WebFormat.time(RFC3339.date(g.expiresAt)),
                "team": team, "deadline": WebFormat.time(deadline), "overdue": deadline.map { $0 < now } ?? false,
                "mayReview": mayReview,
                "cannotReview": mayReview
                    ? ""
                    : me == invoker
                        ? "you invoked it" : "reviews are by \(team.isEmpty ? "the freeze's review team" : team)",
            ]
            if let at = g.reviewedAt {
                item["reviewedAt"] = WebFormat.time(at)
                item["reviewedBy"] = g.reviewedBy ?? ""
                item["outcome"] = g.reviewOutcome ?? ""
                item["notes"] = g.reviewNotes ?? ""
                reviewed.append(item)
            } else {
                due.append(item)
            }
            if let expires = RFC3339.date(g.expiresAt), expires > now { active.append(item) }
        }
        return renderer.page(
            "break-glass", title: "Break-glass", section: "break-glass", session: session,
            context: [
                "active": active, "due": due, "reviewed": reviewed, "noActive": active.isEmpty, "noDue": due.isEmpty,
                "noReviewed": reviewed.isEmpty,
            ], started: started)
    }

    func reviewBreakGlass(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await Self.form(request, checkedFor: session)
        try await control.reviewBreakGlass(
            id: id, outcome: form["outcome"] ?? "", notes: form["notes"].flatMap { $0.isEmpty ? nil : $0 },
            by: session.principal)
        return PageRenderer.redirect("/ui/break-glass")
    }
}
