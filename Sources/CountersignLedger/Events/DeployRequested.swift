public import CountersignCore
public import CountersignEncoding

/// `deploy.requested`: a deploy request as the policy reads it (`docs/policy.md`), with where it came from.
public struct DeployRequested: LedgerEvent, Hashable {
    public var id: String
    public var service: String
    public var environment: String
    /// Digest-pinned: the projection refuses a tag.
    public var artifact: String
    public var change: Change
    public var requester: String
    public var deployer: String
    /// Set when a GitHub deployment protection rule asked: where to answer.
    public var github: GitHubOrigin?

    /// The GitHub run a request came from, and the callback that answers it.
    public struct GitHubOrigin: Codable, Sendable, Hashable {
        public var callback: String
        public var environment: String
        public var repository: String
        /// GitHub's ids as GitHub sent them.
        public var run: JSONValue?
        public var installation: JSONValue?

        public init(
            callback: String, environment: String, repository: String, run: JSONValue?, installation: JSONValue?
        ) {
            self.callback = callback
            self.environment = environment
            self.repository = repository
            self.run = run == .null ? nil : run
            self.installation = installation == .null ? nil : installation
        }
    }

    public init(_ request: DeployRequest, github: GitHubOrigin? = nil) {
        id = request.id
        service = request.service
        environment = request.environment
        artifact = request.artifact
        change = request.change
        requester = request.requester
        deployer = request.deployer
        self.github = github
    }

    public var type: EventType { .deployRequested }

    /// The request as the gate reads it. A request from a protection rule carries the ref of GitHub's run, which
    /// GitHub's signed delivery vouches for.
    public var request: DeployRequest {
        DeployRequest(
            id: id, service: service, environment: environment, artifact: artifact, change: change,
            requester: requester, deployer: deployer, refSource: github == nil ? nil : .github)
    }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let pinned = try pinned(artifact, "artifact")
        let pr = change.pullRequest
        // Kept in its canonical (lowercase) form: every lookup by commit — new GitHub facts re-deciding the requests
        // that name it, a later push giving it a commit time — asks in that form, so a request that spelled its
        // commit in capitals must not slip past them.
        let commit = try nonEmpty(change.commit.lowercased(), "change.commit")
        // The commit time: a push's, else GitHub's record's, else the requester's — which counts for nothing when it
        // is after the request itself (a commit cannot postdate its deploy request): no time, counted and named as
        // such, rather than one made up.
        let asserted = change.committedAt.map { LedgerTime($0).sql }.flatMap { a -> SQLValue? in
            if case .text(let t) = a, case .text(let now) = entry.at, t > now { return nil }
            return a
        }
        return [
            SQLStatement(
                """
                INSERT INTO deploy_requests (request_id, seq, requested_at, requester, deployer, service, environment,
                    artifact, digest, commit_sha, source_ref, change_kind, pull_request, author, committers, ticket,
                    committed_at, commit_time_source, reviewers)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    COALESCE(
                        (SELECT MIN(committed_at) FROM commit_times WHERE commit_sha = ?),
                        (SELECT committed_at FROM changes WHERE commit_sha = ?), ?),
                    COALESCE(
                        (SELECT 'push' FROM commit_times WHERE commit_sha = ? LIMIT 1),
                        (SELECT 'github' FROM changes WHERE commit_sha = ? AND committed_at IS NOT NULL), ?),
                    ?)
                """,
                [
                    try nonEmpty(id, "id"), entry.seq, entry.at, try nonEmpty(requester, "requester"),
                    try nonEmpty(deployer, "deployer"), try nonEmpty(service, "service"),
                    try nonEmpty(environment, "environment"),
                    .text(artifact), .text(pinned.digest), commit,
                    try nonEmpty(change.ref, "change.ref"), try nonEmpty(change.kind, "change.kind"),
                    pr.map { SQLValue.integer(Int64($0.number)) } ?? .null, (pr?.author).sql,
                    (pr?.committers ?? []).sql, change.ticket.sql, commit, commit, asserted ?? .null, commit, commit,
                    asserted == nil ? .null : .text("request"), (pr?.reviewers ?? []).sql,
                ])
        ]
    }
}
