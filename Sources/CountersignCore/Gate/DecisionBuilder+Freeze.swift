import CEL
import CountersignEncoding
import Foundation

extension DecisionBuilder {
    /// An active freeze covering (service, environment) denies, unless a valid break-glass grant covers the
    /// request: invoked by someone allowed, with the required reason and incident, unexpired and no longer than
    /// the freeze allows. A grant only lifts the freeze; every other control still applies.
    mutating func checkFreezes(_ env: DeploymentEnvironment) {
        for freeze in policy.freezes where freeze.environments.contains(where: { Names.canonical($0) == env.name }) {
            if !freeze.services.isEmpty && !freeze.services.contains(where: { Names.canonical($0) == request.service })
            {
                continue
            }
            guard let until = FreezeCalendar.activeUntil(freeze, at: now) else { continue }
            var problems: [String] = []
            for grant in evidence.breakGlassGrants where grant.freeze == freeze.name && grant.environment == env.name {
                if let service = grant.service, Names.canonical(service) != request.service {
                    continue
                }
                if let problem = policy.breakGlassProblem(grant, freeze: freeze, now: now) {
                    problems.append("grant \(grant.id): \(problem)")
                    continue
                }
                if !evidenceIDs.contains(grant.id) { evidenceIDs.append(grant.id) }
                let reviewBy = grant.grantedAt.addingTimeInterval(Double(freeze.breakGlass.reviewWithin))
                add(
                    "freeze", .satisfied,
                    "\(freeze.name) is active, lifted by break-glass grant \(grant.id) from \(policy.canonical(grant.invokedBy))"
                        + " until \(RFC3339.string(grant.expiresAt))", rule: freeze.name)
                relaxations.append(
                    "break-glass: grant \(grant.id) by \(policy.canonical(grant.invokedBy)) (incident \(grant.incident ?? "none"))"
                        + " lifted freeze \(freeze.name); review by team \(freeze.breakGlass.reviewTeam) due by \(RFC3339.string(reviewBy))"
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
                "deploys to \(env.name) are frozen by \(freeze.name) until \(RFC3339.string(until)); "
                    + (problems.isEmpty ? how : problems.joined(separator: "; ") + "; " + how), rule: freeze.name)
        }
    }
}

extension DecisionBuilder {
    /// The grant that stands in for `tier`'s approvals on the emergency path: a valid one lifting an active freeze
    /// that covers this request, under break-glass rules that name the tier (`standsInForApprovals`). Outside a
    /// freeze the normal path is open, and a grant stands in for nobody.
    func emergencyGrant(for tier: Tier, _ env: DeploymentEnvironment) -> (grant: BreakGlassGrant, freeze: Freeze)? {
        for freeze in policy.freezes
        where freeze.breakGlass.standsInForApprovals.contains(tier.name)
            && freeze.environments.contains(where: { Names.canonical($0) == env.name })
        {
            if !freeze.services.isEmpty && !freeze.services.contains(where: { Names.canonical($0) == request.service })
            {
                continue
            }
            guard FreezeCalendar.activeUntil(freeze, at: now) != nil else { continue }
            for grant in evidence.breakGlassGrants where grant.freeze == freeze.name && grant.environment == env.name {
                if let service = grant.service, Names.canonical(service) != request.service { continue }
                if policy.breakGlassProblem(grant, freeze: freeze, now: now) == nil { return (grant, freeze) }
            }
        }
        return nil
    }
}

/// Floor division (rounds toward negative infinity), for days before 1970.
private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

/// The UTC instant of a local wall-clock time: the offset is taken at the instant itself, so times after a
/// daylight-saving change use the new offset. A time skipped by a spring-forward gap maps an hour later.
private func utc(fromLocal local: Int64, _ zone: TimeZone) -> Int64 {
    let guess = local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
    return local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess))))
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
            // Walk the local calendar days that a window covering `now` could have started on, newest last;
            // convert each candidate local start to UTC with the zone's offset at that instant (DST-correct).
            let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
            // UTC offsets lie within ±14h, so these local days bound every start that could cover `now`; the
            // zone's exact offset (a comparatively slow lookup) is asked only for starts that pass that bound.
            let slack: Int64 = 14 * 3600
            let firstDay = floorDiv(nowSeconds - duration - slack, 86_400)
            let today = floorDiv(nowSeconds + slack, 86_400)
            var best: Date? = nil
            for day in firstDay...today {
                let (_, m, d) = RFC3339.civilFromDays(day)
                let weekday = Int(((day % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
                guard cron.matchesDay(dayOfMonth: Int(d), month: Int(m), dayOfWeek: weekday) else { continue }
                for hour in cron.hours.sorted() {
                    for minute in cron.minutes.sorted() {
                        let local = day * 86_400 + Int64(hour * 3600 + minute * 60)
                        guard local - slack <= nowSeconds, local + slack > nowSeconds - duration else { continue }
                        let start = utc(fromLocal: local, zone)
                        guard start <= nowSeconds, start > nowSeconds - duration else { continue }
                        let end = Date(timeIntervalSince1970: Double(start + duration))
                        if end > (best ?? .distantPast) { best = end }
                    }
                }
            }
            return best
        }
    }
}
