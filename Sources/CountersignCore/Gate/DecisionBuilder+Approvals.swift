internal import CountersignEncoding
import Foundation

extension DecisionBuilder {
    /// Separation of duties: `count` distinct humans per team rule, none of them the change's author or a
    /// committer, the requester or the deployer (through aliases); each approval bound to this digest and
    /// environment and not expired; one approver counts for one rule. A rejection by an eligible approver denies.
    mutating func checkApprovals(_ tier: Tier, _ env: DeploymentEnvironment) {
        guard !tier.approvals.isEmpty else { return }
        let selfApproval = env.selfApprovalBelowRank.map { env.rank < $0 } ?? false
        let excluded = SeparationOfDuties.excluded(request, environment: env, policy: policy)

        // The latest decision of each approver for this digest and environment.
        var latest: [String: Approval] = [:]
        var notes: [String] = []
        for a in evidence.approvals.sorted(by: { $0.at < $1.at }) {
            let who = policy.canonical(a.approver)
            guard a.digest == digest else {
                notes.append("\(who)'s approval is for \(a.digest), not \(digest) (stale)")
                continue
            }
            guard a.environment == request.environment else {
                notes.append("\(who)'s approval is for \(a.environment)")
                continue
            }
            if let maxAge = env.approvalMaxAge, now.timeIntervalSince(a.at) > Double(maxAge) {
                notes.append("\(who)'s approval from \(RFC3339.string(a.at)) has expired")
                continue
            }
            latest[who] = a
        }
        var eligible: [String] = []
        for (who, approval) in latest.sorted(by: { $0.key < $1.key }) {
            if let identity = policy.identity(who) {
                if identity.kind == .automation {
                    notes.append("\(who) is an automation identity and has no authority to approve")
                    continue
                }
                if !identity.roles.contains(.approver) {
                    notes.append("\(who) does not have the approver role")
                    continue
                }
            } else if !policy.identities.isEmpty {
                notes.append("\(approval.approver) is not a known identity")
                continue
            }
            if let why = excluded[who] {
                notes.append("\(who) is excluded as \(why)")
                continue
            }
            switch approval.state {
            case .rejected:
                evidenceIDs.append(approval.id)
                add("approvals", .denied, "rejected by \(who)\(approval.comment.map { ": \($0)" } ?? "")")
                return
            case .withdrawn:
                notes.append("\(who) withdrew their approval")
            case .granted:
                eligible.append(who)
            }
        }
        // Assign approvers to rule slots so that each person counts once (augmenting-path bipartite matching).
        var slots: [(rule: Int, team: Set<String>)] = []
        for (i, rule) in tier.approvals.enumerated() {
            let members = policy.teamMembers[rule.team] ?? []
            for _ in 0..<rule.count { slots.append((i, members)) }
        }
        var slotOf: [String: Int] = [:]
        var holder: [Int: String] = [:]
        func assign(_ who: String, _ seen: inout Set<Int>) -> Bool {
            for (s, slot) in slots.enumerated() where slot.team.contains(who) && !seen.contains(s) {
                seen.insert(s)
                if holder[s] == nil || assign(holder[s]!, &seen) {
                    holder[s] = who
                    slotOf[who] = s
                    return true
                }
            }
            return false
        }
        for who in eligible {
            var seen: Set<Int> = []
            _ = assign(who, &seen)
        }
        for a in latest.values where slotOf[policy.canonical(a.approver)] != nil { evidenceIDs.append(a.id) }
        var missing: [String] = []
        for (i, rule) in tier.approvals.enumerated() {
            let have = holder.filter { slots[$0.key].rule == i }.map(\.value).sorted()
            if have.count < rule.count {
                let need = rule.count - have.count
                missing.append("needs \(need) more approval\(need == 1 ? "" : "s") from team \(rule.team)")
                // Say who on the team cannot approve this change, so nobody waits for them.
                for member in (policy.teamMembers[rule.team] ?? []).sorted() {
                    if let why = excluded[member], !notes.contains("\(member) is excluded as \(why)") {
                        notes.append("\(member) is excluded as \(why)")
                    }
                }
            } else {
                add("approvals", .satisfied, "team \(rule.team): approved by \(have.joined(separator: ", "))")
            }
        }
        if selfApproval, let author = request.change.pullRequest?.author, slotOf[policy.canonical(author)] != nil {
            relaxations.append(
                "self-approval: \(policy.canonical(author)) approved their own change (allowed below rank \(env.selfApprovalBelowRank ?? 0))"
            )
        }
        if !missing.isEmpty {
            add("approvals", .pending, (missing + notes).joined(separator: "; "))
        }
    }
}
