internal import CountersignCore

/// `artifact.registered`: a builder registers an artifact by its digest-pinned reference, and with it the commit
/// (and repository) it built the artifact from — what binds the digest to the change a request names.
public struct ArtifactRegistered: LedgerEvent, Hashable {
    public var reference: String
    public var commit: String?
    public var repository: String?

    public init(reference: String, commit: String? = nil, repository: String? = nil) {
        self.reference = reference
        self.commit = commit
        self.repository = repository
    }

    public var type: EventType { .artifactRegistered }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let parsed = try pinned(reference, "reference")
        var bindings: [SQLStatement] = []
        if let commit {
            bindings.append(
                try sourceBinding(
                    entry, digest: .text(parsed.digest), commit: commit, repository: repository, via: .builder,
                    by: entry.actorName, reference: reference))
        }
        return bindings + [
            SQLStatement(
                """
                INSERT INTO artifacts (digest, reference, registered_seq, registered_at, registered_by)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (digest) DO UPDATE SET reference = excluded.reference,
                    registered_seq = excluded.registered_seq, registered_at = excluded.registered_at,
                    registered_by = excluded.registered_by
                """, [.text(parsed.digest), .text(reference), entry.seq, entry.at, entry.actor])
        ]
    }
}

/// `artifact.verified`: the outcome of verifying a digest's signatures and provenance under a named policy.
public struct ArtifactVerified: LedgerEvent, Hashable {
    public var digest: String
    /// The supply-chain policy's name.
    public var policy: String
    public var verified: Bool
    /// Who signed and built it, or why it was rejected.
    public var details: String?
    public var policyHash: String?
    /// The commit (and repository) the verified provenance says the artifact was built from.
    public var sourceCommit: String?
    public var sourceRepository: String?
    /// The digest-pinned reference that was verified (absent before it was recorded): where the artifact lives,
    /// which a deployment that names only its commit is given.
    public var reference: String?

    public init(
        digest: String, policy: String, verified: Bool, details: String?, policyHash: String? = nil,
        sourceCommit: String? = nil, sourceRepository: String? = nil, reference: String? = nil
    ) {
        self.digest = digest
        self.policy = policy
        self.verified = verified
        self.details = details
        self.policyHash = policyHash
        self.sourceCommit = sourceCommit
        self.sourceRepository = sourceRepository
        self.reference = reference
    }

    public var type: EventType { .artifactVerified }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        // Only a verified provenance binds the digest to its commit: a rejected one is nobody's word.
        var bindings: [SQLStatement] = []
        if verified, let sourceCommit {
            if let reference, try pinned(reference, "reference").digest != digest {
                throw fail("reference", "names another digest than \(digest)")
            }
            bindings.append(
                try sourceBinding(
                    entry, digest: try sha256Digest(digest, "digest"), commit: sourceCommit,
                    repository: sourceRepository, via: .provenance,
                    by: policy, reference: reference))
        }
        let repository = try reference.map { r throws(LedgerError) in try pinned(r, "reference").canonicalRepository }
        return bindings + [
            SQLStatement(
                """
                INSERT INTO artifact_verifications (seq, digest, policy, policy_hash, repository, verified, details, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    entry.seq, try sha256Digest(digest, "digest"), try nonEmpty(policy, "policy"), policyHash.sql,
                    repository.sql, .integer(verified ? 1 : 0), details.sql, entry.at,
                ]),
            SQLStatement(
                """
                INSERT INTO artifacts (digest, verified, verification_policy, verified_at, verification_details)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (digest) DO UPDATE SET verified = excluded.verified,
                    verification_policy = excluded.verification_policy, verified_at = excluded.verified_at,
                    verification_details = excluded.verification_details
                """,
                [
                    try sha256Digest(digest, "digest"), .integer(verified ? 1 : 0), try nonEmpty(policy, "policy"),
                    entry.at,
                    details.sql,
                ]),
        ]
    }
}

extension LedgerEvent {
    /// The `artifact_sources` row of one binding of `digest` to the commit it was built from, with the reference
    /// that was registered or verified (where the build lives).
    func sourceBinding(
        _ entry: ProjectionContext, digest: SQLValue, commit: String, repository: String?, via: SourceBinding.Via,
        by: String, reference: String?
    ) throws(LedgerError) -> SQLStatement {
        guard Change.isCommitID(commit) else {
            throw fail("commit", "must be a full git commit id (40 or 64 hex digits)")
        }
        return SQLStatement(
            """
            INSERT INTO artifact_sources (seq, digest, commit_sha, repository, via, bound_by, at, reference)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                entry.seq, digest, .text(commit.lowercased()), repository.sql, .text(via.rawValue), .text(by), entry.at,
                reference.sql,
            ])
    }
}
