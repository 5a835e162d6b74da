extension PolicyReader {
    /// Refuses a policy whose required paths nobody can walk, or one person can walk alone (issue 16, item 7):
    /// - an approval rule asking for more approvers than its team has people holding the approver role — every
    ///   request of that tier would wait forever, and the pressure to "fix" it lands on whoever edits the policy;
    /// - a single-person team on a required path (approvals, break-glass review): that person's absence blocks every
    ///   deploy, and nobody else ever looks at what they decide;
    /// - a break-glass review team that cannot review one of its invokers' grants, because nobody in it but the
    ///   invoker may review (people holding the approver or admin role, never the invoker).
    /// Checked only when the policy declares identities: without them it knows no roles.
    mutating func checkRequiredPaths(aliases: [String: String]) {
        let who = { (name: String) in aliases[Names.canonical(name)] ?? Names.canonical(name) }
        /// The distinct people of `team` holding one of `roles`, by canonical name.
        func eligible(_ team: Team, _ roles: Set<Identity.Role>) -> [String] {
            var seen: Set<String> = []
            return team.members.map(who).filter { name in
                guard let identity = identities[name]?.0, identity.kind == .human,
                    !identity.roles.isDisjoint(with: roles)
                else { return false }
                return seen.insert(name).inserted
            }
        }
        func people(_ team: Team) -> [String] { Array(Set(team.members.map(who))).sorted() }
        for (tier, f, l) in tiers {
            for rule in tier.approvals {
                guard let team = teams[rule.team]?.0 else { continue }
                let approvers = eligible(team, [.approver])
                if approvers.count < rule.count {
                    issues.append(
                        PolicyIssue(
                            file: f, line: l,
                            message:
                                "Tier \(tier.name): needs \(rule.count) approvals from team \(team.name), which has "
                                + "\(approvers.count) \(approvers.count == 1 ? "person" : "people") holding the approver "
                                + "role (\(approvers.isEmpty ? "none" : approvers.joined(separator: ", ")))"))
                }
                if people(team).count == 1 {
                    issues.append(
                        PolicyIssue(
                            file: f, line: l,
                            message:
                                "Tier \(tier.name): team \(team.name) has one member (\(people(team)[0])) and is on "
                                + "a required path; a required team needs at least two people"))
                }
            }
        }
        for (freeze, f, l) in freezes {
            guard let team = teams[freeze.breakGlass.reviewTeam]?.0 else { continue }
            if people(team).count == 1 {
                issues.append(
                    PolicyIssue(
                        file: f, line: l,
                        message: "Freeze \(freeze.name): breakGlass.review.team \(team.name) has one member "
                            + "(\(people(team)[0])); break-glass is reviewed by a team of at least two"))
            }
            let reviewers = eligible(team, [.approver, .admin])
            var invokers: [String] = []
            for entry in freeze.breakGlass.allowed {
                if entry.hasPrefix("team:") {
                    invokers += teams[String(entry.dropFirst(5))]?.0.members.map(who) ?? []
                } else {
                    invokers.append(who(entry))
                }
            }
            var reported: Set<String> = []
            for invoker in invokers where reported.insert(invoker).inserted {
                if reviewers.allSatisfy({ $0 == invoker }) {
                    issues.append(
                        PolicyIssue(
                            file: f, line: l,
                            message: "Freeze \(freeze.name): breakGlass.review.team \(team.name) cannot review a grant "
                                + "by \(invoker): nobody else in it holds the approver or admin role"))
                }
            }
        }
    }
}
