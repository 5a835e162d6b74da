/// Who acts: a person or an automation, with roles and the aliases (emails, GitHub logins) that name the same
/// identity, so separation of duties cannot be dodged with a second name.
public struct Identity: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case human, automation
    }

    /// Least-privilege roles (DESIGN §5).
    public enum Role: String, Sendable, Codable, CaseIterable {
        case builder, deployer, approver, auditor, admin
    }

    /// How a person is recognised when they sign in through the organisation's identity provider: the provider's
    /// subject for them (stable; preferred), or an email the provider has verified.
    public struct SignIn: Sendable, Hashable, Codable {
        public var subject: String?
        public var email: String?

        public init(subject: String? = nil, email: String? = nil) {
            self.subject = subject
            self.email = email
        }
    }

    /// Automations only: which OpenID Connect ID tokens a CI job may present as this identity instead of a
    /// long-lived token — the issuer, the audience the job asks for, and claims that must all match (GitHub Actions:
    /// `repository`, `ref`, `environment`, `job_workflow_ref`, …). A claim's pattern is exact, or ends in `*`
    /// (`RefPattern`: `*` within a path segment, a trailing `*` the rest).
    public struct OIDCTrust: Sendable, Hashable, Codable {
        public var issuer: String
        public var audience: String
        /// The role the token acts in; absent when the identity holds exactly one.
        public var role: Role?
        public var claims: [String: String]

        public init(issuer: String, audience: String, role: Role? = nil, claims: [String: String]) {
            self.issuer = issuer
            self.audience = audience
            self.role = role
            self.claims = claims
        }

        /// Whether `value` (a claim as the token carries it) matches `pattern`.
        public static func matches(_ pattern: String, _ value: String) -> Bool {
            pattern.contains("*") ? RefPattern.matches(pattern, value) : pattern == value
        }
    }

    public var name: String
    public var kind: Kind
    public var roles: Set<Role>
    public var aliases: [String]
    /// People only: who they are at the identity provider. `nil`: they cannot sign in through it.
    public var signIn: SignIn?
    public var oidc: [OIDCTrust]

    public init(
        name: String, kind: Kind, roles: Set<Role> = [], aliases: [String] = [], signIn: SignIn? = nil,
        oidc: [OIDCTrust] = []
    ) {
        self.name = name
        self.kind = kind
        self.roles = roles
        self.aliases = aliases
        self.signIn = signIn
        self.oidc = oidc
    }
}

/// A named set of human identities; approval rules name teams, never single people.
public struct Team: Sendable, Hashable, Codable {
    public var name: String
    public var members: [String]
    /// The organisation's identity-provider group that says who is on the team. For a review given through a
    /// sign-in, the provider's word decides: it counts for the team when the verified groups hold this one, and not
    /// otherwise — someone the provider took out of the group stops counting at their next sign-in, with no policy
    /// edit. A review given with a token that carries no groups counts by `members`.
    public var signInGroup: String?

    public init(name: String, members: [String], signInGroup: String? = nil) {
        self.name = name
        self.members = members
        self.signInGroup = signInGroup
    }
}

/// A deploy target. Higher rank means closer to production; protected environments fail closed.
public struct DeploymentEnvironment: Sendable, Hashable, Codable {
    public var name: String
    public var rank: Int
    public var protected: Bool
    /// Identities allowed to deploy here (after alias resolution); empty means anyone with the deployer role.
    public var deployers: [String]
    /// Allowed source refs, `*` matching within a path segment and a trailing `*` matching the rest
    /// (`refs/heads/release/*`); empty means any ref.
    public var sourceRefs: [String]
    /// The tier used when no tier's `match` holds; a protected environment without one denies.
    public var defaultTier: String?
    /// Below this rank an author may approve their own change (small teams); recorded on every decision it affects.
    public var selfApprovalBelowRank: Int?
    /// How long an approval stays valid, in seconds; `nil` means it does not expire.
    public var approvalMaxAge: Int64?
    /// The Kubernetes namespaces whose workloads run in this environment; admission checks their images against
    /// this environment's decisions.
    public var namespaces: [String]
    /// Whether admission refuses what it would deny in these namespaces, or only warns (and records it).
    public var admission: AdmissionEnforcement
    /// Namespaces whose admission differs from the environment's (`namespaces: [{name, admission}]`): a webhook is
    /// rolled out one namespace at a time.
    public var namespaceAdmission: [String: AdmissionEnforcement]

    /// How admission treats an environment's namespaces. Enforcing is the default; warn mode — admitting what would
    /// be refused, with a warning to whoever applied it, an audit annotation and an `admission.warned` entry, to roll
    /// the webhook out — lightens the gate, so it is a policy change, published by one admin and approved by
    /// another, never a server flag or a namespace label a team could set. (`audit` is its older name.)
    public enum AdmissionEnforcement: String, Sendable, Hashable, Codable, CaseIterable {
        case enforce, warn
    }

    /// The admission mode of one of this environment's namespaces.
    public func admission(of namespace: String) -> AdmissionEnforcement {
        namespaceAdmission[namespace] ?? admission
    }

    public init(
        name: String, rank: Int, protected: Bool, deployers: [String] = [], sourceRefs: [String] = [],
        defaultTier: String? = nil, selfApprovalBelowRank: Int? = nil, approvalMaxAge: Int64? = nil,
        namespaces: [String] = [], admission: AdmissionEnforcement = .enforce,
        namespaceAdmission: [String: AdmissionEnforcement] = [:]
    ) {
        self.namespaces = namespaces
        self.admission = admission
        self.namespaceAdmission = namespaceAdmission
        self.name = name
        self.rank = rank
        self.protected = protected
        self.deployers = deployers
        self.sourceRefs = sourceRefs
        self.defaultTier = defaultTier
        self.selfApprovalBelowRank = selfApprovalBelowRank
        self.approvalMaxAge = approvalMaxAge
    }
}
