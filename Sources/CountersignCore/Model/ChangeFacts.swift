public import Foundation

/// What GitHub records about one commit of one repository — its pull request's author, every commit author and
/// committer, the reviews that approve its head commit, who merged it, its labels, base ref and commit time — read
/// from an HMAC-verified delivery or from GitHub's API with the App's token, never from the request being decided.
///
/// In a protected environment the gate decides on these facts; what a request says about its own change only adds
/// to them where that is stricter (DESIGN §5a).
public struct ChangeFacts: Sendable, Hashable, Codable {
    /// Where the facts were read from.
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        /// GitHub's REST API, read with the App's token: the pull request, its commits and its reviews.
        case githubAPI = "github-api"
        /// A `pull_request` or `pull_request_review` delivery: no list of the pull request's commits.
        case githubWebhook = "github-webhook"
    }

    /// A fact the source could not establish, which separation of duties needs.
    public enum Fact: String, Sendable, Hashable, Codable, CaseIterable {
        /// Who made each of the pull request's commits (a delivery names only the pull request's author).
        case committers
        /// A commit author or committer GitHub knows only by an email address that is neither a GitHub account
        /// nor an alias of an identity: someone who might be an approver under another name.
        case committerIdentity = "committer-identity"
        /// A pull request with more commits than GitHub lists (250): the rest are unknown.
        case allCommits = "all-commits"
    }

    public var id: String
    public var repository: String
    /// The facts, in the shape a request states them: `commit`, `ref` (the base branch the pull request merged
    /// into, or its head branch while open), `pullRequest` (author, committers, approving reviewers at the head
    /// commit, merged-by, URL), `labels`, and the kind, reversibility and ticket read from them.
    public var change: Change
    public var source: Source
    /// What the source could not establish; in a protected environment the gate waits for it, naming it.
    public var unknown: [Fact]
    /// Addresses behind ``Fact/committerIdentity``, for the reason a decision gives.
    public var unresolved: [String]
    public var at: Date

    public init(
        id: String, repository: String, change: Change, source: Source, unknown: [Fact] = [],
        unresolved: [String] = [], at: Date
    ) {
        self.id = id
        self.repository = repository
        self.change = change
        self.source = source
        self.unknown = unknown
        self.unresolved = unresolved
        self.at = at
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        repository = try c.decode(String.self, forKey: .repository)
        change = try c.decode(Change.self, forKey: .change)
        source = try c.decode(Source.self, forKey: .source)
        unknown = try c.decodeIfPresent([Fact].self, forKey: .unknown) ?? []
        unresolved = try c.decodeIfPresent([String].self, forKey: .unresolved) ?? []
        at = try c.decode(Date.self, forKey: .at)
    }
}

/// A record that an artifact was built from a source commit: the verified provenance of a signature check
/// (`via: provenance`), or a builder's registration of the digest with its commit (`via: builder`). It is what ties
/// the digest being deployed to the commit whose facts are decided on; without it the commit is the requester's
/// word.
public struct SourceBinding: Sendable, Hashable, Codable {
    public enum Via: String, Sendable, Hashable, Codable, CaseIterable {
        case provenance, builder
    }

    public var id: String
    public var digest: String
    public var commit: String
    public var repository: String?
    public var via: Via
    /// The artifact policy whose verification read the provenance, or the builder identity that registered it.
    public var by: String
    public var at: Date
    /// The digest-pinned reference that was registered or verified: where the build lives.
    public var reference: String?

    public init(
        id: String, digest: String, commit: String, repository: String? = nil, via: Via, by: String, at: Date,
        reference: String? = nil
    ) {
        self.id = id
        self.digest = digest
        self.commit = commit
        self.repository = repository
        self.via = via
        self.by = by
        self.at = at
        self.reference = reference
    }
}
