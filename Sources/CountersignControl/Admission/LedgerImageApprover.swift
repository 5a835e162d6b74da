internal import CountersignCore
internal import CountersignLedger
public import CountersignSupplyChain

/// Admission's approver backed by the ledger: an image may run in a namespace when the policy maps the namespace
/// to an environment (`Environment.spec.namespaces`) and a deploy of exactly that digest to that environment was
/// allowed. The decision already required what its tier asks for — signatures and provenance verified under the
/// ArtifactPolicy among them — so admission enforces it at the cluster, including for deploys that bypassed CI.
/// Fails closed: an unmapped namespace or an unreachable ledger denies, with the reason.
public struct LedgerImageApprover: ImageApprover {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    /// The namespace's environment decides: `protected` refuses kinds admission does not recognise, and
    /// `admission: warn` (the environment's, or the namespace's own) reports instead of refusing. A namespace in no environment is strict (protected,
    /// enforced) — nothing about it lightens the gate.
    public func scope(of namespace: String) async -> AdmissionScope {
        guard
            let environment = control.policy.bundle.environments.values.first(where: {
                $0.namespaces.contains(namespace)
            })
        else { return .strict }
        return AdmissionScope(
            protected: environment.protected, enforced: environment.admission(of: namespace) == .enforce)
    }

    public func approval(of image: ImageReference, digest: Digest, namespace: String) async -> ImageApproval {
        let bundle = control.policy.bundle
        guard let environment = bundle.environments.values.first(where: { $0.namespaces.contains(namespace) }) else {
            return .denied("namespace \(namespace) belongs to no environment in the Countersign policy")
        }
        let allowed: String?
        do {
            allowed = try await control.read({ r throws(LedgerError) in
                try await r.allowedRequest(digest: digest.description, environment: environment.name)
            })
        } catch {
            return .denied("the ledger is unavailable, so nothing is admitted: \(error.message)")
        }
        guard let allowed else {
            return await canaryPhase(image, digest: digest.description, environment: environment.name)
                ?? .denied("no deploy of \(digest) to \(environment.name) has been allowed")
        }
        // Only a decision of the policy in force admits: one made under an earlier policy (a node that published
        // and crashed before deciding again, a request decided before the publication) is decided again first.
        do {
            let status = try await control.deployRequest(id: allowed)
            if let refusal = otherRepository(image, status.request, tier: status.decision?.tier) {
                return .denied(refusal)
            }
            guard status.decision?.policyHash != bundle.hash else { return .approved }
            let now = try await control.decide(id: allowed, by: "admission")
            guard now.verdict == .allowed else {
                return .denied(
                    "the deploy of \(digest) to \(environment.name) was allowed under an earlier policy; under the "
                        + "policy in force it is \(now.verdict.rawValue): \(now.reasons.joined(separator: "; "))")
            }
        } catch {
            return .denied("the ledger is unavailable, so nothing is admitted: \(error.message)")
        }
        return .approved
    }

    /// Why the pod's image is not what the request deployed, when its tier's ArtifactPolicy binds signatures to the
    /// repository (`matchDockerReference`): the gate counted a verification in the request's repository only, so the
    /// same digest pulled from another repository (one the policy may not even cover) was never verified there.
    private func otherRepository(_ image: ImageReference, _ request: DeployRequest, tier: String?) -> String? {
        let bundle = control.policy.bundle
        guard let name = bundle.tiers.first(where: { $0.name == tier })?.artifactPolicy,
            let policy = bundle.artifactPolicies[name], policy.matchDockerReference
        else { return nil }
        let requested = (try? ArtifactReference(parsing: request.artifact))?.canonicalRepository
        guard requested != image.name else { return nil }
        return "deploy request \(request.id) deployed the digest from \(requested ?? request.artifact), not from "
            + "\(image.name); ArtifactPolicy \(name) binds signatures to the repository"
    }

    /// A deploy allowed for its canary phase: its latest decision, under the policy in force, waits for nothing but
    /// its canary's verdict — every other control (approvals, checks, signatures, freezes) is satisfied — and that
    /// verdict needs the canary to run. Its pods are admitted with a warning saying so; promotion waits for the
    /// verdict (Argo's analysis reads it), and a failing verdict denies the deploy, so no further pod of the digest
    /// is admitted.
    private func canaryPhase(_ image: ImageReference, digest: String, environment: String) async -> ImageApproval? {
        guard
            let open = try? await control.read({ r throws(LedgerError) in try await r.openRequests(digest: digest) })
        else { return nil }
        for id in open {
            guard let status = try? await control.deployRequest(id: id), status.request.environment == environment,
                var decision = status.decision
            else { continue }
            if decision.policyHash != control.policy.bundle.hash {
                guard let now = try? await control.decide(id: id, by: "admission") else { continue }
                decision = now
            }
            let waiting = decision.controls.filter { $0.status != .satisfied }
            guard decision.verdict == .pending, !waiting.isEmpty,
                waiting.allSatisfy({ $0.control == "canary" && $0.status == .pending }),
                otherRepository(image, status.request, tier: decision.tier) == nil
            else { continue }
            return .canary(
                "admitted for its canary only: deploy request \(id) is \(waiting.map(\.message).joined(separator: "; ")); "
                    + "promotion waits for the verdict")
        }
        return nil
    }
}
