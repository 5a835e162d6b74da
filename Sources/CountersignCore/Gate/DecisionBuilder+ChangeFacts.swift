extension DecisionBuilder {
    /// `change-facts`: whether the facts separation of duties and the tier rest on are GitHub's record or only the
    /// request's word. A protected environment waits for the record, and for every fact the record could not
    /// establish, naming it; an unprotected one decides on the request's account and says so.
    mutating func checkChangeFacts(_ env: DeploymentEnvironment) {
        let change = request.change
        let commit = String(change.commit.prefix(12))
        guard let facts = record else {
            guard env.protected else {
                add("change-facts", .satisfied, "as the request states them, unverified (\(env.name) is not protected)")
                return
            }
            guard let repository = change.repository, !repository.isEmpty else {
                add(
                    "change-facts", .pending,
                    "the request names no change.repository, so the author, committers and reviewers of \(commit) "
                        + "cannot be read from GitHub; \(env.name) does not take them on the request's word")
                return
            }
            add(
                "change-facts", .pending,
                "no GitHub record of \(repository)@\(commit) yet (author, committers, reviewers, labels): "
                    + "\(env.name) does not take them on the request's word")
            return
        }
        evidenceIDs.append(facts.id)
        let pr = facts.change.pullRequest.map { $0.number > 0 ? "#\($0.number)" : "pushed without a pull request" }
        let subject = "\(facts.repository) \(pr ?? "") at \(commit)"
        guard env.protected, !facts.unknown.isEmpty else {
            add("change-facts", .satisfied, "as GitHub records them (\(facts.source.rawValue)): \(subject)")
            return
        }
        for fact in facts.unknown {
            switch fact {
            case .committers:
                add(
                    "change-facts", .pending,
                    "who made the commits of \(subject) is unknown: a delivery names only the pull request's author, "
                        + "and the commits are listed through GitHub's API")
            case .committerIdentity:
                let who = facts.unresolved.isEmpty ? "a commit author" : facts.unresolved.joined(separator: ", ")
                add(
                    "change-facts", .pending,
                    "\(who) made commits of \(subject) but is neither a GitHub account nor an alias of an identity: "
                        + "name the address as someone's alias so separation of duties can tell who it is")
            case .allCommits:
                add(
                    "change-facts", .pending,
                    "\(subject) has more commits than GitHub lists (250): who made the rest is unknown")
            }
        }
    }

    /// `source`: whether the digest is bound to the commit the request names — by verified provenance, or by a
    /// builder that registered the digest with its commit. A binding to another commit, or to the same commit of
    /// another repository than the request names, denies: the artifact is not the change whose facts were decided
    /// on. A protected environment waits for a binding.
    mutating func checkSource(_ env: DeploymentEnvironment) {
        let commit = request.change.commit
        let repository = request.change.repository.map(ChangeResolution.repositoryKey)
        func names(_ b: SourceBinding) -> Bool {
            guard Change.sameCommit(b.commit, commit) else { return false }
            guard let theirs = b.repository.map(ChangeResolution.repositoryKey), let repository else { return true }
            return theirs == repository
        }
        var matching: SourceBinding?
        var other: SourceBinding?
        var ignored: Set<String> = []
        for binding in evidence.sources where binding.digest == digest && !isAfterNow(binding.at) {
            // A policy without identities names no builders: every registration counts, as every check does.
            if binding.via == .builder, !policy.identities.isEmpty, let who = interested(binding.by, holding: .builder)
            {
                ignored.insert(who)
                continue
            }
            if names(binding) {
                if matching.map({ binding.at >= $0.at }) ?? true { matching = binding }
            } else if other.map({ binding.at >= $0.at }) ?? true {
                other = binding
            }
        }
        func how(_ b: SourceBinding) -> String {
            b.via == .provenance ? "provenance verified under \(b.by)" : "registered by \(b.by)"
        }
        if let other {
            evidenceIDs.append(other.id)
            let theirs = other.repository.map { ChangeResolution.repositoryKey($0) + "@" } ?? ""
            let mine = repository.map { $0 + "@" } ?? ""
            add(
                "source", .denied,
                "\(digest) was built from \(theirs)\(other.commit.prefix(12)) (\(how(other))), not "
                    + "\(mine)\(commit.prefix(12)), the change the request names")
            return
        }
        if let matching {
            evidenceIDs.append(matching.id)
            add("source", .satisfied, "built from \(commit.prefix(12)) (\(how(matching)))")
            return
        }
        guard env.protected else { return }
        let note =
            ignored.isEmpty
            ? ""
            : " (ignored registrations by \(ignored.sorted().joined(separator: ", ")): builders that cannot deploy only)"
        add(
            "source", .pending,
            "nothing binds \(digest) to commit \(commit.prefix(12)) yet: its provenance verified under an artifact "
                + "policy, or its registration with the commit by a builder\(note)")
    }

}
