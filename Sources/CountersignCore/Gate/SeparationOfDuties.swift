/// Who may not approve a request, and why — the one rule both the gate (which does not count such approvals) and
/// the server (which refuses them outright and records the attempt) apply.
public enum SeparationOfDuties {
    /// Canonical identity → why it is excluded: the change's author and committers and the requester (unless the
    /// environment allows self-approval below its rank), and always the deployer.
    public static func excluded(
        _ request: DeployRequest, environment env: DeploymentEnvironment, policy: PolicyBundle
    ) -> [String: String] {
        Dictionary(uniqueKeysWithValues: exclusions(request, environment: env, policy: policy).map { ($0.who, $0.why) })
    }

    /// The same exclusions as a list, each identity once with its first reason — what the gate reads for every
    /// decision: a handful of entries searched in place cost less than a dictionary built and hashed.
    static func exclusions(
        _ request: DeployRequest, environment env: DeploymentEnvironment, policy: PolicyBundle
    ) -> [(who: String, why: String)] {
        let change = request.change
        let selfApproval = env.selfApprovalBelowRank.map { env.rank < $0 } ?? false
        var list: [(who: String, why: String)] = []
        list.reserveCapacity(3 + (change.pullRequest?.committers.count ?? 0))
        func exclude(_ name: String, _ why: String) {
            let who = policy.canonical(name)
            if !list.contains(where: { $0.who == who }) { list.append((who, why)) }
        }
        if !selfApproval {
            if let author = change.pullRequest?.author { exclude(author, "the change's author") }
            for c in change.pullRequest?.committers ?? [] { exclude(c, "a committer of the change") }
            exclude(request.requester, "the requester")
        }
        exclude(request.deployer, "the deployer")
        return list
    }
}
