public import Foundation

/// What is being shipped: the source commit and ref, the pull request, the ticket, and the properties tiers are
/// selected by (kind, reversibility, labels).
public struct Change: Sendable, Hashable, Codable {
    public struct PullRequest: Sendable, Hashable, Codable {
        public var number: Int
        public var author: String
        public var committers: [String]
        public var reviewers: [String]
        public var mergedBy: String?
        /// The pull request's page (`https://github.com/o/r/pull/7`), carried into deploy records.
        public var url: String?

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            number = try c.decode(Int.self, forKey: .number)
            author = try c.decode(String.self, forKey: .author)
            committers = try c.decodeIfPresent([String].self, forKey: .committers) ?? []
            reviewers = try c.decodeIfPresent([String].self, forKey: .reviewers) ?? []
            mergedBy = try c.decodeIfPresent(String.self, forKey: .mergedBy)
            url = try c.decodeIfPresent(String.self, forKey: .url)
        }

        public init(
            number: Int, author: String, committers: [String] = [], reviewers: [String] = [], mergedBy: String? = nil,
            url: String? = nil
        ) {
            self.number = number
            self.author = author
            self.committers = committers
            self.reviewers = reviewers
            self.mergedBy = mergedBy
            self.url = url
        }
    }

    /// The GitHub repository (`owner/name`) the commit belongs to: where its facts are read.
    public var repository: String?
    public var commit: String
    public var ref: String
    public var pullRequest: PullRequest?
    public var ticket: String?
    /// `flag`, `config`, `code`, `code-behind-flag`, `stateless`, `schema-migration`, … (free-form; tiers match it).
    public var kind: String
    public var reversible: Bool
    public var labels: [String]
    public var rollbackPlan: String?
    /// When the commit was made: lead time for changes runs from here to the deploy that shipped it.
    public var committedAt: Date?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        repository = try c.decodeIfPresent(String.self, forKey: .repository)
        commit = try c.decode(String.self, forKey: .commit)
        ref = try c.decode(String.self, forKey: .ref)
        pullRequest = try c.decodeIfPresent(PullRequest.self, forKey: .pullRequest)
        ticket = try c.decodeIfPresent(String.self, forKey: .ticket)
        kind = try c.decode(String.self, forKey: .kind)
        reversible = try c.decode(Bool.self, forKey: .reversible)
        labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? []
        rollbackPlan = try c.decodeIfPresent(String.self, forKey: .rollbackPlan)
        committedAt = try c.decodeIfPresent(Date.self, forKey: .committedAt)
    }

    public init(
        repository: String? = nil, commit: String, ref: String, pullRequest: PullRequest? = nil,
        ticket: String? = nil, kind: String, reversible: Bool, labels: [String] = [], rollbackPlan: String? = nil,
        committedAt: Date? = nil
    ) {
        self.repository = repository
        self.commit = commit
        self.ref = ref
        self.pullRequest = pullRequest
        self.ticket = ticket
        self.kind = kind
        self.reversible = reversible
        self.labels = labels
        self.rollbackPlan = rollbackPlan
        self.committedAt = committedAt
    }
}

extension Change {
    /// Whether `text` is a full git commit id: 40 (SHA-1) or 64 (SHA-256) hex digits. Facts are read and digests
    /// bound by full ids only; an abbreviation can be made to name another commit.
    public static func isCommitID(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) }
    }

    /// Whether two commit ids are the same, hex compared without regard to case — without the copies `lowercased()`
    /// makes (the gate compares on every decision).
    public static func sameCommit(_ a: String, _ b: String) -> Bool {
        if a == b { return true }  // nearly always: GitHub writes lowercase
        return a.utf8.count == b.utf8.count
            && zip(a.utf8, b.utf8).allSatisfy { x, y in
                x == y || ((x | 0x20) == (y | 0x20) && (0x61...0x7A).contains(x | 0x20))
            }
    }
}

/// "Deploy artifact A of service S to environment E", asked by a requester, to be carried out by a deployer.
public struct DeployRequest: Sendable, Hashable, Codable {
    public var id: String
    public var service: String
    public var environment: String
    /// The artifact reference as given; it must be digest-pinned.
    public var artifact: String
    public var change: Change
    public var requester: String
    public var deployer: String
    /// Who vouches for `change.ref`: nil when it is the requester's word. `github` when it is the ref of the
    /// workflow run in GitHub's signed protection-rule delivery, which outranks the record's ref (a pull request's
    /// base, or none for a pushed commit): the run's ref is what deploys. Never set from the API's input.
    public var refSource: RefSource?

    public enum RefSource: String, Sendable, Hashable, Codable {
        case github
    }

    public init(
        id: String, service: String, environment: String, artifact: String, change: Change, requester: String,
        deployer: String, refSource: RefSource? = nil
    ) {
        self.id = id
        self.service = service
        self.environment = environment
        self.artifact = artifact
        self.change = change
        self.requester = requester
        self.deployer = deployer
        self.refSource = refSource
    }
}
