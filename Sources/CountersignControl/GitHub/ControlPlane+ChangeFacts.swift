internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// Reads what GitHub records about `commit` of `repository` through its API and records it as
    /// `change.recorded` (source `github-api`), then decides the commit's requests again. `nil` when this server has
    /// no GitHub API configured.
    ///
    /// The pull request is the one GitHub associates with the commit — the one it merged as that commit, else the
    /// one whose head it is, else the first that contains it; a commit pushed without one is recorded with its own
    /// author and committer and no ref (nothing says which branch it is on).
    @discardableResult
    func readChangeFacts(repository: String, commit: String) async throws(ControlError) -> ChangeRecorded? {
        guard let github, github.callsAPI else { return nil }
        guard Self.isRepositoryName(repository) else {
            throw ControlError(
                .badRequest, "repository \(repository) is not a GitHub owner/name", details: ["field": "repository"])
        }
        guard Change.isCommitID(commit) else {
            throw ControlError(
                .badRequest, "commit \(commit) is not a full git commit id (40 or 64 hex digits)",
                details: ["field": "commit"])
        }
        let api = GitHubAPI(baseURL: github.apiBaseURL, token: try await github.token(for: repository))
        let commit = commit.lowercased()
        let bundle = policy.bundle
        let pulls = try await api.list("/repos/\(repository)/commits/\(commit)/pulls")
        let chosen =
            pulls.first { $0["merge_commit_sha"]?.stringValue?.lowercased() == commit && $0["merged_at"] != .null }
            ?? pulls.first { $0["head"]?["sha"]?.stringValue?.lowercased() == commit } ?? pulls.first
        let recorded: ChangeRecorded
        if let number = chosen?["number"]?.integerValue {
            let pr = try await api.get("/repos/\(repository)/pulls/\(number)")
            let commits = try await api.list("/repos/\(repository)/pulls/\(number)/commits")
            let reviews = try await api.list("/repos/\(repository)/pulls/\(number)/reviews")
            guard
                let record = GitHubChange.record(
                    commit: commit, repository: repository, pr: pr, commits: commits, reviews: reviews,
                    policy: bundle)
            else { throw ControlError(.unavailable, "GitHub API: pull request \(number) lacks number, user or head") }
            recorded = record
        } else {
            let item = try await api.get("/repos/\(repository)/commits/\(commit)")
            recorded = GitHubChange.pushed(commit: commit, repository: repository, item: item, policy: bundle)
        }
        try await record(recorded, actor: "github")
        try await redecide(commit: commit, by: "github")
        return recorded
    }

    /// Decides every request for `commit` again: new facts about it may make any of them stricter or lighter.
    func redecide(commit: String, by actor: String) async throws(ControlError) {
        let ids = try await read({ r throws(LedgerError) in try await r.requests(commit: commit.lowercased()) })
        for id in ids { _ = try await decide(id: id, by: actor) }
    }

    /// `owner/name` as GitHub spells repositories: nothing that could step out of the API path it is put in.
    static func isRepositoryName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 100 && part != "." && part != ".."
                    && part.utf8.allSatisfy {
                        (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                            || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F
                    }
            }
    }
}
