import CountersignCore
import CountersignEncoding
import CountersignLedger
import Foundation
import Testing

@testable import CountersignControl

/// What each GitHub document shape yields as a change's facts (``GitHubChange``): who counts as a committer, whose
/// review approves the commit, which ref it is on, and what stays unknown.
@Suite struct GitHubChangeTests {
    static let policy: PolicyBundle = {
        let text = """
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: production }
            spec: { rank: 30, protected: true }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Identity
            metadata: { name: alice }
            spec: { kind: human, roles: [approver], aliases: [alice@example.com] }
            """
        return try! PolicyLoader.load(sources: [("p.yaml", text)])
    }()

    static let head = String(repeating: "b", count: 40)
    static let merge = String(repeating: "c", count: 40)
    static let earlier = String(repeating: "a", count: 40)

    static func json(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }

    static let pr = json(
        """
        {"number": 9, "user": {"login": "bob"}, "title": "PAY-7 add index", "html_url": "https://github.com/o/r/pull/9",
         "head": {"sha": "\(head)", "ref": "feature"}, "base": {"ref": "main"}, "labels": [{"name": "One-Way"}],
         "merged": true, "merged_at": "2026-11-03T09:00:00Z", "merge_commit_sha": "\(merge)",
         "merged_by": {"login": "erin"}, "commits": 3}
        """)

    static func commit(_ sha: String, author: String, committer: String) -> String {
        """
        {"sha": "\(sha)", "author": \(author), "committer": \(committer),
         "commit": {"author": {"email": "x@y", "date": "2026-11-02T09:00:00Z"},
                    "committer": {"email": "x@y", "date": "2026-11-02T10:00:00Z"}}}
        """
    }

    static let commits = json(
        """
        [\(commit(earlier, author: #"{"login": "bob"}"#, committer: #"{"login": "web-flow"}"#)),
         {"sha": "\(String(repeating: "d", count: 40))", "author": null, "committer": null,
          "commit": {"author": {"email": "12345+Carol-GH@users.noreply.github.com"}, "committer": {"email": "ALICE@example.com"}}},
         {"sha": "\(head)", "author": null, "committer": {"login": "web-flow"},
          "commit": {"author": {"email": "mallory@elsewhere.example"}, "committer": {"email": "noreply@github.com", "date": "2026-11-02T11:00:00Z"}}}]
        """
    ).arrayValue!

    static let reviews = json(
        """
        [{"user": {"login": "dave"}, "state": "APPROVED", "commit_id": "\(earlier)"},
         {"user": {"login": "erin"}, "state": "APPROVED", "commit_id": "\(head)"},
         {"user": {"login": "frank"}, "state": "APPROVED", "commit_id": "\(head)"},
         {"user": {"login": "frank"}, "state": "COMMENTED", "commit_id": "\(head)"},
         {"user": {"login": "grace"}, "state": "APPROVED", "commit_id": "\(head)"},
         {"user": {"login": "grace"}, "state": "CHANGES_REQUESTED", "commit_id": "\(head)"},
         {"user": {"login": "bob"}, "state": "APPROVED", "commit_id": "\(head)"}]
        """
    ).arrayValue!

    @Test func theMergeCommitIsOnTheBaseBranchWithEveryCommitsPeopleAndTheHeadsApprovals() throws {
        let record = try #require(
            GitHubChange.record(
                commit: Self.merge.uppercased(), repository: "o/r", pr: Self.pr, commits: Self.commits,
                reviews: Self.reviews, policy: Self.policy))
        let change = record.change
        #expect(change.ref == "refs/heads/main")
        #expect(change.repository == "o/r")
        let pr = try #require(change.pullRequest)
        #expect(pr.author == "bob")
        // The noreply address is carol-gh's; ALICE@example.com is an alias; web-flow and noreply@github.com are
        // GitHub's own; mallory's address is nobody's — kept, and named as unresolved.
        #expect(pr.committers == ["carol-gh", "ALICE@example.com", "mallory@elsewhere.example"])
        #expect(record.unresolved == ["mallory@elsewhere.example"])
        #expect(record.unknownFacts == [.committerIdentity])
        // dave approved an earlier commit; frank's comment keeps his approval; grace withdrew hers; bob wrote it.
        #expect(pr.reviewers == ["erin", "frank"])
        #expect(pr.mergedBy == "erin")
        #expect(pr.url == "https://github.com/o/r/pull/9")
        #expect(change.kind == "code" && change.reversible == false)
        #expect(change.ticket == "PAY-7")
        #expect(record.source == .githubAPI)
    }

    @Test func anEarlierCommitOfTheBranchIsNotWhatTheReviewersApproved() throws {
        let record = try #require(
            GitHubChange.record(
                commit: Self.earlier, repository: "o/r", pr: Self.pr, commits: Self.commits, reviews: Self.reviews,
                policy: Self.policy))
        #expect(record.change.pullRequest?.reviewers == [])
        #expect(record.change.pullRequest?.mergedBy == nil)
        #expect(record.change.ref == "refs/heads/feature")
    }

    @Test func aDeliveryAloneLeavesTheCommittersUnknownAndAPartialListSaysSo() throws {
        let delivered = try #require(
            GitHubChange.record(
                commit: Self.head, repository: "o/r", pr: Self.pr, commits: nil, reviews: nil,
                knownReviewers: ["erin", "bob"], policy: Self.policy))
        #expect(delivered.unknownFacts == [.committers])
        #expect(delivered.source == .githubWebhook)
        #expect(delivered.change.pullRequest?.reviewers == ["erin"])
        // The pull request says it has 3 commits; a list of 2 is not all of them.
        let partial = try #require(
            GitHubChange.record(
                commit: Self.head, repository: "o/r", pr: Self.pr, commits: Array(Self.commits.prefix(2)),
                reviews: [], policy: Self.policy))
        #expect(partial.unknownFacts.contains(.allCommits))
    }

    @Test func aCommitPushedWithoutAPullRequestHasNoRefAndNoReviewers() {
        let item = Self.json(Self.commit(Self.head, author: #"{"login": "bob"}"#, committer: #"{"login": "alice-x"}"#))
        let record = GitHubChange.pushed(commit: Self.head, repository: "o/r", item: item, policy: Self.policy)
        #expect(record.change.ref == "")
        #expect(record.change.pullRequest?.number == 0)
        #expect(record.change.pullRequest?.author == "bob")
        #expect(record.change.pullRequest?.committers == ["alice-x"])
        #expect(record.change.pullRequest?.reviewers == [])
    }

    @Test func linkHeadersNameTheNextPage() {
        #expect(
            GitHubAPI.next(
                #"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last""#)
                == "https://api.github.com/x?page=2")
        #expect(GitHubAPI.next(#"<https://api.github.com/x?page=1>; rel="prev""#) == nil)
        #expect(GitHubAPI.next("garbage") == nil)
    }

    @Test(arguments: [
        ("acme/shop", true), ("Acme-Inc/shop.api_v2", true), ("acme/..", false), ("acme/shop/x", false),
        ("acme", false), ("acme/", false), ("acme/sh%2Fop", false), ("acme/ｓhop", false),
    ])
    func repositoryNames(_ name: String, _ valid: Bool) {
        #expect(ControlPlane.isRepositoryName(name) == valid, "\(name)")
    }
}

/// The boundaries of the names change facts are read and bound by.
@Suite struct ChangeNameTests {
    @Test(arguments: [
        (String(repeating: "a", count: 40), true), (String(repeating: "A", count: 40), true),
        (String(repeating: "0", count: 64), true), (String(repeating: "a", count: 39), false),
        (String(repeating: "a", count: 41), false), (String(repeating: "a", count: 63), false),
        (String(repeating: "a", count: 39) + "g", false), (String(repeating: "a", count: 39) + "ａ", false),
        ("", false), ("HEAD", false), ("0123456", false),
    ])
    func commitIDs(_ text: String, _ valid: Bool) {
        #expect(Change.isCommitID(text) == valid, "\(text)")
    }

    /// Provenance names repositories as URLs, requests as owner/name; GitHub ignores case.
    @Test(arguments: [
        ("acme/shop", "acme/shop"), ("Acme/Shop", "acme/shop"), ("https://github.com/acme/shop", "acme/shop"),
        ("git+https://github.com/Acme/Shop.git", "acme/shop"), ("https://ghe.example/acme/shop/", "acme/shop"),
        ("https://github.com/mallory/shop", "mallory/shop"),
    ])
    func repositoryKeys(_ name: String, _ key: String) {
        #expect(ChangeResolution.repositoryKey(name) == key)
    }
}
