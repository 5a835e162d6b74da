import Foundation

extension DecisionBuilder {
    /// An active freeze covering (service, environment) denies, unless a valid break-glass grant covers the
    /// request: invoked by someone allowed, with the required reason and incident, unexpired and no longer than
    /// the freeze allows. A grant only lifts the freeze; every other control still applies.
    mutating func checkFreezes(_ env: DeploymentEnvironment) {
        for freeze in policy.freezes where freeze.environments.contains(env.name) {
            if !freeze.services.isEmpty && !freeze.services.contains(request.service) { continue }
            guard let until = FreezeCalendar.activeUntil(freeze, at: now) else { continue }
            let stamp = ISO8601DateFormatter()
            var problems: [String] = []
            for grant in evidence.breakGlassGrants where grant.freeze == freeze.name && grant.environment == env.name {
                if let service = grant.service, service != request.service {
                    continue
                }
                if let problem = breakGlassProblem(grant, freeze) {
                    problems.append("grant \(grant.id): \(problem)")
                    continue
                }
                evidenceIDs.append(grant.id)
                let reviewBy = grant.grantedAt.addingTimeInterval(Double(freeze.breakGlass.reviewWithin))
                add(
                    "freeze", .satisfied,
                    "\(freeze.name) is active, lifted by break-glass grant \(grant.id) from \(policy.canonical(grant.invokedBy))"
                        + " until \(stamp.string(from: grant.expiresAt))")
                relaxations.append(
                    "break-glass: grant \(grant.id) by \(policy.canonical(grant.invokedBy)) (incident \(grant.incident ?? "none"))"
                        + " lifted freeze \(freeze.name); review by team \(freeze.breakGlass.reviewTeam) due by \(stamp.string(from: reviewBy))"
                )
                return
            }
            let how =
                "break-glass: allowed for \(freeze.breakGlass.allowed.joined(separator: ", "))"
                + (freeze.breakGlass.requiresReason ? ", with a reason" : "")
                + (freeze.breakGlass.requiresIncident ? ", with an incident id" : "")
                + ", for at most \(freeze.breakGlass.maxDuration / 3600)h"
            add(
                "freeze", .denied,
                "deploys to \(env.name) are frozen by \(freeze.name) until \(stamp.string(from: until)); "
                    + (problems.isEmpty ? how : problems.joined(separator: "; ") + "; " + how))
        }
    }

    /// Why a grant cannot lift the freeze, or `nil` when it can.
    func breakGlassProblem(_ grant: BreakGlassGrant, _ freeze: Freeze) -> String? {
        let who = policy.canonical(grant.invokedBy)
        let allowed = freeze.breakGlass.allowed.contains { entry in
            if entry.hasPrefix("team:") {
                return policy.teams[String(entry.dropFirst(5))]?.members.map(policy.canonical).contains(who) ?? false
            }
            return policy.canonical(entry) == who
        }
        if !allowed { return "\(who) may not break glass for \(freeze.name)" }
        if freeze.breakGlass.requiresReason && (grant.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            return "a reason is required"
        }
        if freeze.breakGlass.requiresIncident && (grant.incident ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            return "an incident id is required"
        }
        if grant.expiresAt.timeIntervalSince(grant.grantedAt) > Double(freeze.breakGlass.maxDuration) {
            return "lasts longer than the \(freeze.breakGlass.maxDuration / 3600)h maximum"
        }
        if now < grant.grantedAt { return "not yet valid" }
        if now >= grant.expiresAt { return "expired" }
        return nil
    }
}

/// Freeze windows on the calendar: absolute ranges, and cron starts in an IANA zone with a duration, evaluated
/// with the zone's real offsets so windows stay correct across daylight-saving changes.
enum FreezeCalendar {
    /// When the freeze's currently active window ends, or `nil` when no window covers `now`.
    static func activeUntil(_ freeze: Freeze, at now: Date) -> Date? {
        var latestEnd: Date? = nil
        for window in freeze.windows {
            if let end = activeUntil(window, at: now), end > (latestEnd ?? .distantPast) { latestEnd = end }
        }
        return latestEnd
    }

    static func activeUntil(_ window: FreezeWindow, at now: Date) -> Date? {
        switch window {
        case .absolute(let start, let end):
            return start <= now && now < end ? end : nil
        case .recurring(let cron, let duration, let zone, _):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let earliest = now.addingTimeInterval(-Double(duration))
            var day = calendar.startOfDay(for: earliest)
            var best: Date? = nil
            while day <= now {
                let c = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
                if let y = c.year, let m = c.month, let d = c.day, let w = c.weekday,
                    cron.matchesDay(dayOfMonth: d, month: m, dayOfWeek: w - 1)
                {
                    for hour in cron.hours.sorted() {
                        for minute in cron.minutes.sorted() {
                            let parts = DateComponents(year: y, month: m, day: d, hour: hour, minute: minute)
                            guard let start = calendar.date(from: parts), start <= now, start > earliest else {
                                continue
                            }
                            let end = start.addingTimeInterval(Double(duration))
                            if end > (best ?? .distantPast) { best = end }
                        }
                    }
                }
                guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
                day = next
            }
            return best
        }
    }
}
