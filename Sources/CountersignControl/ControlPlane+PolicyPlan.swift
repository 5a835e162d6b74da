public import CountersignCore
public import CountersignEncoding
internal import CountersignLedger
public import Foundation

/// What publishing a proposal would do: the diff of its files against the policy in force, and the live requests
/// (``ReadModel/liveRequests(limit:)``) it would decide differently now — replayed through the gate with the
/// evidence on the ledger. Its digest names exactly this plan; the approver publishes the plan they read.
public struct PolicyPlan: Sendable {
    public struct Change: Sendable, Hashable {
        public var request, service, environment: String
        public var current: Decision.Verdict
        public var currentTier: String?
        public var proposed: Decision.Verdict
        public var proposedTier: String?
        public var reasons: [String]
    }

    public var hash: String
    public var proposedBy: String
    public var inForce: String
    public var diff: PolicyDiff
    public var changes: [Change]
    /// How many live requests were replayed.
    public var replayed: Int

    /// `sha256:` of the plan's canonical JSON: what the approver names when publishing.
    public var digest: String { "sha256:" + Hex.sha256(json(includeDigest: false).canonicalBytes) }

    public var json: JSONValue { json(includeDigest: true) }

    private func json(includeDigest: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("hash", .string(hash)), ("proposedBy", .string(proposedBy)), ("inForce", .string(inForce)),
            (
                "diff",
                .array(
                    diff.files.map { f in
                        .object([
                            ("file", .string(f.file)), ("change", .string(f.change)),
                            ("lines", .array(f.lines.map(JSONValue.string))),
                        ])
                    })
            ),
            ("replayed", .number(Double(replayed))),
            (
                "changes",
                .array(
                    changes.map { c in
                        .object([
                            ("request", .string(c.request)), ("service", .string(c.service)),
                            ("environment", .string(c.environment)), ("current", .string(c.current.rawValue)),
                            ("currentTier", c.currentTier.map(JSONValue.string) ?? .null),
                            ("proposed", .string(c.proposed.rawValue)),
                            ("proposedTier", c.proposedTier.map(JSONValue.string) ?? .null),
                            ("reasons", .array(c.reasons.map(JSONValue.string))),
                        ])
                    })
            ),
        ]
        if includeDigest { members.append(("digest", .string(digest))) }
        return .object(members)
    }
}

extension ControlPlane {
    /// The plan of proposal `hash`: its diff against the policy in force and the live requests it would decide
    /// differently now.
    public func policyPlan(hash: String) async throws(ControlError) -> PolicyPlan {
        let (proposal, proposed) = try await proposal(hash: hash)
        return try await plan(of: proposal, proposed)
    }

    /// Proposal `hash` as recorded, and its policy loaded from the recorded files.
    func proposal(hash: String) async throws(ControlError) -> (PolicyRecorded, PolicyBundle) {
        guard let proposal = try await latestPolicy(.proposed, hash: hash) else {
            throw ControlError(.notFound, "no proposed policy with hash \(hash)")
        }
        do { return (proposal, try PolicyLoader.load(sources: proposal.files)) } catch {
            throw ControlError(.conflict, "the proposed policy no longer loads: \(error)")
        }
    }

    func plan(of proposal: PolicyRecorded, _ proposed: PolicyBundle) async throws(ControlError) -> PolicyPlan {
        let hash = proposed.hash
        let current = policy.bundle
        let inForce = try await latestPolicy(.published, hash: current.hash)
        let ids = try await read({ r throws(LedgerError) in try await r.liveRequests() })
        let at = now()
        var changes: [PolicyPlan.Change] = []
        for id in ids {
            let status = try await deployRequest(id: id)
            let request = status.request
            let digest = (try? ArtifactReference(parsing: request.artifact))?.digest ?? ""
            let evidence = try await self.evidence(for: request, digest: digest)
            let before = Gate.decide(request, evidence: evidence, policy: current, now: at)
            let after = Gate.decide(request, evidence: evidence, policy: proposed, now: at)
            guard before.verdict != after.verdict || before.tier != after.tier else { continue }
            changes.append(
                PolicyPlan.Change(
                    request: id, service: request.service, environment: request.environment, current: before.verdict,
                    currentTier: before.tier, proposed: after.verdict, proposedTier: after.tier,
                    reasons: after.reasons))
        }
        return PolicyPlan(
            hash: hash, proposedBy: proposal.proposedBy ?? "", inForce: current.hash,
            diff: PolicyDiff(from: inForce?.files ?? [], to: proposal.files), changes: changes, replayed: ids.count)
    }

    /// After a publication: every live request decided again under the policy now in force (recorded where the
    /// decision changed — the policy's hash alone is a change), so nothing acts on a decision of a policy no longer in
    /// force. Best effort: the publication stands whatever happens here, and a request this misses (the store failed
    /// midway, the node stopped) is decided again by admission before it admits anything on it, or by its next event.
    /// Returns how many were decided again.
    @discardableResult
    func redecideLiveRequests(by actor: String) async -> Int {
        guard let ids = try? await read({ r throws(LedgerError) in try await r.liveRequests() }) else { return 0 }
        var decided = 0
        for id in ids where (try? await decide(id: id, by: actor)) != nil { decided += 1 }
        return decided
    }
}
