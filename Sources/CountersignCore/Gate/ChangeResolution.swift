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
    /// The `change` fields (their names in conditions) in which the request's own account differs from the record.
    public let differing: [String]
    /// The request as it came.
    let request: DeployRequest

    public init(_ request: DeployRequest, evidence: Evidence, now: Date) {
        self.request = request
        let facts = Self.record(for: request.change, in: evidence.changes, now: now)
        self.facts = facts
        guard let facts else {
            effective = request
            differing = []
            return
        }
        let stated = request.change
        var change = facts.change
        change.repository = facts.repository
        change.commit = stated.commit
        if request.refSource == .github { change.ref = stated.ref }
        // A rollback plan is the requester's word wherever it appears: nothing GitHub records stands behind it.
        change.rollbackPlan = nil
        var pullRequest = change.pullRequest ?? Change.PullRequest(number: 0, author: "")
        func exclude(_ name: String) {
            if !name.isEmpty, name != pullRequest.author, !pullRequest.committers.contains(name) {
                pullRequest.committers.append(name)
            }
        }
        if let author = stated.pullRequest?.author { exclude(author) }
        for name in stated.pullRequest?.committers ?? [] { exclude(name) }
        change.pullRequest = pullRequest
        var effective = request
        effective.change = change
        self.effective = effective

        // Where the request's own account differs from the record, in what a condition can read.
        let statedAuthor = stated.pullRequest?.author ?? ""
        let author = statedAuthor.isEmpty ? pullRequest.author : statedAuthor
        var differing: [String] = []
        if stated.ref != change.ref { differing.append("ref") }
        if stated.kind != change.kind { differing.append("kind") }
        if stated.reversible != change.reversible { differing.append("reversible") }
        if stated.labels != change.labels { differing.append("labels") }
        if (stated.ticket ?? "") != (change.ticket ?? "") { differing.append("ticket") }
        if !(stated.rollbackPlan ?? "").isEmpty { differing.append("rollbackPlan") }
        if author != pullRequest.author { differing.append("author") }
        self.differing = differing
    }

    /// The request with its own account of the change and the record's people (the record's author is one more
    /// person excluded), when that account differs from the record; decided as well where a condition reads the
    /// difference, it can only add controls. Built when asked: most decisions never need it.
    public var claimed: DeployRequest? {
        guard !differing.isEmpty, let recorded = effective.change.pullRequest else { return nil }
        var account = request.change
        account.repository = effective.change.repository
        var accountPR = recorded
        if let author = account.pullRequest?.author, !author.isEmpty { accountPR.author = author }
        if accountPR.author != recorded.author, !recorded.author.isEmpty,
            !accountPR.committers.contains(recorded.author)
        {
            accountPR.committers.append(recorded.author)
        }
        account.pullRequest = accountPR
        var claimed = request
        claimed.change = account
        return claimed
    }

    /// The newest record for `change`'s repository and commit not dated after `now`. A request that names no
    /// repository matches none: a commit's facts are those of the repository it is deployed from.
    static func record(for change: Change, in records: [ChangeFacts], now: Date) -> ChangeFacts? {
        guard let repository = change.repository.map(Self.repositoryKey), !records.isEmpty else { return nil }
        var found: ChangeFacts?
        for r in records
        where Change.sameCommit(r.change.commit, change.commit) && Self.repositoryKey(r.repository) == repository
            && r.at.timeIntervalSince(now) < 0.001
        {
            if found.map({ r.at >= $0.at }) ?? true { found = r }
        }
        return found
    }

    /// A repository as compared: `owner/name`, lowercase (GitHub compares names without regard to case), whether
    /// written so or as the URL provenance names it (`https://github.com/Owner/Name.git`, `git+https://…`).
    public static func repositoryKey(_ name: String) -> String {
        // Nearly every name is `owner/name` in lowercase already: answered without a copy (the gate asks on every
        // decision).
        var plain = true
        var last: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        for b in name.utf8 {
            if b == UInt8(ascii: ":") || (0x41...0x5A).contains(b) || b >= 0x80 { plain = false }
            last = (last.1, last.2, last.3, b)
        }
        if plain, last.3 != UInt8(ascii: "/"), last != (0x2E, 0x67, 0x69, 0x74) { return name }  // no `.git`
        var key = Substring(name.lowercased())
        if key.hasPrefix("git+") { key = key.dropFirst(4) }
        if let scheme = key.firstRange(of: "://") {
            let rest = key[scheme.upperBound...]
            key = rest.firstIndex(of: "/").map { rest[rest.index(after: $0)...] } ?? rest
        }
        while key.hasSuffix("/") { key = key.dropLast() }
        if key.hasSuffix(".git") { key = key.dropLast(4) }
        return String(key)
    }

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
