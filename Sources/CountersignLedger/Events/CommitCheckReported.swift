public import CountersignCore

/// `commit_check.reported`: a check GitHub records against a commit — a check run or suite, or a commit status —
/// as its signed delivery says it concluded. The checks control reads checks by digest, so each one is also
/// reported (`check.reported`) for every build of the commit, now and when a build of it is registered later.
public struct CommitCheckReported: LedgerEvent, Hashable {
    public var repository: String
    public var commit: String
    public var name: String
    public var status: CheckResult.Status
    /// The GitHub account that reported it: a check run's app (`github-actions[bot]`) or a status's sender.
    public var reportedBy: String
    /// Where it came from: `check_run 42: success`, the run's URL.
    public var details: String?

    public init(
        repository: String, commit: String, name: String, status: CheckResult.Status, reportedBy: String,
        details: String? = nil
    ) {
        self.repository = repository
        self.commit = commit
        self.name = name
        self.status = status
        self.reportedBy = reportedBy
        self.details = details
    }

    public var type: EventType { .commitCheckReported }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        guard Change.isCommitID(commit) else { throw fail("commit", "must be a full git commit id") }
        return [
            SQLStatement(
                """
                INSERT INTO commit_checks (seq, repository, commit_sha, name, status, reported_by, details, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    entry.seq, try nonEmpty(repository, "repository"), .text(commit.lowercased()),
                    try nonEmpty(name, "name"), .text(status.rawValue), try nonEmpty(reportedBy, "reportedBy"),
                    details.sql, entry.at,
                ])
        ]
    }
}
