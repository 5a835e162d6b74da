internal import CountersignCore
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
        let grants = try await rows(
            """
            SELECT grant_id, freeze_name, invoked_by, environment, service, reason, incident_id, granted_at, expires_at,
                reviewed_at, reviewed_by, review_outcome, review_notes FROM breakglass_grants ORDER BY seq DESC LIMIT 200
            """)
        var active: [[String: Any]] = []
        var due: [[String: Any]] = []
        var reviewed: [[String: Any]] = []
        for g in grants {
            let freeze = bundle.freezes.first { $0.name == g.text("freeze_name") }
            let granted = g.date("granted_at")
            let deadline = freeze.flatMap { f in
                granted.map { $0.addingTimeInterval(Double(f.breakGlass.reviewWithin)) }
            }
            let team = freeze?.breakGlass.reviewTeam ?? ""
            let invoker = g.text("invoked_by") ?? ""
            let me = session.principal.identity
            let mayReview =
                bundle.teams[team]?.members.contains(me) == true && me != invoker && session.principal.kind == .human
            var item: [String: Any] = [
                "id": g.text("grant_id") ?? "", "freeze": g.text("freeze_name") ?? "", "by": invoker,
                "environment": g.text("environment") ?? "", "service": g.text("service") ?? "all services",
                "reason": g.text("reason") ?? "", "incident": g.text("incident_id") ?? "",
                "granted": WebFormat.time(granted), "expires": WebFormat.time(g.date("expires_at")),
                "team": team, "deadline": WebFormat.time(deadline), "overdue": deadline.map { $0 < now } ?? false,
                "mayReview": mayReview,
                "cannotReview": mayReview
                    ? ""
                    : me == invoker
                        ? "you invoked it" : "reviews are by \(team.isEmpty ? "the freeze's review team" : team)",
            ]
            if let at = g.text("reviewed_at") {
                item["reviewedAt"] = WebFormat.time(at)
                item["reviewedBy"] = g.text("reviewed_by") ?? ""
                item["outcome"] = g.text("review_outcome") ?? ""
                item["notes"] = g.text("review_notes") ?? ""
                reviewed.append(item)
            } else {
                due.append(item)
            }
            if let expires = g.date("expires_at"), expires > now { active.append(item) }
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
