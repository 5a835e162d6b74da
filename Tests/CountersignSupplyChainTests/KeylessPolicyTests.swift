import CountersignCore
import Foundation
import Testing

@testable import CountersignSupplyChain

/// Issue 18 item 1, the policy's half: a keyless signature or attestation arrives proven (its ``KeylessVerdict``,
/// computed against the policy's trusted root); the ArtifactPolicy accepts its signer by issuer and identity,
/// counts distinct identities toward thresholds, and lets the provenance condition read the Fulcio claims. The
/// attacks: an identity the policy does not name, the same identity signing twice to reach a threshold, an
/// unproven or failed proof, a condition on claims a key-signed attestation does not have.
@Suite struct KeylessPolicyTests {
    static let issuer = "https://token.actions.githubusercontent.com"
    static let workflow = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
    static let other = "https://github.com/acme/app/.github/workflows/nightly.yml@refs/heads/main"

    static func signer(_ subject: String, issuer: String = issuer, claims: [String: String] = [:]) throws
        -> KeylessSigner
    {
        KeylessSigner(
            subjects: [subject], issuer: issuer, claims: claims, signedAt: [Date(timeIntervalSince1970: 1_700_000_000)],
            key: try PublicKey(pem: TestKey("ephemeral").pem, name: "ephemeral"))
    }

    static func layer(_ verdict: KeylessVerdict?) -> SignatureLayer {
        let payload = Fixtures.payload()
        var layer = SignatureLayer(
            payload: payload, signature: TestKey("ephemeral").signBase64(payload), certificate: "(certificate)",
            source: "sig")
        layer.keyless = verdict
        return layer
    }

    static func policy(_ spec: String) throws -> VerificationPolicy {
        try Fixtures.policy(spec, keys: [:])
    }

    static let accepting = """
        images: ['*']
        signatures:
          identities:
            - { issuer: "\(issuer)", subject: "\(workflow)" }
            - { issuer: "\(issuer)", subjectPattern: "https://github\\\\.com/acme/app/\\\\.github/workflows/nightly\\\\.yml@.*" }
        """

    @Test func anAcceptedIdentitySignsAndOthersDoNot() throws {
        let policy = try Self.policy(Self.accepting)
        let verified = ArtifactVerifier(policy: policy).verify(
            Fixtures.image,
            material: ArtifactMaterial(signatures: [Self.layer(.verified(try Self.signer(Self.workflow)))]))
        #expect(verified.verdict == .verified, "\(verified.reasons)")
        #expect(verified.signers == [Self.workflow])
        for (verdict, reason) in [
            (
                KeylessVerdict.verified(
                    try Self.signer("https://github.com/mallory/app/.github/workflows/x.yml@refs/heads/main")),
                "not an accepted identity"
            ),
            (
                .verified(try Self.signer(Self.workflow, issuer: "https://accounts.google.com")),
                "not an accepted identity"
            ),
            (.verified(try Self.signer(Self.workflow + "-evil")), "not an accepted identity"),
            (
                .rejected("the certificate does not chain"),
                "keyless verification failed: the certificate does not chain"
            ),
            (nil, "not verified against a trusted root"),
        ] {
            let result = ArtifactVerifier(policy: policy).verify(
                Fixtures.image, material: ArtifactMaterial(signatures: [Self.layer(verdict)]))
            #expect(result.verdict == .rejected)
            #expect(result.reasons.contains { $0.contains(reason) }, "\(result.reasons)")
        }
    }

    @Test func aKeyOnlyPolicyNamesWhyAKeylessSignatureDoesNotCount() throws {
        let policy = try Fixtures.policy(
            "images: ['*']\nsignatures: { keys: [k] }", keys: ["k": TestKey("release").pem])
        let result = ArtifactVerifier(policy: policy).verify(
            Fixtures.image,
            material: ArtifactMaterial(signatures: [Self.layer(.verified(try Self.signer(Self.workflow)))]))
        #expect(result.verdict == .rejected)
        #expect(
            result.reasons.contains { $0.contains("accepts no keyless signer (set identities)") }, "\(result.reasons)")
    }

    @Test func aThresholdCountsDistinctIdentitiesNotSignatures() throws {
        let policy = try Self.policy(
            Self.accepting.replacingOccurrences(of: "signatures:\n", with: "signatures:\n  threshold: 2\n"))
        let twice = ArtifactMaterial(signatures: [
            Self.layer(.verified(try Self.signer(Self.workflow))),
            Self.layer(.verified(try Self.signer(Self.workflow))),
        ])
        let once = ArtifactVerifier(policy: policy).verify(Fixtures.image, material: twice)
        #expect(once.verdict == .rejected)
        #expect(once.reasons.contains { $0.contains("1 of 2 required trusted signers") }, "\(once.reasons)")
        let two = ArtifactMaterial(signatures: [
            Self.layer(.verified(try Self.signer(Self.workflow))), Self.layer(.verified(try Self.signer(Self.other))),
        ])
        #expect(ArtifactVerifier(policy: policy).verify(Fixtures.image, material: two).verdict == .verified)
    }

    @Test func theProvenanceConditionReadsTheSignersClaims() throws {
        let policy = try Self.policy(
            """
            images: ['*']
            provenance:
              identities: [{ issuer: "\(Self.issuer)", subjectPattern: "https://github\\\\.com/acme/app/.*" }]
              builders: ["\(Fixtures.trustedBuilder)"]
              condition: "signer.sourceRepositoryURI == 'https://github.com/acme/app' && signer.sourceRepositoryRef == 'refs/heads/main'"
            """)
        func material(_ claims: [String: String]) throws -> ArtifactMaterial {
            var attestation = AttestationCandidate(
                envelopeJSON: Fixtures.envelope(Fixtures.statement(), signers: [TestKey("ephemeral")]),
                certificate: "(certificate)", rekorBundle: nil, source: "att")
            attestation.keyless = .verified(try Self.signer(Self.workflow, claims: claims))
            return ArtifactMaterial(attestations: [attestation])
        }
        let good = try material([
            "sourceRepositoryURI": "https://github.com/acme/app", "sourceRepositoryRef": "refs/heads/main",
        ])
        let verified = ArtifactVerifier(policy: policy).verify(Fixtures.image, material: good)
        #expect(verified.verdict == .verified, "\(verified.reasons)")
        // A fork's run (another repository in the certificate) or another ref: the condition is false.
        for claims in [
            ["sourceRepositoryURI": "https://github.com/mallory/app", "sourceRepositoryRef": "refs/heads/main"],
            ["sourceRepositoryURI": "https://github.com/acme/app", "sourceRepositoryRef": "refs/heads/dev"],
            [:],
        ] {
            let result = ArtifactVerifier(policy: policy).verify(Fixtures.image, material: try material(claims))
            #expect(result.verdict == .rejected, "\(claims)")
        }
        // A key-signed attestation has no signer claims: a condition on them fails closed.
        let release = TestKey("release")
        let keyed = try Fixtures.policy(
            """
            images: ['*']
            provenance:
              keys: [k]
              condition: "signer.sourceRepositoryURI == 'https://github.com/acme/app'"
            """, keys: ["k": release.pem])
        let signed = ArtifactMaterial(attestations: [
            AttestationCandidate(
                envelopeJSON: Fixtures.envelope(Fixtures.statement(), signers: [release]), source: "att")
        ])
        let result = ArtifactVerifier(policy: keyed).verify(Fixtures.image, material: signed)
        #expect(result.verdict == .rejected)
        #expect(result.reasons.contains { $0.contains("signer.sourceRepositoryURI") }, "\(result.reasons)")
    }

    @Test func policiesNameIdentitiesStrictly() throws {
        for (spec, message) in [
            ("images: [x]\nsignatures: { identities: [{ subject: s }] }", "issuer is required"),
            ("images: [x]\nsignatures: { identities: [{ issuer: i }] }", "give subject or subjectPattern"),
            (
                "images: [x]\nsignatures: { identities: [{ issuer: i, subject: s, subjectPattern: p }] }",
                "give subject or subjectPattern"
            ),
            ("images: [x]\nsignatures: { identities: [{ issuer: i, subjectPattern: '(' }] }", "subjectPattern"),
            (
                "images: [x]\nsignatures: { identities: [{ issuer: i, subject: s }], threshold: 2 }",
                "must lie between 1 and the number of keys (1)"
            ),
            ("images: [x]\nsignatures: { identities: [{ issuer: i, subject: s, role: admin }] }", "role"),
        ] {
            let error = #expect(throws: PolicyError.self) { try Self.policy(spec) }
            #expect(
                error?.issues.map(\.message).joined().contains(message) == true, "\(spec): \(String(describing: error))"
            )
        }
        // Identities change what is proved, so the policy's hash.
        let a = try Self.policy("images: [x]\nsignatures: { identities: [{ issuer: i, subject: s }] }")
        let b = try Self.policy("images: [x]\nsignatures: { identities: [{ issuer: i, subject: t }] }")
        #expect(a.policyHash != b.policyHash)
        // Keyless identities default to the public-good trusted root.
        #expect(a.trustedRoot?.transparencyLogs.contains { $0.host == "rekor.sigstore.dev" } == true)
    }
}
