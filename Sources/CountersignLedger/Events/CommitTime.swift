/// Where a request's commit time came from, strongest last: the requester's word (`request`), GitHub's record of
/// the change (`github`), a `push` delivery of the commit (`push`). Lead time is measured from it, so the party
/// measured must not be the one who sets it where GitHub has said otherwise.
enum CommitTime {
    static let sources = ["request", "github", "push"]

    /// What a commit time from `source` changes once it is known: the commit's requests whose time came from
    /// `source` or a weaker one, and their deploys, which copy it. `time` is the SQL expression of the time and
    /// `arguments` its bound values.
    static func statements(commit: SQLValue, source: String, time: String, _ arguments: [SQLValue]) -> [SQLStatement] {
        let replaced = sources.prefix { $0 != source }.map { "'\($0)'" } + ["'\(source)'"]
        return [
            SQLStatement(
                """
                UPDATE deploy_requests SET committed_at = \(time), commit_time_source = ?
                WHERE commit_sha = ? AND (commit_time_source IS NULL OR commit_time_source IN (\(replaced.joined(separator: ", "))))
                """, arguments + [.text(source), commit]),
            SQLStatement(
                """
                UPDATE deploys SET committed_at =
                    (SELECT r.committed_at FROM deploy_requests r WHERE r.request_id = deploys.request_id)
                WHERE request_id IN (SELECT request_id FROM deploy_requests WHERE commit_sha = ?)
                """, [commit]),
        ]
    }
}
