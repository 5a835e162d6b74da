internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// A change as GitHub records it, built from GitHub's own documents: a pull request (from a delivery or the API),
/// its commits and its reviews. Pure, so what each document shape yields is tested without a server.
enum GitHubChange {
    /// GitHub's own committer of web edits and merges, which is nobody who could approve.
    static let webFlow = "web-flow"

    /// The record of `commit` in pull request `pr`.
    ///
    /// - `commits`: the pull request's commits (`GET …/pulls/{n}/commits`); `nil` when only a delivery was read,
    ///   which leaves the committers unknown.
    /// - `reviews`: its reviews (`GET …/pulls/{n}/reviews`); `nil` to keep `knownReviewers`, the approvals of the
    ///   head commit deliveries recorded so far.
    ///
    /// The ref is the base branch when `commit` is the pull request's merge commit, else its head branch. Reviewers
    /// are those whose latest review approves the head commit, and count only for the head commit or the merge of
    /// it: an earlier commit of the branch is not what they approved.
    static func record(
        commit: String, repository: String, pr: JSONValue, commits: [JSONValue]?, reviews: [JSONValue]?,
        knownReviewers: [String] = [], policy: PolicyBundle
    ) -> ChangeRecorded? {
        guard let number = pr["number"]?.integerValue, number > 0, let author = pr["user"]?["login"]?.stringValue,
            let head = pr["head"]?["sha"]?.stringValue
        else { return nil }
        let commit = commit.lowercased()
        let merged = pr["merged"] == .bool(true) || pr["merged_at"]?.stringValue != nil
        let mergeCommit = merged ? pr["merge_commit_sha"]?.stringValue?.lowercased() : nil
        let isHead = head.lowercased() == commit
        let isMerge = mergeCommit == commit
        let base = pr["base"]?["ref"]?.stringValue ?? ""
        let branch = pr["head"]?["ref"]?.stringValue ?? ""
        let ref = "refs/heads/" + (isMerge ? base : branch)

        var unknown: [ChangeFacts.Fact] = []
        var unresolved: [String] = []
        var committers: [String] = []
        var committedAt: Date?
        if let commits {
            for item in commits {
                for role in ["author", "committer"] {
                    guard let name = person(item, role, policy: policy, unresolved: &unresolved) else { continue }
                    if name != author, !committers.contains(name) { committers.append(name) }
                }
                if item["sha"]?.stringValue?.lowercased() == head.lowercased() {
                    committedAt = item["commit"]?["committer"]?["date"]?.stringValue.flatMap(RFC3339.date)
                }
            }
            // GitHub lists at most 250 commits of a pull request.
            if commits.count >= 250 || (pr["commits"]?.integerValue ?? 0) > commits.count {
                unknown.append(.allCommits)
            }
            if !unresolved.isEmpty { unknown.append(.committerIdentity) }
        } else {
            unknown.append(.committers)
        }
        if isMerge, let at = pr["merged_at"]?.stringValue.flatMap(RFC3339.date) { committedAt = committedAt ?? at }

        var reviewers: [String] = []
        if isHead || isMerge {
            if let reviews {
                reviewers = approvals(reviews, head: head, author: author)
            } else {
                reviewers = knownReviewers.filter { $0 != author }
            }
        }
        let labels = (pr["labels"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        var change = ControlPlane.change(
            commit: commit, ref: ref, number: number, author: author, reviewers: reviewers,
            mergedBy: isMerge ? pr["merged_by"]?["login"]?.stringValue : nil, labels: labels,
            title: pr["title"]?.stringValue)
        change.repository = repository
        change.committedAt = committedAt
        change.pullRequest?.committers = committers
        change.pullRequest?.url = pr["html_url"]?.stringValue
        return ChangeRecorded(
            change: change, repository: repository, source: commits == nil ? .githubWebhook : .githubAPI,
            unknown: unknown, unresolved: unresolved)
    }

    /// Who a commit's author or committer is: the GitHub account it is linked to, else the account a noreply
    /// address stands for, else an address some identity has as an alias. An address that is none of these is
    /// added to `unresolved` (it could be an approver under an address the policy does not list) and returned as
    /// it is. GitHub's own `web-flow` committer is nobody.
    static func person(_ item: JSONValue, _ role: String, policy: PolicyBundle, unresolved: inout [String])
        -> String?
    {
        if let login = item[role]?["login"]?.stringValue, !login.isEmpty {
            return login == webFlow ? nil : login
        }
        guard let email = item["commit"]?[role]?["email"]?.stringValue, !email.isEmpty else { return nil }
        if Names.canonical(email) == "noreply@github.com" { return nil }
        if let login = Names.gitHubLogin(noreply: email) { return login }
        if policy.identity(email) != nil { return email }
        let address = Names.canonical(email)
        if !unresolved.contains(address) { unresolved.append(address) }
        return address
    }

    /// The people whose latest review approves `head`: a later "changes requested" or a dismissal withdraws an
    /// approval, a comment does not, and an approval of an earlier commit approves something else.
    static func approvals(_ reviews: [JSONValue], head: String, author: String) -> [String] {
        var latest: [(who: String, state: String, commit: String)] = []
        for review in reviews {
            guard let who = review["user"]?["login"]?.stringValue, who != author,
                let state = review["state"]?.stringValue?.uppercased(),
                ["APPROVED", "CHANGES_REQUESTED", "DISMISSED"].contains(state)
            else { continue }
            latest.removeAll { $0.who == who }
            latest.append((who, state, review["commit_id"]?.stringValue?.lowercased() ?? ""))
        }
        return latest.filter { $0.state == "APPROVED" && $0.commit == head.lowercased() }.map(\.who).sorted()
    }
}

extension GitHubChange {
    /// The record of a commit pushed without a pull request (`GET …/commits/{sha}`): its author and committer, no
    /// reviews, no merger, and no ref — nothing GitHub returns says which branch it is on.
    static func pushed(commit: String, repository: String, item: JSONValue, policy: PolicyBundle) -> ChangeRecorded {
        var unresolved: [String] = []
        let author = person(item, "author", policy: policy, unresolved: &unresolved) ?? ""
        let committer = person(item, "committer", policy: policy, unresolved: &unresolved)
        var change = Change(
            repository: repository, commit: commit, ref: "",
            pullRequest: Change.PullRequest(
                number: 0, author: author, committers: committer.map { $0 == author ? [] : [$0] } ?? []),
            kind: "code", reversible: true,
            committedAt: item["commit"]?["committer"]?["date"]?.stringValue.flatMap(RFC3339.date))
        if author.isEmpty { change.pullRequest?.author = committer ?? "" }
        return ChangeRecorded(
            change: change, repository: repository, source: .githubAPI,
            unknown: unresolved.isEmpty ? [] : [.committerIdentity], unresolved: unresolved)
    }
}
