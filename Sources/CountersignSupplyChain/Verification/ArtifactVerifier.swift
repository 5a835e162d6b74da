internal import CEL
internal import CountersignCore

/// Judges a digest's signatures and provenance under a ``VerificationPolicy``, with no I/O: the registry client
/// gathers the ``ArtifactMaterial`` first. The order follows the SLSA verification steps — signature first, then
/// subject digest, then the fields — and the signed bytes are parsed only after their signature verified.
public struct ArtifactVerifier: Sendable {
    public let policy: VerificationPolicy

    /// The predicate type cosign v3 uses for a plain image signature (a DSSE statement in a bundle).
    public static let cosignSignPredicate = "https://sigstore.dev/cosign/sign/v1"

    /// A keyless signature or attestation reaches this verifier already proven (chain, log, SCT, time: its
    /// ``KeylessVerdict``, which ``RegistryVerifier`` computes against the policy's trusted root); here the policy
    /// decides whether its signer is one it accepts.
    public init(policy: VerificationPolicy) {
        self.policy = policy
    }

    /// Verifies `reference`, whose `digest` must be set; `subject` is the digest the material belongs to (the
    /// platform manifest when the policy verifies one platform of an index, else the reference's digest).
    public func verify(_ reference: ImageReference, subject: Digest? = nil, material: ArtifactMaterial)
        -> VerificationResult
    {
        var checks: [VerificationResult.Check] = []
        func requirement(_ name: String, _ passed: Bool, _ detail: String) {
            checks.append(.init(name: name, passed: passed, detail: detail, kind: .requirement))
        }
        func candidate(_ name: String, _ passed: Bool, _ detail: String) {
            checks.append(.init(name: name, passed: passed, detail: detail, kind: .candidate))
        }
        var accepted: SLSAProvenance?
        func result(signers: [String] = [], builder: String? = nil) -> VerificationResult {
            var result = VerificationResult(
                reference: reference.canonical, digest: reference.digest, policy: policy.name,
                policyHash: policy.policyHash, checks: checks, signers: signers, builder: builder)
            result.sourceCommit = accepted?.sourceCommit
            result.sourceRepository = accepted?.sourceRepository
            return result
        }
        guard let pinned = reference.digest else {
            requirement(
                "reference", false,
                "\(reference.canonical) is not pinned by digest: verify and approve the digest, never the tag")
            return result()
        }
        let digest = subject ?? pinned
        requirement(
            "reference", true,
            subject.map { $0 == pinned ? "pinned by digest \(pinned)" : "platform manifest \($0) of index \(pinned)" }
                ?? "pinned by digest \(pinned)")
        if !policy.covers(reference) {
            requirement(
                "images", false,
                "\(reference.name) is not covered by ArtifactPolicy \(policy.name) (images: \(policy.policy.images.joined(separator: ", ")))"
            )
        }

        var signers: [PublicKey] = []
        if policy.policy.requiresSignatures {
            for layer in material.signatures {
                let (ok, detail, key) = checkSignature(layer, digest: digest, reference: reference)
                candidate("signature", ok, detail)
                if ok, let key, !signers.contains(key) { signers.append(key) }
            }
            // A cosign v3 signature is a DSSE statement of the cosign/sign predicate, stored as a bundle.
            for att in material.attestations {
                guard let (envelope, statement) = att.cosignSignature else { continue }
                if att.isKeyless {
                    let (ok, detail, key) = keylessSigner(att.keyless, policy.signatureIdentities, att.source)
                    candidate(
                        "signature", ok && statement.covers(digest),
                        ok ? "bundle signature by \(detail) over \(digest)" : detail)
                    if ok, statement.covers(digest), let key, !signers.contains(key) { signers.append(key) }
                    continue
                }
                let (accepted, _) = envelope.verify(with: policy.signatureKeys)
                if let key = accepted.first, statement.covers(digest) {
                    candidate("signature", true, "bundle signature by key \(key.name) over \(digest) (\(att.source))")
                    if !signers.contains(key) { signers.append(key) }
                }
            }
            let needed = policy.policy.signatureThreshold
            if signers.count >= needed {
                requirement(
                    "signatures", true,
                    "signed by \(signers.map(\.name).joined(separator: ", ")) (\(signers.count) of \(needed) required)")
            } else if material.signatures.isEmpty && signers.isEmpty {
                requirement(
                    "signatures", false,
                    "no cosign signature found for \(digest)\(material.notes.isEmpty ? "" : " (\(material.notes.joined(separator: "; ")))")"
                )
            } else {
                let trusted = policy.signatureKeys.map(\.name) + policy.signatureIdentities.map(\.description)
                requirement(
                    "signatures", false,
                    "\(signers.count) of \(needed) required trusted signers signed \(digest) (trusted: \(trusted.joined(separator: ", ")))"
                )
            }
        }

        var builder: String? = nil
        if policy.policy.requiresProvenance {
            var acceptedDetail: String? = nil
            var examined = 0
            for att in material.attestations {
                // A cosign v3 signature (key-signed or keyless) is a signature, counted above, not provenance.
                if att.cosignSignature != nil { continue }
                examined += 1
                let (ok, detail, provenance) = checkAttestation(att, digest: digest)
                candidate("provenance", ok, detail)
                if ok, acceptedDetail == nil {
                    acceptedDetail = detail
                    builder = provenance?.builderID
                    accepted = provenance
                }
            }
            if let acceptedDetail {
                requirement("provenance", true, acceptedDetail)
            } else if examined == 0 {
                requirement(
                    "provenance", false,
                    "no attestation found for \(digest)\(material.notes.isEmpty ? "" : " (\(material.notes.joined(separator: "; ")))")"
                )
            } else {
                requirement("provenance", false, "no attestation for \(digest) satisfies ArtifactPolicy \(policy.name)")
            }
        }
        if !checks.contains(where: { $0.kind == .requirement && $0.name != "reference" && $0.name != "images" }) {
            requirement("policy", false, "ArtifactPolicy \(policy.name) requires neither signatures nor provenance")
        }
        return result(signers: signers.map(\.name), builder: builder)
    }

    func checkSignature(_ layer: SignatureLayer, digest: Digest, reference: ImageReference) -> (
        Bool, String, PublicKey?
    ) {
        guard !layer.signature.isEmpty else {
            return (false, "signature in \(layer.source) has no \(SignatureLayer.signatureAnnotation) annotation", nil)
        }
        let signature: [UInt8]
        do { signature = try Base64.decode(layer.signature, what: "the signature annotation") } catch {
            return (false, "signature in \(layer.source): \(error.reason)", nil)
        }
        var signer = policy.signatureKeys.first { $0.verifies(signature, over: layer.payload) }
        if signer == nil, layer.certificate != nil {
            // Keyless: proven against the trusted root over these payload bytes; the policy accepts the signer or not.
            let (ok, detail, key) = keylessSigner(layer.keyless, policy.signatureIdentities, layer.source)
            guard ok, let key else { return (false, "signature in \(layer.source): \(detail)", nil) }
            signer = key
        }
        guard let key = signer else {
            let trusted = policy.signatureKeys.map(\.name).joined(separator: ", ")
            return (false, "signature in \(layer.source) is not by a key in the trusted set (\(trusted))", nil)
        }
        // A keyless signer is named by its identity, a key by its file.
        let by = key.id.hasPrefix("keyless:") ? key.name : "key \(key.name)"
        let payload: SimpleSigningPayload
        do { payload = try SimpleSigningPayload(parsing: layer.payload) } catch {
            return (false, "signature in \(layer.source) by \(by): \(error.reason)", nil)
        }
        guard payload.manifestDigest == digest else {
            return (
                false,
                "signature in \(layer.source) by \(by) names \(payload.manifestDigest), not artifact \(digest)",
                nil
            )
        }
        if policy.policy.matchDockerReference {
            let named = (try? ImageReference(parsing: payload.dockerReference))?.name
            guard named == reference.name else {
                return (
                    false,
                    "signature in \(layer.source) by \(by) names docker-reference '\(payload.dockerReference.prefix(200))', not \(reference.name)",
                    nil
                )
            }
        }
        return (true, "signature by \(by) over \(digest) (\(layer.source))", key)
    }

    /// A keyless candidate's signer, as the policy sees it: accepted by one of `identities` (counted as that
    /// identity), or why not.
    func keylessSigner(_ verdict: KeylessVerdict?, _ identities: [CertificateIdentity], _ source: String) -> (
        Bool, String, PublicKey?
    ) {
        guard !identities.isEmpty else {
            return (
                false,
                "keyless (a certificate), and ArtifactPolicy \(policy.name) accepts no keyless signer (set identities) (\(source))",
                nil
            )
        }
        switch verdict {
        case nil:
            return (false, "keyless, and not verified against a trusted root (\(source))", nil)
        case .rejected(let why):
            return (false, "keyless verification failed: \(why) (\(source))", nil)
        case .verified(let signer):
            guard let identity = signer.admitted(by: identities) else {
                let accepted = identities.isEmpty ? "none" : identities.map(\.description).joined(separator: ", ")
                return (
                    false,
                    "signed by \(signer.description), not an accepted identity (accepted: \(accepted)) (\(source))", nil
                )
            }
            return (true, "\(signer.description) (\(source))", signer.counted(as: identity))
        }
    }

    func checkAttestation(_ att: AttestationCandidate, digest: Digest) -> (Bool, String, SLSAProvenance?) {
        let envelope: DSSEEnvelope
        switch att.content {
        case .invalid(let why): return (false, "attestation in \(att.source): \(why)", nil)
        case .envelope(let e): envelope = e
        case .bundle(let bundle):
            guard let e = bundle.envelope else {
                return (false, "attestation in \(att.source): the bundle holds no DSSE envelope", nil)
            }
            envelope = e
        case .raw(let bytes):
            do { envelope = try DSSEEnvelope(parsing: bytes) } catch {
                return (false, "attestation in \(att.source): \(error.reason)", nil)
            }
        }
        let prefix = "attestation in \(att.source)"
        // Exactly in-toto's type: `application/vnd.in-toto.anything` is another type, whatever its prefix.
        guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
            return (false, "\(prefix) has payload type '\(envelope.payloadType.prefix(100))', not in-toto", nil)
        }
        var (accepted, unmatched) = envelope.verify(with: policy.provenanceKeys)
        if att.isKeyless {
            let (ok, detail, key) = keylessSigner(att.keyless, policy.provenanceIdentities, att.source)
            guard ok, let key else { return (false, "attestation in \(att.source): \(detail)", nil) }
            if !accepted.contains(key) { accepted.append(key) }
        }
        let needed = policy.policy.provenanceThreshold
        guard accepted.count >= needed else {
            let trusted = (policy.provenanceKeys.map { $0.name } + policy.provenanceIdentities.map { $0.description })
                .joined(separator: ", ")
            if accepted.isEmpty {
                let who = unmatched.isEmpty ? "it carries no signatures" : unmatched.joined(separator: ", ")
                return (false, "\(prefix): \(who) not in the trusted set (\(trusted))", nil)
            }
            return (
                false, "\(prefix): \(accepted.count) of \(needed) required trusted keys signed (trusted: \(trusted))",
                nil
            )
        }
        let keys = accepted.map(\.name).joined(separator: ", ")
        let statement: InTotoStatement
        do { statement = try InTotoStatement(parsing: envelope.payload) } catch {
            return (false, "\(prefix) signed by \(keys): \(error.reason)", nil)
        }
        guard statement.covers(digest) else {
            return (
                false,
                "attestation subject \(statement.subjectDigests.prefix(4).joined(separator: ", ")) does not match artifact \(digest) (\(att.source))",
                nil
            )
        }
        let types = policy.policy.predicateTypes
        if !types.isEmpty, !types.contains(statement.predicateType) {
            return (
                false,
                "\(prefix): predicate type \(statement.predicateType.prefix(120)) is not accepted (accepted: \(types.joined(separator: ", ")))",
                nil
            )
        }
        let provenance: SLSAProvenance
        do { provenance = try SLSAProvenance(statement: statement) } catch {
            return (false, "\(prefix): \(error.reason)", nil)
        }
        let p = policy.policy
        if !p.builders.isEmpty, !p.builders.contains(provenance.builderID) {
            return (
                false,
                "provenance builder \(provenance.builderID.prefix(200)) is not trusted (trusted: \(p.builders.joined(separator: ", "))) (\(att.source))",
                provenance
            )
        }
        if !p.buildTypes.isEmpty, !p.buildTypes.contains(provenance.buildType) {
            return (
                false,
                "provenance build type '\(provenance.buildType.prefix(200))' is not accepted (accepted: \(p.buildTypes.joined(separator: ", ")))",
                provenance
            )
        }
        if !p.sourceRepositories.isEmpty {
            guard let repo = provenance.sourceRepository, p.sourceRepositories.contains(repo) else {
                return (
                    false,
                    "provenance source repository \(provenance.sourceRepository ?? "(none)") is not accepted (accepted: \(p.sourceRepositories.joined(separator: ", ")))",
                    provenance
                )
            }
        }
        if !policy.sourceRefPatterns.isEmpty {
            guard let ref = provenance.sourceRef else {
                return (false, "provenance names no source ref (\(att.source))", provenance)
            }
            guard policy.sourceRefPatterns.contains(where: { $0.matches(ref) }) else {
                return (
                    false,
                    "provenance source ref \(ref.prefix(200)) does not match \(p.sourceRefs.joined(separator: " or "))",
                    provenance
                )
            }
        }
        if let condition = p.condition {
            do {
                switch try condition.program.evaluate([
                    "provenance": ArtifactVerifier.binding(provenance),
                    "signer": ArtifactVerifier.binding(att.keyless.flatMap(\.signer)),
                ]) {
                case .bool(true): break
                case .bool(false):
                    return (false, "provenance condition '\(condition.source)' is false", provenance)
                case let other:
                    return (
                        false, "provenance condition '\(condition.source)' yielded \(other.typeName), not a bool",
                        provenance
                    )
                }
            } catch {
                return (false, "provenance condition '\(condition.source)': \(error.message)", provenance)
            }
        }
        var source = provenance.sourceRepository ?? "unknown source"
        if let ref = provenance.sourceRef { source += "@\(ref)" }
        if let commit = provenance.sourceCommit { source += " (\(commit.prefix(12)))" }
        return (
            true,
            "\(statement.predicateType) provenance signed by \(keys): builder \(provenance.builderID), \(source) (\(att.source))",
            provenance
        )
    }

    /// The `signer` variable of a provenance condition: the keyless signer's issuer, subject and Fulcio claims by
    /// name (`sourceRepositoryURI`, `sourceRepositoryRef`, `buildSignerURI`, `buildTrigger`, …); empty for a
    /// key-signed attestation, so a condition on it fails closed there.
    static func binding(_ signer: KeylessSigner?) -> Value {
        var map = MapValue()
        guard let signer else { return .map(map) }
        for (name, value) in signer.claims { map.set(MapKey(.string(name))!, .string(value)) }
        map.set(MapKey(.string("issuer"))!, .string(signer.issuer ?? ""))
        map.set(MapKey(.string("subject"))!, .string(signer.subjects.first ?? ""))
        return .map(map)
    }

    /// The `provenance` variable of a policy condition: the predicate's own fields, plus the normalised ones
    /// (`builderId`, `buildType`, `sourceRepository`, `sourceRef`, `sourceCommit`, `predicateType`), which win
    /// over a predicate field of the same name.
    static func binding(_ p: SLSAProvenance) -> Value {
        var map: MapValue
        if case .map(let m) = Value(p.predicate) { map = m } else { map = MapValue() }
        map.set(MapKey(.string("predicate"))!, Value(p.predicate))
        map.set(MapKey(.string("predicateType"))!, .string(p.predicateType))
        map.set(MapKey(.string("builderId"))!, .string(p.builderID))
        map.set(MapKey(.string("buildType"))!, .string(p.buildType))
        map.set(MapKey(.string("sourceRepository"))!, .string(p.sourceRepository ?? ""))
        map.set(MapKey(.string("sourceRef"))!, .string(p.sourceRef ?? ""))
        map.set(MapKey(.string("sourceCommit"))!, .string(p.sourceCommit ?? ""))
        return .map(map)
    }
}
