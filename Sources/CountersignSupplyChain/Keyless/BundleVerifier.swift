internal import CountersignEncoding
internal import CountersignLedger
public import Foundation
internal import X509

/// Verifies a Sigstore bundle offline against a ``TrustedRoot``: keyless (a Fulcio certificate for an OIDC identity)
/// or by a managed key. A rejection is a value with its reason (``Verdict``), as every verification here is; only an
/// unusable trust root is an error, and that is the caller's.
///
/// The order, and why (docs/supply-chain.md, "Keyless"):
/// 1. **The log.** Each entry of a log the root knows is proven: a Rekor v1 signed entry timestamp over
///    `{body, integratedTime, logID, logIndex}` (the only thing that makes `integratedTime` a trusted time), and an
///    inclusion proof against a checkpoint the log signed (Rekor v2: the checkpoint's own size and root). Its body
///    must be this bundle's signature, signer and artifact. At least one entry must verify; an entry of a known log
///    that fails is a rejection, never skipped.
/// 2. **The times.** Verified integrated times and RFC 3161 timestamps over the signature — never the clock, never a
///    time the signer asserts. At least one.
/// 3. **The certificate**, at every one of those times: it chains to a certificate authority of the root trusted at
///    that time (path validation at that instant — the leaf lives ten minutes), it may sign code, it carries an SCT
///    from a CT log of the root, and it names an accepted identity.
/// 4. **The signature**: over the artifact's digest (a message signature, whose stated digest must be the
///    artifact's), or over the envelope's PAE with the statement naming the artifact among its subjects.
public struct BundleVerifier: Sendable {
    public let root: TrustedRoot

    public init(root: TrustedRoot) { self.root = root }

    /// What a verified bundle proved.
    public struct Verified: Sendable {
        /// The certificate's identity (SAN) and issuer, or the key's name.
        public let subject: String
        public let issuer: String?
        /// What the CI said about the run (the Fulcio extensions), by name.
        public let claims: [String: String]
        /// The verified times it was signed at: integrated times and timestamps.
        public let signedAt: [Date]
        /// The logs whose entries verified, by host.
        public let logs: [String]
        /// The DSSE envelope's in-toto statement payload, for attestation bundles.
        public let statement: InTotoStatement?
        /// Every SAN value of the certificate.
        public let subjects: [String]
        /// The certificate's key.
        let certificateKey: PublicKey?
    }

    public enum Verdict: Sendable {
        case verified(Verified)
        case rejected(String)
    }

    struct Rejection: Error { let reason: String }

    /// Verifies `bundle` for `artifact` and says who signed it, without asking whether that signer is accepted:
    /// the registry path verifies material once and lets each policy judge the signer (``KeylessSigner``).
    public func signer(of bundle: SigstoreBundle, artifact: Digest) async -> KeylessVerdict {
        do throws(Rejection) {
            guard artifact.algorithm == .sha256 else {
                throw Rejection(reason: "Sigstore bundles sign SHA-256 digests")
            }
            let verified = try await check(bundle, artifact.bytes, nil, nil)
            guard let key = verified.certificateKey else { throw Rejection(reason: "the bundle is not keyless") }
            return .verified(
                KeylessSigner(
                    subjects: verified.subjects, issuer: verified.issuer, claims: verified.claims,
                    signedAt: verified.signedAt, key: key))
        } catch {
            return .rejected(error.reason)
        }
    }

    /// Verifies `bundle` for the artifact of SHA-256 `artifact`: keyless when `identities` are given (at least one
    /// must admit the certificate), by `key` for a managed-key bundle.
    public func verify(
        _ bundle: SigstoreBundle, artifact: Digest, identities: [CertificateIdentity], key: PublicKey? = nil
    ) async -> Verdict {
        do throws(Rejection) {
            guard artifact.algorithm == .sha256 else {
                throw Rejection(reason: "Sigstore bundles sign SHA-256 digests")
            }
            return .verified(try await check(bundle, artifact.bytes, identities, key))
        } catch {
            return .rejected(error.reason)
        }
    }

    /// `identities` nil verifies the certificate without asking who it names (``signer(of:artifact:)``).
    func check(
        _ bundle: SigstoreBundle, _ digest: [UInt8], _ identities: [CertificateIdentity]?, _ managedKey: PublicKey?
    ) async throws(Rejection) -> Verified {
        func reject(_ reason: String) -> Rejection { Rejection(reason: reason) }
        guard digest.count == 32 else { throw reject("the artifact digest is not a SHA-256") }
        // The signer and the key that verifies the signature.
        let certificate: FulcioCertificate?
        let signingKey: PublicKey
        let signer: LogEntryBody.Signer
        switch bundle.material {
        case .certificate(let leaf, let der):
            guard managedKey == nil else { throw reject("the bundle is signed by a certificate, not by the given key") }
            guard identities.map({ !$0.isEmpty }) ?? true else { throw reject("no certificate identity is accepted") }
            do { certificate = try FulcioCertificate(leaf, der: der) } catch { throw reject(error.reason) }
            signingKey = certificate!.key
            signer = .certificate(der)
        case .publicKey:
            guard let managedKey else {
                throw reject("the bundle is signed by a key, not a certificate; verify it with that key")
            }
            certificate = nil
            signingKey = managedKey
            signer = .key(managedKey.der)
        }

        // 1. The log.
        var times: [Date] = []
        var logs: [String] = []
        for (n, entry) in bundle.logEntries.enumerated() {
            guard let log = root.transparencyLog(entry.logID) else { continue }
            let what = "transparency-log entry \(n + 1) (\(log.host))"
            if let integrated = try verifyEntry(entry, in: log, what: what) { times.append(integrated) }
            if let mismatch = LogEntryBody(
                entry: entry, content: bundle.content, signer: signer, artifactDigest: digest
            )
            .mismatch() {
                throw reject("\(what) is not this bundle's: \(mismatch)")
            }
            logs.append(log.host)
        }
        guard !logs.isEmpty else {
            throw reject(
                bundle.logEntries.isEmpty
                    ? "the bundle has no transparency-log entry"
                    : "no transparency-log entry is from a log the trusted root knows")
        }

        // 2. The times: RFC 3161 timestamps over the signature, each of which must verify.
        if !bundle.timestamps.isEmpty {
            guard !root.timestampAuthorities.isEmpty else {
                throw reject("the bundle carries timestamps but the trusted root has no timestamp authority")
            }
            let authorities = root.timestampAuthorities.map {
                TimestampAuthority(chain: $0.chain, validFrom: $0.validity.start, validUntil: $0.validity.end)
            }
            for (n, token) in bundle.timestamps.enumerated() {
                do {
                    times.append(
                        try await TimestampToken.verify(token, over: bundle.signature, authorities: authorities))
                } catch {
                    throw reject(
                        "timestamp \(n + 1) does not verify: \((error as? TimestampError)?.message ?? "\(error)")")
                }
            }
        }
        guard !times.isEmpty else {
            throw reject(
                "nothing attests when it was signed: no signed entry timestamp and no RFC 3161 timestamp (a Rekor v2 "
                    + "entry needs a timestamp)")
        }

        // 3. The certificate, at every attested time.
        if let certificate {
            for time in times {
                guard certificate.certificate.notValidBefore <= time, time <= certificate.certificate.notValidAfter
                else {
                    throw reject(
                        "the signing certificate was not valid at \(RFC3339.string(time)) (valid "
                            + "\(RFC3339.string(certificate.certificate.notValidBefore)) to "
                            + "\(RFC3339.string(certificate.certificate.notValidAfter)))")
                }
                var chained = false
                for authority in root.certificateAuthorities where await certificate.chains(to: authority, at: time) {
                    chained = true
                    break
                }
                guard chained else {
                    throw reject(
                        "the signing certificate does not chain to a certificate authority of the trusted root at "
                            + RFC3339.string(time))
                }
            }
            if let problem = certificate.signingUseProblem() { throw reject(problem) }
            try verifySCT(certificate)
            if let identities, !identities.contains(where: { $0.admits(certificate) }) {
                throw reject(
                    "the certificate names \(certificate.subjects.joined(separator: ", ")) (issuer "
                        + "\(certificate.issuer ?? "none")), not "
                        + identities.map(\.description).joined(separator: " or "))
            }
        }

        // 4. The signature.
        var statement: InTotoStatement? = nil
        switch bundle.content {
        case .message(let stated, let signature):
            guard stated == digest else { throw reject("the bundle signs another digest than the artifact's") }
            guard signingKey.verifies(signature, sha256Digest: digest) else {
                throw reject(
                    "the signature does not verify with the signing \(certificate == nil ? "key" : "certificate")")
            }
        case .dsse(let envelope):
            guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
                throw reject("the envelope's payload type is '\(envelope.payloadType.prefix(80))', not in-toto")
            }
            guard let signature = envelope.signatures.first?.signature,
                signingKey.verifies(signature, over: envelope.pae)
            else { throw reject("the envelope's signature does not verify with the signing certificate") }
            let parsed: InTotoStatement
            do { parsed = try InTotoStatement(parsing: envelope.payload) } catch { throw reject(error.reason) }
            guard let artifact = try? Digest(parsing: "sha256:" + Hex.encode(digest)), parsed.covers(artifact) else {
                throw reject("the statement's subjects do not include the artifact's digest")
            }
            statement = parsed
        }
        return Verified(
            subject: certificate?.subjects.first ?? signingKey.name, issuer: certificate?.issuer,
            claims: certificate?.claims ?? [:], signedAt: times.sorted(), logs: logs, statement: statement,
            subjects: certificate?.subjects ?? [], certificateKey: certificate?.key)
    }

    /// Proves `entry` is in `log`, and returns its integrated time when a signed entry timestamp vouches for it.
    func verifyEntry(_ entry: SigstoreBundle.LogEntry, in log: TrustedRoot.Log, what: String) throws(Rejection)
        -> Date?
    {
        func reject(_ reason: String) -> Rejection { Rejection(reason: "\(what): \(reason)") }
        var integrated: Date? = nil
        if let set = entry.signedEntryTimestamp {
            guard let time = entry.integratedTime else { throw reject("has a signed entry timestamp but no time") }
            // What Rekor signed: the RFC 8785 form of these four members, the body in standard base64.
            let signed = JSONValue.object([
                ("body", .string(Data(entry.body).base64EncodedString())), ("integratedTime", .number(Double(time))),
                ("logID", .string(Hex.encode(entry.logID))), ("logIndex", .number(Double(entry.logIndex))),
            ])
            guard log.key.verifies(set, over: signed.canonicalBytes) else {
                throw reject("its signed entry timestamp does not verify with the log's key")
            }
            let date = Date(timeIntervalSince1970: Double(time))
            guard log.validity.contains(date) else {
                throw reject("its integrated time \(RFC3339.string(date)) is outside the log key's trusted period")
            }
            integrated = date
        }
        // Rekor v2 writes only its own kinds, and proves them against the checkpoint's own tree.
        let rekorV2 = entry.version == "0.0.2" && (entry.kind == "hashedrekord" || entry.kind == "dsse")
        guard let proof = entry.inclusionProof else {
            guard integrated != nil, !rekorV2 else { throw reject("has neither an inclusion proof nor a promise") }
            return integrated
        }
        guard let note = proof.checkpoint else { throw reject("its inclusion proof has no checkpoint") }
        let checkpoint: SignedCheckpoint
        do { checkpoint = try SignedCheckpoint(verifying: note, log: log, strictOrigin: rekorV2) } catch {
            throw reject(error.reason)
        }
        let index = rekorV2 ? entry.logIndex : proof.logIndex
        if rekorV2, proof.logIndex != entry.logIndex {
            throw reject("its inclusion proof is for index \(proof.logIndex), not \(entry.logIndex)")
        }
        let size = rekorV2 ? checkpoint.size : proof.treeSize
        let root = rekorV2 ? checkpoint.rootHash : proof.rootHash
        guard checkpoint.rootHash == root, checkpoint.size == size else {
            throw reject("its checkpoint is of another tree than its inclusion proof")
        }
        guard
            MerkleTree.verifyInclusion(
                leafHash: MerkleTree.leafHash(entry.body), index: Int(index), size: Int(size), proof: proof.hashes,
                root: root)
        else { throw reject("its inclusion proof does not lead to the checkpoint's root") }
        return integrated
    }

    /// At least one SCT in the certificate verifies with a CT log of the root trusted when it was issued.
    func verifySCT(_ certificate: FulcioCertificate) throws(Rejection) {
        var found = false
        for authority in root.certificateAuthorities {
            guard let issuer = authority.chain.first, issuer.subject == certificate.certificate.issuer else { continue }
            let scts: [EmbeddedSCT]
            do { scts = try EmbeddedSCT.all(in: certificate.certificate, issuer: issuer) } catch {
                throw Rejection(reason: "the certificate's SCTs cannot be read: \(error)")
            }
            for sct in scts {
                guard let log = root.certificateTransparencyLog(sct.logID), sct.hashAlgorithm == EmbeddedSCT.hashSHA256
                else { continue }
                let time = Date(timeIntervalSince1970: Double(sct.timestamp) / 1000)
                guard log.validity.contains(time), log.key.verifies(sct.signature, over: sct.signedData) else {
                    continue
                }
                found = true
            }
        }
        guard found else {
            throw Rejection(
                reason: "the certificate carries no SCT from a certificate-transparency log the root trusts")
        }
    }
}
