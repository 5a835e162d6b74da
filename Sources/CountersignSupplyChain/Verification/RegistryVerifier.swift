internal import CountersignCore
public import Foundation
internal import Synchronization

/// Verifies an image end to end: checks the digest against the registry, gathers its signatures and
/// attestations, and judges them under every ``VerificationPolicy`` whose `images` cover it — all of them must
/// pass, as with policy-controller's ClusterImagePolicies. Verified digests come from the cache while fresh.
public struct RegistryVerifier: Sendable {
    public let client: RegistryClient
    public let policies: [VerificationPolicy]
    public let cache: VerificationCache?

    public init(client: RegistryClient, policies: [VerificationPolicy], cache: VerificationCache? = nil) {
        self.client = client
        self.policies = policies
        self.cache = cache
    }

    /// One result per covering policy. A reference with no digest, or one no policy covers, is a single rejected
    /// result (never an allow); a registry fault is thrown, and so is a verification that does not finish within
    /// the configuration's `verificationDeadline`, however many layers the registry serves.
    public func verify(_ reference: ImageReference, now: Date) async throws(SupplyChainError) -> [VerificationResult] {
        let deadline = client.configuration.verificationDeadline
        let expired = SupplyChainError(
            .registryUnavailable,
            "verifying \(reference.canonical) did not finish within \(deadline) (the whole verification's deadline, "
                + "whatever the number of layers)")
        // The caller is answered at the deadline whatever the registry does: the work is cancelled, and not waited
        // for (a request in flight may notice the cancellation only when its own exchange ends).
        let once = Once()
        let result: Result<[VerificationResult], SupplyChainError> = await withCheckedContinuation { continuation in
            let finish: @Sendable (Result<[VerificationResult], SupplyChainError>) -> Bool = { outcome in
                guard once.claim() else { return false }
                continuation.resume(returning: outcome)
                return true
            }
            let work = Task {
                do throws(SupplyChainError) {
                    _ = finish(.success(try await self.verifyUnbounded(reference, now: now)))
                } catch {
                    _ = finish(.failure(error))
                }
                once.stopTimer()
            }
            once.start(
                Task {
                    try? await Task.sleep(for: deadline)
                    if finish(.failure(expired)) { work.cancel() }
                })
        }
        return try result.get()
    }

    private func verifyUnbounded(_ reference: ImageReference, now: Date) async throws(SupplyChainError)
        -> [VerificationResult]
    {
        let covering = policies.filter { $0.covers(reference) }
        guard let digest = reference.digest else {
            let policy = covering.first ?? policies.first
            guard let policy else { return [RegistryVerifier.uncovered(reference)] }
            return [ArtifactVerifier(policy: policy).verify(reference, material: ArtifactMaterial())]
        }
        guard !covering.isEmpty else { return [RegistryVerifier.uncovered(reference)] }
        var results: [VerificationResult] = []
        var materials: [Digest: ArtifactMaterial] = [:]
        var checkedManifest = false
        for policy in covering {
            if let cached = cache?.lookup(reference, policy: policy, now: now) {
                results.append(cached)
                continue
            }
            let subject = digest
            if let platform = policy.policy.platform {
                let index = try await client.manifest(reference)
                checkedManifest = true
                if index.isIndex {
                    let result = try await verifyIndex(
                        reference, index: index, platform: platform, policy: policy, materials: &materials)
                    cache?.store(result, for: reference, policy: policy, now: now)
                    results.append(result)
                    continue
                }
            } else if !checkedManifest {
                // The digest must name a manifest this registry serves, byte for byte.
                _ = try await client.manifest(reference)
                checkedManifest = true
            }
            let material: ArtifactMaterial
            if let known = materials[subject] {
                material = known
            } else {
                material = try await client.material(for: reference, digest: subject)
                materials[subject] = material
            }
            let result = ArtifactVerifier(policy: policy).verify(
                reference, subject: subject == digest ? nil : subject,
                material: await Self.proven(material, digest: subject, root: policy.trustedRoot))
            cache?.store(result, for: reference, policy: policy, now: now)
            results.append(result)
        }
        return results
    }

    /// The first of the work and its deadline to claim it answers; the deadline's timer is stopped once the work
    /// is done, so no sleeping task outlives a verification by the whole deadline.
    final class Once: Sendable {
        private let state = Mutex<(claimed: Bool, done: Bool, timer: Task<Void, Never>?)>((false, false, nil))
        func claim() -> Bool {
            state.withLock { s in
                defer { s.claimed = true }
                return !s.claimed
            }
        }
        func start(_ timer: Task<Void, Never>) {
            let done = state.withLock { s in
                s.timer = timer
                return s.done
            }
            if done { timer.cancel() }
        }
        func stopTimer() {
            let timer = state.withLock { s in
                s.done = true
                return s.timer
            }
            timer?.cancel()
        }
    }

    /// `material` with each keyless candidate proven against `root` (chain, log, SCT, time — ``BundleVerifier``):
    /// a `.sig` layer over its payload bytes, an attestation or bundle over `digest`. Who signed is left for the
    /// policy. No root (a policy that accepts no keyless signer) proves nothing, and such candidates stay unproven.
    static func proven(_ material: ArtifactMaterial, digest: Digest, root: TrustedRoot?) async -> ArtifactMaterial {
        guard let root else { return material }
        let verifier = BundleVerifier(root: root)
        var out = material
        for i in out.signatures.indices {
            do throws(SupplyChainError) {
                guard let bundle = try out.signatures[i].keylessBundle() else { continue }
                out.signatures[i].keyless = await verifier.signer(
                    of: bundle, artifact: Digest.of(out.signatures[i].payload))
            } catch {
                out.signatures[i].keyless = .rejected(error.reason)
            }
        }
        for i in out.attestations.indices {
            do throws(SupplyChainError) {
                guard let bundle = try out.attestations[i].keylessBundle() else { continue }
                out.attestations[i].keyless = await verifier.signer(of: bundle, artifact: digest)
            } catch {
                out.attestations[i].keyless = .rejected(error.reason)
            }
        }
        return out
    }

    /// The most manifests an index may list for its children to be verified one by one.
    static let maxChildren = 64

    /// An index under a policy that names a platform. Whatever runs on a node is one of the manifests the index
    /// lists, so the index is accepted when it is signed as a whole (cosign's usual way: the index digest), or when
    /// every manifest it lists verifies — never for a signed child inside an unsigned wrapper that also lists
    /// something else. The result is the platform's manifest's, with the index's own requirement.
    private func verifyIndex(
        _ reference: ImageReference, index: Manifest, platform: String, policy: VerificationPolicy,
        materials: inout [Digest: ArtifactMaterial]
    ) async throws(SupplyChainError) -> VerificationResult {
        guard let entry = index.manifests.first(where: { $0.platform == platform }) else {
            let listed = index.manifests.compactMap(\.platform).joined(separator: ", ")
            throw SupplyChainError(
                .notFound,
                "index \(index.digest) lists no \(platform) manifest (it lists \(listed.isEmpty ? "none" : listed))")
        }
        func material(_ digest: Digest) async throws(SupplyChainError) -> ArtifactMaterial {
            if let known = materials[digest] {
                return await Self.proven(known, digest: digest, root: policy.trustedRoot)
            }
            let found = try await client.material(for: reference, digest: digest)
            materials[digest] = found
            return await Self.proven(found, digest: digest, root: policy.trustedRoot)
        }
        let verifier = ArtifactVerifier(policy: policy)
        let whole = verifier.verify(reference, material: try await material(index.digest))
        if whole.verdict == .verified {
            return Self.adding(
                .init(
                    name: "index", passed: true, detail: "the index \(index.digest) is signed as a whole",
                    kind: .requirement),
                to: whole)
        }
        guard index.manifests.count <= Self.maxChildren else {
            return Self.adding(
                .init(
                    name: "index", passed: false,
                    detail:
                        "the index \(index.digest) is not signed as a whole and lists \(index.manifests.count) manifests, more than the \(Self.maxChildren) verified one by one",
                    kind: .requirement), to: whole)
        }
        var chosen: VerificationResult?
        var failing: [String] = []
        for child in index.manifests {
            let result = verifier.verify(reference, subject: child.digest, material: try await material(child.digest))
            if child.digest == entry.digest { chosen = chosen ?? result }
            if result.verdict != .verified {
                failing.append(
                    "\(child.platform ?? "no platform") \(child.digest): \(result.reasons.first ?? "not verified")")
            }
        }
        let check: VerificationResult.Check =
            failing.isEmpty
            ? .init(
                name: "index", passed: true,
                detail: "every manifest the index \(index.digest) lists verifies (\(index.manifests.count))",
                kind: .requirement)
            : .init(
                name: "index", passed: false,
                detail: "the index \(index.digest) is not signed as a whole, and not every manifest it lists verifies: "
                    + failing.joined(separator: "; "),
                kind: .requirement)
        return Self.adding(check, to: chosen ?? whole)
    }

    static func adding(_ check: VerificationResult.Check, to result: VerificationResult) -> VerificationResult {
        var out = VerificationResult(
            reference: result.reference, digest: result.digest, policy: result.policy, policyHash: result.policyHash,
            checks: result.checks + [check], signers: result.signers, builder: result.builder)
        out.sourceCommit = result.sourceCommit
        out.sourceRepository = result.sourceRepository
        return out
    }

    static func uncovered(_ reference: ImageReference) -> VerificationResult {
        VerificationResult(
            reference: reference.canonical, digest: reference.digest, policy: "(none)", policyHash: "",
            checks: [
                .init(
                    name: "images", passed: false, detail: "no ArtifactPolicy covers \(reference.name)",
                    kind: .requirement)
            ], signers: [], builder: nil)
    }
}
