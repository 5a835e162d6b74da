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
            statements.append(
                SQLStatement(
                    """
                    INSERT INTO commit_times (commit_sha, repository, committed_at, seq) VALUES (?, ?, ?, ?)
                    ON CONFLICT (commit_sha, repository) DO NOTHING
                    """, [.text(commit.id.lowercased()), .text(key), LedgerTime(commit.at).sql, entry.seq]))
        }
        return statements
    }
}
