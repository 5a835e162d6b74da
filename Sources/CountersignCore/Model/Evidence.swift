public import Foundation

/// Facts bound to a digest that the gate weighs: check results, artifact verifications, approvals, canary
/// verdicts, break-glass grants, what GitHub records about the change, and what binds the digest to its commit.
/// Every item has an id so a decision can name the evidence it used.
public struct Evidence: Sendable, Hashable, Codable {
    public var checks: [CheckResult]
    public var artifactVerifications: [ArtifactVerification]
    public var approvals: [Approval]
    public var canaryVerdicts: [CanaryVerdict]
    public var breakGlassGrants: [BreakGlassGrant]
    /// The change's facts as GitHub records them (``ChangeFacts``), for the request's commit.
    public var changes: [ChangeFacts]
    /// Records binding the digest to the commit it was built from.
    public var sources: [SourceBinding]

    public init(
        checks: [CheckResult] = [], artifactVerifications: [ArtifactVerification] = [], approvals: [Approval] = [],
        canaryVerdicts: [CanaryVerdict] = [], breakGlassGrants: [BreakGlassGrant] = [], changes: [ChangeFacts] = [],
        sources: [SourceBinding] = []
    ) {
        self.checks = checks
        self.artifactVerifications = artifactVerifications
        self.approvals = approvals
        self.canaryVerdicts = canaryVerdicts
        self.breakGlassGrants = breakGlassGrants
        self.changes = changes
        self.sources = sources
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        checks = try c.decodeIfPresent([CheckResult].self, forKey: .checks) ?? []
        artifactVerifications = try c.decodeIfPresent([ArtifactVerification].self, forKey: .artifactVerifications) ?? []
        approvals = try c.decodeIfPresent([Approval].self, forKey: .approvals) ?? []
        canaryVerdicts = try c.decodeIfPresent([CanaryVerdict].self, forKey: .canaryVerdicts) ?? []
        breakGlassGrants = try c.decodeIfPresent([BreakGlassGrant].self, forKey: .breakGlassGrants) ?? []
        changes = try c.decodeIfPresent([ChangeFacts].self, forKey: .changes) ?? []
        sources = try c.decodeIfPresent([SourceBinding].self, forKey: .sources) ?? []
    }
}

/// A check (`unit`, `integration`, …) reported for a digest by an automation identity with the builder role.
public struct CheckResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case passed, failed, pending
    }
    public var id: String
    public var name: String
    public var digest: String
    public var status: Status
    public var reportedBy: String
    public var at: Date

    public init(id: String, name: String, digest: String, status: Status, reportedBy: String, at: Date) {
        self.id = id
        self.name = name
        self.digest = digest
        self.status = status
        self.reportedBy = reportedBy
        self.at = at
    }
}

/// The outcome of verifying an artifact's signatures and provenance under an `ArtifactPolicy`.
public struct ArtifactVerification: Sendable, Hashable, Codable {
    public var id: String
    public var digest: String
    public var policy: String
    public var verified: Bool
    /// What was checked, with which key or builder, or why it was rejected.
    public var details: String?
    public var at: Date
    /// The ``ArtifactPolicy/hash`` of the definition it was verified under: the gate counts it only while that
    /// definition is in force (absent in verifications recorded before it was kept, which therefore count for none).
    public var policyHash: String?
    /// The repository (`registry/path`, Docker Hub's defaults spelled out) the digest was verified in: under
    /// `matchDockerReference` it counts only for that repository.
    public var repository: String?

    public init(
        id: String, digest: String, policy: String, verified: Bool, details: String? = nil, at: Date,
        policyHash: String? = nil, repository: String? = nil
    ) {
        self.id = id
        self.digest = digest
        self.policy = policy
        self.verified = verified
        self.details = details
        self.at = at
        self.policyHash = policyHash
        self.repository = repository
    }
}

/// A human's review of one request's digest in one environment.
public struct Approval: Sendable, Hashable, Codable {
    /// A review's state — the one vocabulary of the domain, the ledger (`approval.granted`, …) and the `approvals`
    /// table. People act with verbs (`approve`, `reject`, `withdraw`: ``init(action:)``); what is recorded is this.
    public enum State: String, Sendable, Codable, CaseIterable {
        case granted, rejected, withdrawn

        /// Which of two reviews by one person at the same instant stands: the higher (a rejection, then a
        /// withdrawal, then an approval), so a tie never resolves toward allowing.
        public var strictness: Int {
            switch self {
            case .granted: 0
            case .withdrawn: 1
            case .rejected: 2
            }
        }

        /// The state a reviewer's action leads to; nil for anything else.
        public init?(action: String) {
            switch action {
            case "approve": self = .granted
            case "reject": self = .rejected
            case "withdraw": self = .withdrawn
            default: return nil
            }
        }
    }
    public var id: String
    public var approver: String
    public var digest: String
    public var environment: String
    public var state: State
    public var comment: String?
    public var at: Date
    /// The groups the organisation's identity provider verified for the reviewer when they signed in to give this
    /// review; `nil` when it was given with a token that carries none (minted, or from before groups were recorded).
    /// A team with a `signInGroup` counts the review by them (``Team/signInGroup``).
    public var groups: [String]?

    private enum CodingKeys: String, CodingKey {
        case id, approver, digest, environment, state, comment, at, groups
    }

    /// The key evidence files used before `state`: refused with the new name rather than read as a default.
    private enum RenamedKeys: String, CodingKey { case decision }

    public init(from decoder: any Decoder) throws {
        let renamed = try decoder.container(keyedBy: RenamedKeys.self)
        if renamed.contains(.decision) {
            throw DecodingError.dataCorruptedError(
                forKey: .decision, in: renamed, debugDescription: "is now state (granted, rejected or withdrawn)")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        approver = try c.decode(String.self, forKey: .approver)
        digest = try c.decode(String.self, forKey: .digest)
        environment = try c.decode(String.self, forKey: .environment)
        state = try c.decodeIfPresent(State.self, forKey: .state) ?? .granted
        comment = try c.decodeIfPresent(String.self, forKey: .comment)
        at = try c.decode(Date.self, forKey: .at)
        groups = try c.decodeIfPresent([String].self, forKey: .groups)
    }

    public init(
        id: String, approver: String, digest: String, environment: String, state: State = .granted,
        comment: String? = nil, at: Date, groups: [String]? = nil
    ) {
        self.groups = groups
        self.id = id
        self.approver = approver
        self.digest = digest
        self.environment = environment
        self.state = state
        self.comment = comment
        self.at = at
    }
}

/// A canary analysis verdict for a digest.
public struct CanaryVerdict: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case pass, fail, inconclusive
    }
    public var id: String
    public var digest: String
    public var template: String
    public var outcome: Outcome
    public var at: Date
    /// Who judged: `countersign` for its own analysis of metrics it queried, else the identity that submitted the
    /// samples. A pass counts only from a judge that cannot deploy (DESIGN §5a); a failure counts from anyone.
    public var judgedBy: String?
    /// The environment whose canary was judged. A pass counts only there: a canary that passed in staging says
    /// nothing of production's traffic. A failure of the digest counts everywhere. `nil` on verdicts recorded before
    /// they named one, which pass nothing in a protected environment.
    public var environment: String?

    public init(
        id: String, digest: String, template: String, outcome: Outcome, at: Date, judgedBy: String? = nil,
        environment: String? = nil
    ) {
        self.id = id
        self.digest = digest
        self.template = template
        self.outcome = outcome
        self.at = at
        self.judgedBy = judgedBy
        self.environment = environment
    }
}

/// A break-glass grant: lets one service's deploys in one environment through a freeze, for a bounded time,
/// with a reason and an incident, to be reviewed afterwards.
public struct BreakGlassGrant: Sendable, Hashable, Codable {
    public var id: String
    public var freeze: String
    public var invokedBy: String
    public var environment: String
    public var service: String?
    public var reason: String?
    public var incident: String?
    public var grantedAt: Date
    public var expiresAt: Date

    public init(
        id: String, freeze: String, invokedBy: String, environment: String, service: String? = nil,
        reason: String? = nil, incident: String? = nil, grantedAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.freeze = freeze
        self.invokedBy = invokedBy
        self.environment = environment
        self.service = service
        self.reason = reason
        self.incident = incident
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
    }
}

extension Evidence {
    /// Evidence written by hand (a policy test case, `gate evaluate --evidence`) states what was verified, not which
    /// definition was hashed: a verification that names no `policyHash` or `repository` is of the policy as loaded
    /// and of the request's repository. Never for recorded evidence — the ledger keeps both, and one recorded
    /// without them counts for nothing.
    public mutating func stateVerifications(of request: DeployRequest, under bundle: PolicyBundle) {
        let repository = (try? ArtifactReference(parsing: request.artifact))?.canonicalRepository
        for i in artifactVerifications.indices {
            if artifactVerifications[i].policyHash == nil {
                artifactVerifications[i].policyHash = bundle.artifactPolicies[artifactVerifications[i].policy]?.hash
            }
            if artifactVerifications[i].repository == nil { artifactVerifications[i].repository = repository }
        }
    }
}
