public import CEL
internal import CountersignEncoding
public import Foundation

/// A validated set of policy documents. Immutable and `Sendable`: load once, decide many times.
public struct PolicyBundle: Sendable {
    public let environments: [String: DeploymentEnvironment]
    public let teams: [String: Team]
    public let identities: [String: Identity]
    /// Highest priority first.
    public let tiers: [Tier]
    public let freezes: [Freeze]
    public let artifactPolicies: [String: ArtifactPolicy]
    /// Names of `AnalysisTemplate` and `CanaryConfig` documents (their schema arrives with the canary engine).
    public let analysisTemplates: Set<String>
    /// SHA-256 of the documents' bytes (files in path order): identifies the policy version on every decision.
    public let hash: String
    /// Alias or name (lowercased) → identity name.
    let aliases: [String: String]
    /// Team → canonical member names, precomputed so deciding doesn't resolve aliases again.
    public let teamMembers: [String: Set<String>]

    init(
        environments: [String: DeploymentEnvironment], teams: [String: Team], identities: [String: Identity],
        tiers: [Tier],
        freezes: [Freeze], artifactPolicies: [String: ArtifactPolicy], analysisTemplates: Set<String>, hash: String,
        aliases: [String: String]
    ) {
        self.environments = environments
        self.teams = teams
        self.identities = identities
        self.tiers = tiers
        self.freezes = freezes
        self.artifactPolicies = artifactPolicies
        self.analysisTemplates = analysisTemplates
        self.hash = hash
        self.aliases = aliases
        self.teamMembers = teams.mapValues { team in
            Set(team.members.map { aliases[Names.canonical($0)] ?? Names.canonical($0) })
        }
    }

    /// The identity a name or alias refers to, or `nil` when it is unknown.
    public func identity(_ nameOrAlias: String) -> Identity? {
        identities[canonical(nameOrAlias)]
    }

    /// The identity whose own name is `name` (in canonical form) — never one `name` is merely an alias of. A token or
    /// session names the identity it was issued to this way, so a name that later becomes someone's alias does not
    /// hand them the credential.
    public func identity(named name: String) -> Identity? {
        guard let identity = identity(name), Names.canonical(identity.name) == Names.canonical(name) else {
            return nil
        }
        return identity
    }

    /// The canonical name for a name or alias; an unknown name in its canonical form (``Names``: NFKC, lowercase),
    /// so `ＢＯＢ` and `Bob` are `bob` wherever names are compared — an author cannot escape separation of duties by
    /// spelling their name another way. A GitHub noreply address not named as an alias itself is its login
    /// (``Names/gitHubLogin(noreply:)``), resolved through the aliases in turn.
    public func canonical(_ nameOrAlias: String) -> String {
        if let exact = aliases[nameOrAlias] { return exact }
        let folded = Names.canonical(nameOrAlias)
        if let known = aliases[folded] { return known }
        if let login = Names.gitHubLogin(noreply: folded) { return aliases[login] ?? login }
        return folded
    }
}

/// A risk class selected by a CEL condition; it names the controls a deploy needs.
public struct Tier: Sendable {
    public let name: String
    public let priority: Int
    public let match: Condition?
    /// Environments this tier applies to; empty means all.
    public let environments: [String]
    public let checks: [String]
    public let artifactPolicy: String?
    public let approvals: [ApprovalRule]
    public let require: [Requirement]
    public let canaryTemplate: String?
    /// Review of the change itself, read from GitHub's record: `nil` when the tier asks for none.
    public let peerReview: PeerReviewRule?
}

/// `peerReview: {count, mergedByOther}`: `count` approving reviews of the change's head commit by people who
/// neither wrote nor committed any of it, and — unless `mergedByOther` is false — a merge by someone who did not
/// either. The seed's "reviewed and merged by someone else": the second person for a change no team approves.
public struct PeerReviewRule: Sendable, Hashable {
    public let count: Int
    public let mergedByOther: Bool
}

/// `count` distinct human approvers from `team`.
public struct ApprovalRule: Sendable, Hashable {
    public let team: String
    public let count: Int
    /// The rule's name in decisions and gate metrics, `team@tier` (``ControlResult/rule``): `@` is in no name,
    /// so no two rules read alike. Made once, when the policy loads, not per decision.
    public let rule: String

    public init(team: String, count: Int, tier: String) {
        self.team = team
        self.count = count
        rule = team + "@" + tier
    }
}

/// An extra CEL condition with the message shown when it fails.
public struct Requirement: Sendable {
    public let condition: Condition
    public let message: String
}

/// A compiled CEL condition that must yield a `bool`.
public struct Condition: Sendable {
    public let source: String
    public let program: Program
    /// `file:line` of the expression in its policy document.
    public let location: String
}

/// A period when deploys are denied, with its break-glass path.
public struct Freeze: Sendable {
    public let name: String
    public let environments: [String]
    /// Services the freeze covers; empty means all.
    public let services: [String]
    public let windows: [FreezeWindow]
    public let breakGlass: BreakGlassPolicy
}

public enum FreezeWindow: Sendable {
    case absolute(start: Date, end: Date)
    /// Starts whenever `cron` fires in `timeZone` and lasts `duration` seconds.
    case recurring(cron: CronSchedule, duration: Int64, timeZone: TimeZone, text: String)
}

/// Who may break a freeze and on what terms.
public struct BreakGlassPolicy: Sendable {
    /// Identity names and `team:<name>` entries.
    public let allowed: [String]
    public let requiresReason: Bool
    public let requiresIncident: Bool
    /// Longest grant, in seconds.
    public let maxDuration: Int64
    /// The review deadline after the grant, in seconds, and the team that reviews.
    public let reviewWithin: Int64
    public let reviewTeam: String
    /// Whether one grant may lift the freeze for every service it covers. Off unless the policy says so: a grant
    /// names its service, so an emergency in one service does not open the freeze for all of them.
    public let allServices: Bool
    /// Tiers whose required approvals a grant also stands in for while it lifts the freeze: the emergency path.
    /// Empty unless the policy says so; the grant stays time-boxed and is reviewed afterwards by someone else.
    public let standsInForApprovals: [String]
}

/// How an artifact must be signed and built. `CountersignSupplyChain` verifies an artifact under it and records
/// the outcome as `ArtifactVerification` evidence, which the gate consumes.
public struct ArtifactPolicy: Sendable {
    /// A keyless signer the policy accepts: the OIDC issuer, exactly, and the certificate's identity (SAN) — exactly
    /// (`subject`) or by an RE2 pattern that must match the whole identity (`subjectPattern`).
    public struct KeylessIdentity: Sendable, Hashable {
        public let issuer: String
        public let subject: String?
        public let subjectPattern: String?
        public init(issuer: String, subject: String? = nil, subjectPattern: String? = nil) {
            self.issuer = issuer
            self.subject = subject
            self.subjectPattern = subjectPattern
        }
    }

    public let name: String
    /// Globs (`*` any run of characters, `?` one) over `registry/repository`.
    public let images: [String]
    /// Trusted signing keys (PEM files, relative to the policy file); empty means no signature is required.
    public let signatureKeys: [String]
    /// How many distinct trusted keys must have signed the digest.
    public let signatureThreshold: Int
    /// Keyless signers accepted for signatures; each distinct identity counts once toward ``signatureThreshold``,
    /// beside each distinct key.
    public let signatureIdentities: [KeylessIdentity]
    /// Keyless signers accepted for attestations; defaults to ``signatureIdentities``.
    public let provenanceIdentities: [KeylessIdentity]
    /// The Sigstore `trusted_root.json` keyless signatures are verified against (relative to the policy file);
    /// `nil` is Sigstore's public-good instance.
    public let trustedRoot: String?
    /// Whether the signed payload's `docker-reference` must name the image's repository (defeats copying a
    /// signed digest into another repository).
    public let matchDockerReference: Bool
    /// Keys trusted to sign attestations; defaults to ``signatureKeys``.
    public let provenanceKeys: [String]
    /// Whether `provenance.keys` was written: naming who may sign provenance requires provenance.
    public let provenanceKeysNamed: Bool
    /// Whether `provenance.identities` was written, likewise.
    public let provenanceIdentitiesNamed: Bool
    /// How many distinct trusted keys must have signed one attestation envelope.
    public let provenanceThreshold: Int
    public let predicateTypes: [String]
    /// Trusted `builder.id`s, compared exactly.
    public let builders: [String]
    /// Accepted `buildType`s; empty accepts any.
    public let buildTypes: [String]
    /// Accepted source repositories (`https://github.com/o/r`); empty accepts any.
    public let sourceRepositories: [String]
    /// Patterns (RE2 syntax) one of which the whole source ref must match — anchored, `refs/heads/main` is not
    /// `refs/heads/main-evil`; empty accepts any.
    public let sourceRefs: [String]
    public let condition: Condition?
    /// For a multi-arch index: verify the listed manifest of this platform (`linux/amd64`) instead of the
    /// index digest itself. `nil` verifies the digest as given.
    public let platform: String?
    /// `sha256:` of this policy's own definition (RFC 8785 JSON of every field as read): what a verification
    /// records, so the gate counts it only under the definition it was made under. The bundle's hash would not
    /// do: any edit elsewhere in the bundle would void every verification, and that churn teaches people to
    /// ignore it.
    public let hash: String

    public init(
        name: String, images: [String], signatureKeys: [String] = [], signatureThreshold: Int = 1,
        matchDockerReference: Bool = false, provenanceKeys: [String]? = nil, provenanceThreshold: Int = 1,
        predicateTypes: [String] = [], builders: [String] = [], buildTypes: [String] = [],
        sourceRepositories: [String] = [], sourceRefs: [String] = [], condition: Condition? = nil,
        platform: String? = nil, signatureIdentities: [KeylessIdentity] = [],
        provenanceIdentities: [KeylessIdentity]? = nil, trustedRoot: String? = nil
    ) {
        self.name = name
        self.images = images
        self.signatureKeys = signatureKeys
        self.signatureIdentities = signatureIdentities
        self.provenanceIdentities = provenanceIdentities ?? signatureIdentities
        self.provenanceIdentitiesNamed = provenanceIdentities != nil
        self.trustedRoot = trustedRoot
        self.signatureThreshold = signatureThreshold
        self.matchDockerReference = matchDockerReference
        self.provenanceKeys = provenanceKeys ?? signatureKeys
        self.provenanceKeysNamed = provenanceKeys != nil
        self.provenanceThreshold = provenanceThreshold
        self.predicateTypes = predicateTypes
        self.builders = builders
        self.buildTypes = buildTypes
        self.sourceRepositories = sourceRepositories
        self.sourceRefs = sourceRefs
        self.condition = condition
        self.platform = platform
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        func identities(_ values: [KeylessIdentity]) -> JSONValue {
            .array(
                values.map {
                    .object([
                        ("issuer", .string($0.issuer)), ("subject", $0.subject.map(JSONValue.string) ?? .null),
                        ("subjectPattern", $0.subjectPattern.map(JSONValue.string) ?? .null),
                    ])
                })
        }
        let definition: JSONValue = .object([
            ("name", .string(name)), ("images", strings(images)),
            (
                "signatures",
                .object([
                    ("keys", strings(signatureKeys)), ("threshold", .number(Double(signatureThreshold))),
                    ("matchDockerReference", .bool(matchDockerReference)),
                    ("identities", identities(signatureIdentities)),
                ])
            ),
            (
                "provenance",
                .object([
                    ("keys", provenanceKeys.map(strings) ?? .null), ("threshold", .number(Double(provenanceThreshold))),
                    ("predicateTypes", strings(predicateTypes)), ("builders", strings(builders)),
                    ("buildTypes", strings(buildTypes)), ("sourceRepositories", strings(sourceRepositories)),
                    ("sourceRefs", strings(sourceRefs)), ("condition", condition.map { .string($0.source) } ?? .null),
                    ("identities", provenanceIdentities.map(identities) ?? .null),
                ])
            ),
            ("platform", platform.map(JSONValue.string) ?? .null),
            ("trustedRoot", trustedRoot.map(JSONValue.string) ?? .null),
        ])
        self.hash = "sha256:" + Hex.sha256(definition.canonicalBytes)
    }

    /// Whether the policy requires provenance: whenever any provenance field is set — its keys alone included, so a
    /// policy that names only who may sign provenance does not silently require none.
    public var requiresProvenance: Bool {
        !predicateTypes.isEmpty || !builders.isEmpty || !buildTypes.isEmpty || !sourceRepositories.isEmpty
            || !sourceRefs.isEmpty || condition != nil || provenanceKeysNamed || provenanceIdentitiesNamed
    }

    /// Whether the policy requires signatures: by a key or by a keyless identity.
    public var requiresSignatures: Bool { !signatureKeys.isEmpty || !signatureIdentities.isEmpty }
}
