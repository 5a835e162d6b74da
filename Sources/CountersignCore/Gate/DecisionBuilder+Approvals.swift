internal import CountersignEncoding
import Foundation

extension DecisionBuilder {
    /// Separation of duties: `count` distinct humans per team rule, none of them the change's author or a
    /// committer, the requester or the deployer (through aliases); each approval bound to this digest and
    /// environment and not expired; one approver counts for one rule. A rejection by an eligible approver denies.
    ///
    /// Each rule is its own control result (``ControlResult/rule`` `team@tier`), so the gate metrics can tell a rule
    /// that never rejects from one that does; what is said of the reviews in general is said on the first rule still
    /// waiting.
    mutating func checkApprovals(_ tier: Tier, _ env: DeploymentEnvironment) {
        guard !tier.approvals.isEmpty else { return }
        let selfApproval = env.selfApprovalBelowRank.map { env.rank < $0 } ?? false
        let excluded = SeparationOfDuties.exclusions(request, environment: env, policy: policy)
        let teams = tier.approvals.map { policy.teamMembers[$0.team] ?? [] }
        // Who is on a team: for a team with a sign-in group and a review given through a sign-in, what the identity
        // provider verified then; otherwise the policy's members.
        let signInGroups = tier.approvals.map { policy.teams[$0.team]?.signInGroup }
        func isMember(_ who: String, review: Int, of rule: Int) -> Bool {
            if let group = signInGroups[rule], let said = evidence.approvals[review].groups {
                return said.contains(group)
            }
            return teams[rule].contains(who)
        }

        // The latest review of each approver for this digest and environment: the current reviews in time order
        // (of two at the same time, the one recorded last), then by name, keeping each name's last. Reviews are
        // handled by their index in the evidence: an `Approval` copied is five strings retained and released.
        // Of two reviews by one person at the same instant, the stricter stands: a rejection over a withdrawal over
        // an approval, whatever order they were recorded in.
        let approvals = evidence.approvals
        var chronological = Array(approvals.indices)
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let (x, y) = (approvals[a], approvals[b])
            if x.at != y.at { return x.at < y.at }
            if x.state != y.state { return x.state.strictness < y.state.strictness }
            return a < b
        }
        if !chronological.dropFirst().allSatisfy({ !precedes($0, $0 - 1) }) { chronological.sort(by: precedes) }
        var current: [(who: String, index: Int)] = []
        current.reserveCapacity(approvals.count)
        var notes: [String] = []
        for i in chronological {
            let who = policy.canonical(approvals[i].approver)
            // A review dated after the decision's time has not happened yet as far as this decision knows.
            guard !isAfterNow(approvals[i].at) else {
                notes.append(
                    "\(who)'s review is dated \(RFC3339.string(approvals[i].at)), after the decision time; ignored")
                continue
            }
            guard approvals[i].digest == digest else {
                notes.append("\(who)'s approval is for \(approvals[i].digest), not \(digest) (stale)")
                continue
            }
            guard approvals[i].environment == request.environment else {
                notes.append("\(who)'s approval is for \(approvals[i].environment)")
                continue
            }
            if let maxAge = env.approvalMaxAge, now.timeIntervalSince(approvals[i].at) > Double(maxAge) {
                notes.append("\(who)'s approval from \(RFC3339.string(approvals[i].at)) has expired")
                continue
            }
            current.append((who, i))
        }
        // By name: the notes and the evidence ids come out in the same order in every process (a dictionary's own
        // order is seeded per process, and a decision must replay to the same bytes).
        var byName = Array(current.indices)
        byName.sort { (current[$0].who, $0) < (current[$1].who, $1) }
        var ordered: [(who: String, index: Int)] = []
        ordered.reserveCapacity(byName.count)
        for (n, c) in byName.enumerated() where n + 1 == byName.count || current[byName[n + 1]].who != current[c].who {
            ordered.append(current[c])
        }
        var eligible: [String] = []
        var eligibleReview: [Int] = []  // each eligible person's review, by its index in the evidence
        for (who, index) in ordered {
            if let identity = policy.identities[who] {  // `who` is canonical already
                if identity.kind == .automation {
                    notes.append("\(who) is an automation identity and has no authority to approve")
                    continue
                }
                if !identity.roles.contains(.approver) {
                    notes.append("\(who) does not have the approver role")
                    continue
                }
            } else if !policy.identities.isEmpty {
                notes.append("\(approvals[index].approver) is not a known identity")
                continue
            }
            if let why = excluded.first(where: { $0.who == who })?.why {
                notes.append("\(who) is excluded as \(why)")
                continue
            }
            switch approvals[index].state {
            case .rejected:
                // Denied under each rule whose team the rejecter is on (under none of them: the tier's approvals
                // as a whole, which any eligible approver may refuse).
                evidenceIDs.append(approvals[index].id)
                let message = "rejected by \(who)\(approvals[index].comment.map { ": \($0)" } ?? "")"
                let under = tier.approvals.indices.filter { isMember(who, review: index, of: $0) }
                if under.isEmpty { add("approvals", .denied, message) }
                for rule in under { add("approvals", .denied, message, rule: tier.approvals[rule].rule) }
                return
            case .withdrawn:
                notes.append("\(who) withdrew their approval")
            case .granted:
                eligible.append(who)
                eligibleReview.append(index)
            }
        }
        // Assign approvers to rule slots so that each person counts once (augmenting-path bipartite matching).
        // Slots, approvers and who may fill what are small integers here, so the search hashes no strings.
        var slotRule: [Int] = []
        for (i, rule) in tier.approvals.enumerated() { slotRule += repeatElement(i, count: max(rule.count, 0)) }
        let fits: [[Bool]] = eligible.indices.map { e in
            let member = teams.indices.map { isMember(eligible[e], review: eligibleReview[e], of: $0) }
            return slotRule.map { member[$0] }
        }
        var holder = [Int?](repeating: nil, count: slotRule.count)
        func assign(_ person: Int, _ seen: inout [Bool]) -> Bool {
            for s in slotRule.indices where fits[person][s] && !seen[s] {
                seen[s] = true
                if holder[s] == nil || assign(holder[s]!, &seen) {
                    holder[s] = person
                    return true
                }
            }
            return false
        }
        var seen = [Bool](repeating: false, count: slotRule.count)
        for person in eligible.indices {
            for s in seen.indices { seen[s] = false }
            _ = assign(person, &seen)
        }
        var isCounted = [Bool](repeating: false, count: eligible.count)
        for case let person? in holder { isCounted[person] = true }
        let counted = eligible.indices.filter { isCounted[$0] }.map { eligible[$0] }
        for (who, index) in ordered where counted.contains(who) { evidenceIDs.append(approvals[index].id) }
        // Each rule still short: what it needs, then what keeps people off its team — whose approval the identity
        // provider's groups kept off it, and who on it cannot approve this change — so nobody waits for them.
        var missing: [(rule: Int, needs: String, notes: [String])] = []
        for (i, rule) in tier.approvals.enumerated() {
            let have = slotRule.indices.filter { slotRule[$0] == i }.compactMap { holder[$0].map { eligible[$0] } }
                .sorted()
            if have.count < rule.count {
                let need = rule.count - have.count
                var ruleNotes: [String] = []
                if let group = signInGroups[i] {
                    for e in eligible.indices where teams[i].contains(eligible[e]) {
                        if approvals[eligibleReview[e]].groups?.contains(group) == false {
                            ruleNotes.append(
                                "\(eligible[e]) signed in without group \(group), which team \(rule.team) is read from")
                        }
                    }
                }
                for member in (policy.teamMembers[rule.team] ?? []).sorted() {
                    if let why = excluded.first(where: { $0.who == member })?.why {
                        ruleNotes.append("\(member) is excluded as \(why)")
                    }
                }
                missing.append(
                    (i, "needs \(need) more approval\(need == 1 ? "" : "s") from team \(rule.team)", ruleNotes))
            } else {
                add(
                    "approvals", .satisfied, "team \(rule.team): approved by \(have.joined(separator: ", "))",
                    rule: rule.rule)
            }
        }
        if selfApproval, let author = request.change.pullRequest?.author, counted.contains(policy.canonical(author)) {
            relaxations.append(
                "self-approval: \(policy.canonical(author)) approved their own change (allowed below rank \(env.selfApprovalBelowRank ?? 0))"
            )
        }
        guard !missing.isEmpty else { return }
        // The emergency path: where the freeze's break-glass rules say so, a valid grant stands in for the approvals
        // still missing — time-boxed, and reviewed afterwards by the review team, never by its invoker. A rejection
        // by an eligible approver has denied above: a grant does not overrule a person who looked and said no.
        if let (grant, freeze) = emergencyGrant(for: tier, env) {
            if !evidenceIDs.contains(grant.id) { evidenceIDs.append(grant.id) }
            let who = policy.canonical(grant.invokedBy)
            // Nobody looked before this deploy but its invoker; when that is someone who wrote the change, the
            // review afterwards is the only second pair of eyes, and the relaxation says so.
            let role = excluded.first(where: { $0.who == who }).map { " (\($0.why))" } ?? ""
            let reviewBy = grant.grantedAt.addingTimeInterval(Double(freeze.breakGlass.reviewWithin))
            add(
                "approvals", .satisfied,
                "on the emergency path: break-glass grant \(grant.id) from \(who) (incident "
                    + "\(grant.incident ?? "none")) stands in for what was missing "
                    + "(\(missing.map(\.needs).joined(separator: "; "))) "
                    + "until \(RFC3339.string(grant.expiresAt))")
            relaxations.append(
                "break-glass: grant \(grant.id) by \(who)\(role) stood in for the approvals of tier \(tier.name); review by "
                    + "team \(freeze.breakGlass.reviewTeam) due by \(RFC3339.string(reviewBy))")
            return
        }
        for (n, m) in missing.enumerated() {
            var lines = [m.needs]
            for note in (n == 0 ? notes : []) + m.notes where !lines.contains(note) { lines.append(note) }
            add("approvals", .pending, lines.joined(separator: "; "), rule: tier.approvals[m.rule].rule)
        }
    }
}
