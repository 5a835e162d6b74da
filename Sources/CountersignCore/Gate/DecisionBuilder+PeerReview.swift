extension DecisionBuilder {
    /// `peer-review`: the change itself was reviewed — `count` approving reviews of its head commit by people who
    /// neither wrote nor committed any of it — and, where the rule asks, merged by someone who did not either.
    ///
    /// Reviews and the merger are read from GitHub's record of the commit, never from the request: a reviewer the
    /// deploy bot names would be its own word. Without a record a protected environment waits for one; an unprotected
    /// one counts what the request states, and says so. A reviewer counts once, under their identity (aliases and
    /// GitHub logins fold to it); with identities declared, only a known person counts — anyone with a GitHub account
    /// can leave an approving review on a public repository, and a bot's approval is nobody's review.
    mutating func checkPeerReview(_ tier: Tier, _ env: DeploymentEnvironment) {
        guard let rule = tier.peerReview else { return }
        let commit = request.change.commit.prefix(12)
        let pullRequest: Change.PullRequest?
        let source: String
        if let record {
            pullRequest = record.change.pullRequest
            source = "GitHub's record"
        } else if env.protected {
            add(
                "peer-review", .pending,
                "the reviews of \(commit) are read from GitHub's record of it, and there is none yet: \(env.name) does "
                    + "not take reviewers on the request's word", rule: tier.name)
            return
        } else {
            pullRequest = request.change.pullRequest
            source = "the request's word (\(env.name) is not protected)"
        }
        guard let pr = pullRequest, pr.number > 0 else {
            add(
                "peer-review", .pending,
                "\(commit) has no pull request, so nobody reviewed it: the tier needs \(rule.count) approving "
                    + "review\(rule.count == 1 ? "" : "s") of its head by someone who did not write it", rule: tier.name
            )
            return
        }
        // Those who wrote the change: its author and every commit author and committer. The change decided on holds
        // the record's people and those the request names alike (``ChangeResolution``: more people excluded is only
        // stricter), so it is the one list to read.
        var writers: [(who: String, why: String)] = []
        func writer(_ name: String, _ why: String) {
            let who = policy.canonical(name)
            if !who.isEmpty, !writers.contains(where: { $0.who == who }) { writers.append((who, why)) }
        }
        if let written = request.change.pullRequest {
            writer(written.author, "the change's author")
            for c in written.committers { writer(c, "a committer of the change") }
        }
        var reviewers: [String] = []
        var notes: [String] = []
        for name in pr.reviewers {
            let who = policy.canonical(name)
            guard !reviewers.contains(who) else { continue }
            if let why = writers.first(where: { $0.who == who })?.why {
                notes.append("\(who)'s review does not count: \(who) is \(why)")
                continue
            }
            if !policy.identities.isEmpty {
                guard let identity = policy.identities[who] else {
                    notes.append("\(name) is not a known identity")
                    continue
                }
                guard identity.kind == .human else {
                    notes.append("\(who) is an automation identity, and a bot's approval is nobody's review")
                    continue
                }
            }
            reviewers.append(who)
        }
        // Built once, in place: the message of every allowed deploy of the tier is made of it.
        var subject = "#"
        subject.reserveCapacity(96)
        subject += String(pr.number)
        subject += " at "
        subject += commit
        guard reviewers.count >= rule.count else {
            let need = rule.count - reviewers.count
            add(
                "peer-review", .pending,
                ([
                    "\(subject) needs \(need) more approving review\(need == 1 ? "" : "s") of its head commit by someone "
                        + "who did not write it, per \(source)"
                ] + notes).joined(separator: "; "), rule: tier.name)
            return
        }
        var merged = ""
        if rule.mergedByOther {
            guard let mergedBy = pr.mergedBy, !mergedBy.isEmpty else {
                add(
                    "peer-review", .pending,
                    "\(subject) is reviewed but not merged: the tier needs it merged by someone who did not write it",
                    rule: tier.name)
                return
            }
            let merger = policy.canonical(mergedBy)
            if let why = writers.first(where: { $0.who == merger })?.why {
                add(
                    "peer-review", .denied,
                    "\(subject) was merged by \(merger), \(why): the tier needs a merge by someone who did not write it",
                    rule: tier.name)
                return
            }
            if !policy.identities.isEmpty, policy.identities[merger] == nil {
                add(
                    "peer-review", .pending,
                    "\(subject) was merged by \(mergedBy), who is not a known identity: name the login as someone's "
                        + "alias so separation of duties can tell who merged it", rule: tier.name)
                return
            }
            merged = "; merged by " + merger
        }
        subject += " approved by "
        subject += reviewers.joined(separator: ", ")
        subject += " per "
        subject += source
        subject += merged
        add("peer-review", .satisfied, subject, rule: tier.name)
    }
}
