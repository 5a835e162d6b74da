internal import CountersignCore
public import Foundation

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
        do {
            return try await withThrowingTaskGroup(of: [VerificationResult]?.self) { group in
                group.addTask { try await self.verifyUnbounded(reference, now: now) }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let results = first else {
                    throw SupplyChainError(
                        .registryUnavailable,
                        "verifying \(reference.canonical) did not finish within \(deadline) (the whole verification's "
                            + "deadline, whatever the number of layers)")
                }
                return results
            }
        } catch let error as SupplyChainError {
            throw error
        } catch {
            throw SupplyChainError(.registryUnavailable, "verifying \(reference.canonical) failed: \(error)")
        }
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
            var subject = digest
            if let platform = policy.policy.platform {
                subject = try await client.platformManifest(reference, platform: platform)
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
                reference, subject: subject == digest ? nil : subject, material: material)
            cache?.store(result, for: reference, policy: policy, now: now)
            results.append(result)
        }
        return results
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
