internal import CountersignCore

/// `artifact.registered`: a builder registers an artifact by its digest-pinned reference.
public struct ArtifactRegistered: LedgerEvent, Hashable {
    public var reference: String

    public init(reference: String) { self.reference = reference }

    public var type: EventType { .artifactRegistered }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let parsed = try pinned(reference, "reference")
        return [
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

    public init(digest: String, policy: String, verified: Bool, details: String?, policyHash: String? = nil) {
        self.digest = digest
        self.policy = policy
        self.verified = verified
        self.details = details
        self.policyHash = policyHash
    }

    public var type: EventType { .artifactVerified }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
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
                ])
        ]
    }
}
