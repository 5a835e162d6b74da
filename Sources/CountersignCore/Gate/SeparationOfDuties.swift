/// Who may not approve a request, and why — the one rule both the gate (which does not count such approvals) and
/// the server (which refuses them outright and records the attempt) apply.
public enum SeparationOfDuties {
    /// Canonical identity → why it is excluded: the change's author and committers and the requester (unless the
    /// environment allows self-approval below its rank), and always the deployer.
    public static func excluded(
        _ request: DeployRequest, environment env: DeploymentEnvironment, policy: PolicyBundle
    ) -> [String: String] {
        let change = request.change
        let selfApproval = env.selfApprovalBelowRank.map { env.rank < $0 } ?? false
        var excluded: [String: String] = [:]
        if !selfApproval {
            if let author = change.pullRequest?.author { excluded[policy.canonical(author)] = "the change's author" }
            for c in change.pullRequest?.committers ?? [] where excluded[policy.canonical(c)] == nil {
                excluded[policy.canonical(c)] = "a committer of the change"
            }
        }
        if !selfApproval, excluded[policy.canonical(request.requester)] == nil {
            excluded[policy.canonical(request.requester)] = "the requester"
        }
        if excluded[policy.canonical(request.deployer)] == nil {
            excluded[policy.canonical(request.deployer)] = "the deployer"
        }
        return excluded
    }
}
