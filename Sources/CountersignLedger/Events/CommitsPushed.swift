public import CountersignCore
public import Foundation

/// `commits.pushed`: the commits a `push` delivery names, with the time each was made — where lead time starts for
/// a change that is deployed later. The first time recorded for a commit in a repository is the one kept.
public struct CommitsPushed: LedgerEvent, Hashable {
    public struct Pushed: Codable, Sendable, Hashable {
        public var id: String
        public var at: Date

        public init(id: String, at: Date) {
            self.id = id
            self.at = at
        }
    }

    public var repository: String
    public var ref: String
    public var commits: [Pushed]

    public init(repository: String, ref: String, commits: [Pushed]) {
        self.repository = repository
        self.ref = ref
        self.commits = commits
    }

    public var type: EventType { .commitsPushed }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        guard !repository.isEmpty else { throw fail("repository", "must be a non-empty string") }
        let key = ChangeResolution.repositoryKey(repository)
        var statements: [SQLStatement] = []
        for (n, commit) in commits.enumerated() {
            guard Change.isCommitID(commit.id) else { throw fail("commits[\(n)].id", "must be a full git commit id") }
            // A commit existed when it was pushed: a timestamp after the delivery (a clock set forward to shorten a
            // lead time) counts as the delivery's time.
            var at = LedgerTime(commit.at).sql
            if case .text(let t) = at, case .text(let received) = entry.at, t > received { at = entry.at }
            let sha = SQLValue.text(commit.id.lowercased())
            statements.append(
                SQLStatement(
                    """
                    INSERT INTO commit_times (commit_sha, repository, committed_at, seq) VALUES (?, ?, ?, ?)
                    ON CONFLICT (commit_sha, repository) DO NOTHING
                    """, [sha, .text(key), at, entry.seq]))
            statements += CommitTime.statements(
                commit: sha, source: "push", time: "(SELECT MIN(committed_at) FROM commit_times WHERE commit_sha = ?)",
                [sha])
        }
        return statements
    }
}
