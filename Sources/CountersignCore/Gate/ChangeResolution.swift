public import Foundation

/// How a request's own account of its change meets what GitHub records about it (DESIGN §5a: a fact the gated
/// party asserts may only make the gate stricter).
///
/// With a GitHub record for the request's repository and commit (``ChangeFacts``), the gate decides on the record:
/// its author, committers, approving reviewers, merger, labels, kind and ref. Whoever the request names as author or
/// committer is added to those excluded from approving — more people excluded is only stricter — but a reviewer,
/// a merger, a rollback plan or a lighter kind the request states counts for nothing. When the request's account
/// differs from the record in anything a condition can read, the gate decides that account too and requires
/// whatever either one requires: a deploy bot that calls a recorded one-way migration a reversible flag flip gets the
/// migration's controls and the flag flip's.
///
/// Without a record the request's account is all there is: an unprotected environment decides on it, a protected one
/// waits for the record (``DecisionBuilder/checkChangeFacts(_:)``).
public struct ChangeResolution: Sendable {
    /// The GitHub record decided on, when one matches the request's repository and commit.
    public let facts: ChangeFacts?
    /// The request the gate decides on: with the record's facts when there is one.
    public let effective: DeployRequest
    /// The request with its own account of the change (and the record's people added), when that account differs
    /// from the record in a fact a condition reads; decided as well, it can only add controls.
    public let claimed: DeployRequest?

    public init(_ request: DeployRequest, evidence: Evidence, now: Date) {
        let facts = Self.record(for: request.change, in: evidence.changes, now: now)
        self.facts = facts
        guard let facts else {
            effective = request
            claimed = nil
            return
        }
        let stated = request.change
        var change = facts.change
        change.repository = facts.repository
        change.commit = stated.commit
        // A rollback plan is the requester's word wherever it appears: nothing GitHub records stands behind it.
        change.rollbackPlan = nil
        var pullRequest = change.pullRequest ?? Change.PullRequest(number: 0, author: "")
        var people = pullRequest.committers
        for name in [stated.pullRequest?.author].compactMap({ $0 }) + (stated.pullRequest?.committers ?? [])
        where !name.isEmpty && name != pullRequest.author && !people.contains(name) {
            people.append(name)
        }
        pullRequest.committers = people
        change.pullRequest = pullRequest
        var effective = request
        effective.change = change
        self.effective = effective

        // The request's own account, with the record's people: only what a condition reads can differ.
        var account = stated
        account.repository = change.repository
        var accountPR = pullRequest
        if let author = stated.pullRequest?.author, !author.isEmpty { accountPR.author = author }
        if accountPR.author != pullRequest.author, !pullRequest.author.isEmpty,
            !accountPR.committers.contains(pullRequest.author)
        {
            accountPR.committers.append(pullRequest.author)
        }
        account.pullRequest = accountPR
        let differs =
            account.ref != change.ref || account.kind != change.kind || account.reversible != change.reversible
            || account.labels != change.labels || (account.ticket ?? "") != (change.ticket ?? "")
            || (account.rollbackPlan ?? "") != "" || accountPR.author != pullRequest.author
        if differs {
            var claimed = request
            claimed.change = account
            self.claimed = claimed
        } else {
            self.claimed = nil
        }
    }

    /// The newest record for `change`'s repository and commit not dated after `now`. A request that names no
    /// repository matches none: a commit's facts are those of the repository it is deployed from.
    static func record(for change: Change, in records: [ChangeFacts], now: Date) -> ChangeFacts? {
        guard let repository = change.repository.map(Self.repositoryKey), !records.isEmpty else { return nil }
        let commit = change.commit.lowercased()
        var found: ChangeFacts?
        for r in records
        where r.change.commit.lowercased() == commit && Self.repositoryKey(r.repository) == repository
            && r.at.timeIntervalSince(now) < 0.001
        {
            if found.map({ r.at >= $0.at }) ?? true { found = r }
        }
        return found
    }

    /// GitHub compares repository names without regard to case.
    public static func repositoryKey(_ name: String) -> String { name.lowercased() }

    /// Who may not approve the request, and why, on the facts the gate decides on.
    public func excluded(environment: DeploymentEnvironment, policy: PolicyBundle) -> [String: String] {
        var excluded = SeparationOfDuties.excluded(effective, environment: environment, policy: policy)
        if let claimed {
            for (who, why) in SeparationOfDuties.excluded(claimed, environment: environment, policy: policy)
            where excluded[who] == nil {
                excluded[who] = why
            }
        }
        return excluded
    }
}
