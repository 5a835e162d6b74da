public import Foundation

extension PolicyBundle {
    /// Why `grant` cannot lift `freeze` at `now`, or `nil` when it can: the invoker must be allowed (by name or
    /// `team:`), the grant must name a service the freeze covers (or the freeze must allow one grant for all its
    /// services), the reason and incident present when required, the grant no longer than the freeze allows, and
    /// `now` within it. The gate applies it to every grant; the server applies it before recording one.
    public func breakGlassProblem(_ grant: BreakGlassGrant, freeze: Freeze, now: Date) -> String? {
        let who = canonical(grant.invokedBy)
        let allowed = freeze.breakGlass.allowed.contains { entry in
            if entry.hasPrefix("team:") {
                return teamMembers[String(entry.dropFirst(5))]?.contains(who) ?? false
            }
            return canonical(entry) == who
        }
        if !allowed { return "\(who) may not break glass for \(freeze.name)" }
        if let service = grant.service.map(Names.canonical) {
            if !freeze.services.isEmpty && !freeze.services.contains(where: { Names.canonical($0) == service }) {
                return "freeze \(freeze.name) does not cover service \(service)"
            }
        } else if !freeze.breakGlass.allServices {
            return "the grant names no service, and \(freeze.name) allows a grant for one service at a time"
        }
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
