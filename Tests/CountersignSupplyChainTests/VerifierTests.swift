import CountersignCore
import CountersignSupplyChain
import Foundation
import Testing

/// Cosign signatures and DSSE/SLSA attestations judged under ArtifactPolicy, on fixtures made in the test.
@Suite struct VerifierTests {
    let release = TestKey("release")
    let digest = Fixtures.digest
    let image = Fixtures.image

    func good(_ key: TestKey? = nil) -> ArtifactMaterial {
        let k = key ?? release
        return ArtifactMaterial(
            signatures: [Fixtures.signature(Fixtures.payload(), by: k)],
            attestations: [
                AttestationCandidate(
                    envelopeJSON: Fixtures.envelope(Fixtures.statement(), signers: [k]), source: "test.att layer 1")
            ])
    }

    @Test func aSignedDigestWithGoodProvenanceIsVerified() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let result = verifier.verify(image, material: good())
        #expect(result.verdict == .verified, "\(result.reasons)")
        #expect(result.signers == ["release.pub"])
        #expect(result.builder == Fixtures.trustedBuilder)
        let evidence = result.evidence(id: "v1", at: Date(timeIntervalSince1970: 0))
        #expect(evidence.verified)
        #expect(evidence.digest == digest.description)
        #expect(evidence.policy == "signed-from-main")
        let details = try #require(evidence.details)
        #expect(details.contains("signed by release.pub"))
        #expect(details.contains("builder \(Fixtures.trustedBuilder)"))
        #expect(details.contains("https://github.com/acme/app@refs/heads/main"))
    }

    @Test func aSignatureByAnotherKeyIsRejected() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let result = verifier.verify(image, material: good(TestKey("mallory")))
        #expect(result.verdict == .rejected)
        #expect(result.reasons.contains { $0.contains("is not by a key in the trusted set (release.pub)") })
        #expect(
            result.reasons.contains { $0.contains("signature 1 by key mallory not in the trusted set (release.pub)") })
    }

    @Test func aPayloadNamingAnotherDigestIsRejected() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        var material = good()
        material.signatures = [Fixtures.signature(Fixtures.payload(digest: Fixtures.otherDigest), by: release)]
        let result = verifier.verify(image, material: material)
        #expect(result.verdict == .rejected)
        #expect(result.reasons.contains { $0.contains("names \(Fixtures.otherDigest), not artifact \(digest)") })
    }

    @Test func flippingAnySignedByteRejects() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let payload = Fixtures.payload()
        let signature = release.signBase64(payload)
        for i in stride(from: 0, to: payload.count, by: 7) {
            var tampered = payload
            tampered[i] ^= 0x01
            var material = good()
            material.signatures = [SignatureLayer(payload: tampered, signature: signature, source: "sig")]
            #expect(verifier.verify(image, material: material).verdict == .rejected, "byte \(i)")
        }
        // So does a flipped byte in the DSSE payload.
        let statement = Fixtures.statement()
        let envelope = Fixtures.envelope(statement, signers: [release])
        var json = String(decoding: envelope, as: UTF8.self)
        let original = Data(statement).base64EncodedString()
        var modified = statement
        modified[40] ^= 0x01
        json = json.replacingOccurrences(of: original, with: Data(modified).base64EncodedString())
        var material = good()
        material.attestations = [AttestationCandidate(envelopeJSON: Array(json.utf8), source: "att")]
        #expect(verifier.verify(image, material: material).verdict == .rejected)
    }

    @Test func dockerReferenceIsCheckedWhenConfigured() throws {
        let strict = try Fixtures.policy(
            """
            images: ["registry.example.com/*"]
            signatures: { keys: [release.pub], matchDockerReference: true }
            """, keys: ["release.pub": release.pem])
        let copied = ArtifactMaterial(
            signatures: [Fixtures.signature(Fixtures.payload(reference: "registry.example.com/other/app"), by: release)]
        )
        let result = ArtifactVerifier(policy: strict).verify(image, material: copied)
        #expect(result.reasons.contains { $0.contains("docker-reference 'registry.example.com/other/app'") })
        let own = ArtifactMaterial(signatures: [
            Fixtures.signature(Fixtures.payload(reference: "registry.example.com/team/app:v1"), by: release)
        ])
        #expect(ArtifactVerifier(policy: strict).verify(image, material: own).verdict == .verified)
    }

    @Test func aThresholdCountsDistinctTrustedKeys() throws {
        let second = TestKey("second")
        let policy = try Fixtures.policy(
            """
            images: ["registry.example.com/*"]
            signatures: { keys: [a.pub, b.pub], threshold: 2 }
            """, keys: ["a.pub": release.pem, "b.pub": second.pem])
        let once = ArtifactMaterial(signatures: [
            Fixtures.signature(Fixtures.payload(), by: release), Fixtures.signature(Fixtures.payload(), by: release),
        ])
        let result = ArtifactVerifier(policy: policy).verify(image, material: once)
        #expect(result.reasons.first == "1 of 2 required trusted signers signed \(digest) (trusted: a.pub, b.pub)")
        let twice = ArtifactMaterial(signatures: [
            Fixtures.signature(Fixtures.payload(), by: release), Fixtures.signature(Fixtures.payload(), by: second),
        ])
        #expect(ArtifactVerifier(policy: policy).verify(image, material: twice).verdict == .verified)
    }

    @Test func anAttestationForAnotherSubjectIsRejected() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        var material = good()
        material.attestations = [
            AttestationCandidate(
                envelopeJSON: Fixtures.envelope(Fixtures.statement(subject: Fixtures.otherDigest), signers: [release]),
                source: "att")
        ]
        let result = verifier.verify(image, material: material)
        #expect(
            result.reasons.contains(
                "attestation subject \(Fixtures.otherDigest) does not match artifact \(digest) (att)"))
    }

    @Test func untrustedBuildersAndOtherRefsAreRejectedByName() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        func reasons(_ statement: [UInt8]) -> [String] {
            var material = good()
            material.attestations = [
                AttestationCandidate(envelopeJSON: Fixtures.envelope(statement, signers: [release]), source: "att")
            ]
            return verifier.verify(image, material: material).reasons
        }
        #expect(
            reasons(Fixtures.statement(builder: "https://evil.example/builder")).contains {
                $0.hasPrefix("provenance builder https://evil.example/builder is not trusted")
            })
        #expect(
            reasons(Fixtures.statement(ref: "refs/heads/feature/x")).contains(
                "provenance source ref refs/heads/feature/x does not match ^refs/heads/(main|release/.*)$"))
        #expect(reasons(Fixtures.statement(ref: "refs/heads/release/2.1")).isEmpty)
    }

    @Test func slsaV02InStatementV01IsRead() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        var material = good()
        material.attestations = [
            AttestationCandidate(
                envelopeJSON: Fixtures.envelope(Fixtures.statementV02(), signers: [release]), source: "att")
        ]
        let result = verifier.verify(image, material: material)
        #expect(result.verdict == .verified, "\(result.reasons)")
        material.attestations = [
            AttestationCandidate(
                envelopeJSON: Fixtures.envelope(Fixtures.statementV02(ref: "refs/heads/dev"), signers: [release]),
                source: "att")
        ]
        #expect(
            verifier.verify(image, material: material).reasons.contains(
                "provenance source ref refs/heads/dev does not match ^refs/heads/(main|release/.*)$"))
    }

    @Test func aCELConditionOverThePredicateDecides() throws {
        let policy = try Fixtures.standardPolicy(
            release,
            extra: """
                  condition: "provenance.sourceRef.matches('^refs/heads/main$') && provenance.buildDefinition.externalParameters.workflow.path == '.github/workflows/build.yml'"
                """)
        let verifier = ArtifactVerifier(policy: policy)
        #expect(verifier.verify(image, material: good()).verdict == .verified)
        var material = good()
        material.attestations = [
            AttestationCandidate(
                envelopeJSON: Fixtures.envelope(Fixtures.statement(ref: "refs/heads/release/1"), signers: [release]),
                source: "att")
        ]
        #expect(
            verifier.verify(image, material: material).reasons.contains {
                $0.contains("condition") && $0.contains("is false")
            })
    }

    @Test func predicateTypesAndMissingMaterialAreReasons() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let none = verifier.verify(image, material: ArtifactMaterial(notes: ["no sha256-x.sig tag"]))
        #expect(none.reasons.contains("no cosign signature found for \(digest) (no sha256-x.sig tag)"))
        #expect(none.reasons.contains { $0.hasPrefix("no attestation found for \(digest)") })
        let sbom = Array(
            #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"\#(digest.hex)"}}],"predicateType":"https://spdx.dev/Document","predicate":{}}"#
                .utf8)
        var material = good()
        material.attestations = [
            AttestationCandidate(envelopeJSON: Fixtures.envelope(sbom, signers: [release]), source: "att")
        ]
        #expect(
            verifier.verify(image, material: material).reasons.contains {
                $0.contains("predicate type https://spdx.dev/Document is not accepted")
            })
    }

    @Test func aTagOnlyReferenceIsRejected() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let result = verifier.verify(try ImageReference(parsing: "registry.example.com/team/app:v1"), material: good())
        #expect(result.verdict == .rejected)
        #expect(
            result.reasons == [
                "registry.example.com/team/app:v1 is not pinned by digest: verify and approve the digest, never the tag"
            ])
    }

    @Test func imagesOutsideThePolicyAreRejected() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let elsewhere = try ImageReference(parsing: "ghcr.io/team/app@\(digest)")
        #expect(
            verifier.verify(elsewhere, material: good()).reasons.first?.contains("is not covered by ArtifactPolicy")
                == true)
    }

    @Test func sigstoreBundlesWithAKeyAreAttestations() throws {
        let envelope = Fixtures.envelope(Fixtures.statement(), signers: [release])
        let bundle = Array(
            #"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"release"},"tlogEntries":[]},"dsseEnvelope":\#(String(decoding: envelope, as: UTF8.self))}"#
                .utf8)
        let parsed = try SigstoreBundle(parsing: bundle)
        var material = good()
        material.attestations = [AttestationCandidate(envelope: try #require(parsed.envelope), source: "bundle")]
        #expect(
            ArtifactVerifier(policy: try Fixtures.standardPolicy(release)).verify(image, material: material).verdict
                == .verified)
        let keyless = Array(
            #"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"AA=="}},"dsseEnvelope":\#(String(decoding: envelope, as: UTF8.self))}"#
                .utf8)
        #expect(throws: SupplyChainError.self) { try SigstoreBundle(parsing: keyless) }
    }

    @Test func policyLoadingValidatesTheNewFields() throws {
        #expect(throws: PolicyError.self) {
            try Fixtures.policy(
                "images: [x]\nprovenance: { sourceRefs: ['(unclosed'], builders: [b] }\nsignatures: { keys: [k] }",
                keys: [:])
        }
        #expect(throws: PolicyError.self) {
            try Fixtures.policy("images: [x]\nsignatures: { keys: [k], threshold: 2 }", keys: [:])
        }
        #expect(throws: PolicyError.self) {
            try Fixtures.policy("images: [x]\nprovenance: { builders: [b] }", keys: [:])
        }
        #expect(throws: SupplyChainError.self) {
            try Fixtures.policy("images: [x]\nsignatures: { keys: [k] }", keys: ["k": "not a key"])
        }
    }
}

/// Issue 18, item 7: what an attacker with push access found in the verifier's reading of a policy and of
/// provenance.
@Suite struct VerifierFixesTests {
    let release = TestKey("release")

    func material(_ statement: [UInt8], payloadType: String = DSSEEnvelope.inTotoPayloadType) -> ArtifactMaterial {
        ArtifactMaterial(
            signatures: [Fixtures.signature(Fixtures.payload(), by: release)],
            attestations: [
                AttestationCandidate(
                    envelopeJSON: Fixtures.envelope(statement, signers: [release], payloadType: payloadType),
                    source: "att")
            ])
    }

    /// A policy that names only who may sign provenance requires provenance: a signature alone is not enough.
    @Test func provenanceKeysAloneRequireProvenance() throws {
        let other = TestKey("builder")
        let policy = try Fixtures.policy(
            """
            images: ["registry.example.com/*"]
            signatures: { keys: [keys/release.pub] }
            provenance: { keys: [keys/builder.pub] }
            """, keys: ["keys/release.pub": release.pem, "keys/builder.pub": other.pem])
        #expect(policy.policy.requiresProvenance)
        let unattested = ArtifactVerifier(policy: policy).verify(
            Fixtures.image,
            material: ArtifactMaterial(signatures: [Fixtures.signature(Fixtures.payload(), by: release)]))
        #expect(unattested.verdict == .rejected, "\(unattested.reasons)")
        let signaturesOnly = try Fixtures.policy(
            #"images: ["registry.example.com/*"]\#nsignatures: { keys: [keys/release.pub] }"#,
            keys: ["keys/release.pub": release.pem])
        #expect(
            !signaturesOnly.policy.requiresProvenance,
            "provenance keys defaulting to the signature keys require nothing")
    }

    /// Only in-toto's own payload type is an attestation: a prefix is not a type.
    @Test func aForeignPayloadTypeIsRefused() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        for type in ["application/vnd.in-toto.evil+json", "application/vnd.in-toto+json; x=1", "text/plain"] {
            let result = verifier.verify(Fixtures.image, material: material(Fixtures.statement(), payloadType: type))
            #expect(result.verdict == .rejected, "\(type)")
            #expect(result.reasons.contains { $0.contains("not in-toto") }, "\(type): \(result.reasons)")
        }
        #expect(verifier.verify(Fixtures.image, material: material(Fixtures.statement())).verdict == .verified)
    }

    /// `sourceRefs` match the whole ref.
    @Test func sourceRefPatternsAreAnchored() throws {
        let verifier = ArtifactVerifier(
            policy: try Fixtures.policy(
                """
                images: ["registry.example.com/*"]
                signatures: { keys: [keys/release.pub] }
                provenance: { builders: ["\(Fixtures.trustedBuilder)"], sourceRefs: ["refs/heads/main", "refs/tags/v.*"] }
                """, keys: ["keys/release.pub": release.pem]))
        for (ref, verdict) in [
            ("refs/heads/main", VerificationResult.Verdict.verified), ("refs/heads/main-evil", .rejected),
            ("refs/heads/evil/refs/heads/main", .rejected), ("refs/tags/v1.2", .verified), ("xrefs/tags/v1", .rejected),
        ] {
            let result = verifier.verify(Fixtures.image, material: material(Fixtures.statement(ref: ref)))
            #expect(result.verdict == verdict, "\(ref): \(result.reasons)")
        }
    }

    /// `git+https://…/app.git@ref` and the workflow's `https://…/app` are one repository.
    @Test func repositoryURLsAreComparedNormalised() throws {
        let statement = String(decoding: Fixtures.statement(), as: UTF8.self).replacingOccurrences(
            of: #""uri": "git+https://github.com/acme/app@"#, with: #""uri": "git+https://github.com/acme/app.git@"#)
        #expect(statement.contains("app.git@"))
        let provenance = try SLSAProvenance(statement: try InTotoStatement(parsing: Array(statement.utf8)))
        #expect(provenance.sourceRepository == "https://github.com/acme/app")
        let other = statement.replacingOccurrences(of: "acme/app.git@", with: "acme/other.git@")
        #expect(throws: SupplyChainError.self) {
            try SLSAProvenance(statement: try InTotoStatement(parsing: Array(other.utf8)))
        }
    }
}

extension VerifierFixesTests {
    /// Each way a signature layer can be wrong says which (issue 18, item 7).
    @Test func eachBrokenSignatureLayerSaysWhatIsWrong() throws {
        let verifier = ArtifactVerifier(policy: try Fixtures.standardPolicy(release))
        let payload = Fixtures.payload()
        let good = Fixtures.signature(payload, by: release)
        func reasons(_ signature: String) -> [String] {
            var material = material(Fixtures.statement())
            material.signatures = [SignatureLayer(payload: payload, signature: signature, source: "sig layer 1")]
            return verifier.verify(Fixtures.image, material: material).reasons
        }
        #expect(reasons("").contains("signature in sig layer 1 has no dev.cosignproject.cosign/signature annotation"))
        let truncated = String(good.signature.prefix(4 * 10 + 1))
        #expect(
            reasons(truncated).contains { $0.contains("is truncated base64 (41 characters)") }, "\(reasons(truncated))")
        #expect(reasons("!!!!").contains { $0.contains("is not valid base64") })
        let mallory = Fixtures.signature(payload, by: TestKey("mallory")).signature
        #expect(reasons(mallory).contains("signature in sig layer 1 is not by a key in the trusted set (release.pub)"))
        #expect(reasons(good.signature).isEmpty)
    }
}
