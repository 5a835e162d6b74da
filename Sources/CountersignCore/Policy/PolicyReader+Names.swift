extension PolicyReader {
    /// Refuses names the policy compares with a request's that are not written in their canonical form (``Names``):
    /// environments, the services and environments of freezes and tiers, and teams. Requests are folded before the
    /// gate compares them, so a policy naming `Production` would match nothing — a freeze that never applies, a tier
    /// that never matches. Better a lint error at the line than a control that silently covers nobody.
    mutating func checkCanonicalNames() {
        func check(_ name: String, _ what: String, _ file: String, _ line: Int) {
            let canonical = Names.canonical(name)
            if !Names.isSafe(canonical) {
                issues.append(PolicyIssue(file: file, line: line, message: "\(what): " + Names.refusal("name", name)))
            } else if canonical != name {
                issues.append(
                    PolicyIssue(
                        file: file, line: line,
                        message: "\(what): '\(name)' is compared as '\(canonical)'; write it that way"))
            }
        }
        for (name, (_, f, l)) in environments.sorted(by: { ($0.value.1, $0.value.2) < ($1.value.1, $1.value.2) }) {
            check(name, "Environment \(name)", f, l)
        }
        for (name, (_, f, l)) in teams.sorted(by: { ($0.value.1, $0.value.2) < ($1.value.1, $1.value.2) }) {
            check(name, "Team \(name)", f, l)
        }
        for (tier, f, l) in tiers {
            for e in tier.environments { check(e, "Tier \(tier.name): environment", f, l) }
        }
        for (freeze, f, l) in freezes {
            for e in freeze.environments { check(e, "Freeze \(freeze.name): environment", f, l) }
            for s in freeze.services { check(s, "Freeze \(freeze.name): service", f, l) }
        }
    }
}
