public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension PolicyRecorded {
    /// `bundle` as recorded from `sources`: its hash, environments, tiers and the exact files, so the policy in force
    /// can be loaded back from the ledger.
    init(
        _ state: State, _ bundle: PolicyBundle, _ sources: [(file: String, text: String)], proposedBy: String? = nil,
        approvedBy: String? = nil, bootstrap: Bool? = nil
    ) {
        self.init(
            state, hash: bundle.hash, environments: bundle.environments.keys.sorted(), tiers: bundle.tiers.map(\.name),
            sources: sources.map { Source(file: $0.file, text: $0.text) }, proposedBy: proposedBy,
            approvedBy: approvedBy, bootstrap: bootstrap)
    }

    /// The recorded files, as the loader takes them.
    var files: [(file: String, text: String)] { (sources ?? []).map { ($0.file, $0.text) } }
}

extension ControlPlane {
    /// The latest entry of `type` (`policy.published` or `policy.proposed`), optionally the one for `hash`, found
    /// through the `policies` projection.
    func latestPolicy(_ state: PolicyRecorded.State, hash: String? = nil) async throws(ControlError) -> PolicyRecorded?
    {
        guard
            let seq = try await read({ r throws(LedgerError) in
                try await r.policyEntry(state: state.rawValue, hash: hash)
            })
        else { return nil }
        let entries: [LedgerEntry]
        do { entries = try await store.entries(from: Int(seq), count: 1) } catch { throw ControlError(ledger: error) }
        guard let entry = entries.first else { return nil }
        do { return try entry.event(PolicyRecorded.self) } catch { throw ControlError(ledger: error) }
    }

    /// The hash of the policy last published, read from the projection alone (cheap enough to poll).
    func publishedHash() async throws(ControlError) -> String? {
        try await read({ r throws(LedgerError) in try await r.publishedPolicyHash() })
    }

    /// At start-up: the policy in force is the one last published in the ledger; only a ledger that has never
    /// published one takes the file's policy directly (the bootstrap, recorded as such). A file that differs from
    /// the policy in force is not used until it is proposed and a second admin approves it.
    ///
    /// - Returns: a note for the log when the file awaits approval.
    @discardableResult
    public func bootstrapPolicy() async throws(ControlError) -> String? {
        let file = policy.bundle.hash
        if try await adoptPublishedPolicy() { return Self.differs(file: file, inForce: policy.bundle.hash) }
        let sources = try policySources()
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: sources) } catch {
            throw ControlError(.badRequest, "the policy file does not load: \(error)")
        }
        do {
            try await record(PolicyRecorded(.published, bundle, sources, bootstrap: true), actor: "countersign")
            // In force as recorded, so a condition's location in a decision names the file as the record does.
            policy.replace(bundle)
        } catch {
            // Another node bootstrapped first (the ledger takes one bootstrap): serve what it published.
            guard try await adoptPublishedPolicy() else { throw error }
            return Self.differs(file: file, inForce: policy.bundle.hash)
        }
        return nil
    }

    private static func differs(file: String, inForce: String) -> String? {
        guard file != inForce else { return nil }
        return "the policy file (\(file)) differs from the policy in force (\(inForce)); "
            + "propose it (POST /api/v1/policy/proposals) and have a second admin approve it"
    }

    /// Loads the last published policy into the holder, if there is one.
    private func adoptPublishedPolicy() async throws(ControlError) -> Bool {
        guard let published = try await latestPolicy(.published) else { return false }
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: published.files) } catch {
            throw ControlError(.internal, "the published policy \(published.hash) no longer loads: \(error)")
        }
        policy.replace(bundle)
        return true
    }

    /// Proposes the policy file as it is now; it takes effect once a second admin approves it.
    public func proposePolicy(by proposer: String) async throws(ControlError) -> String {
        let sources = try policySources()
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: sources) } catch {
            throw ControlError(.badRequest, "the policy file does not load: \(error)")
        }
        guard bundle.hash != policy.bundle.hash else {
            throw ControlError(.conflict, "policy \(bundle.hash) is already in force")
        }
        try await record(PolicyRecorded(.proposed, bundle, sources, proposedBy: proposer), actor: proposer)
        return bundle.hash
    }

    /// Publishes a proposed policy: the approver must be an admin other than the proposer.
    public func approvePolicy(hash: String, by principal: Principal) async throws(ControlError) -> PolicyBundle {
        try principal.require(.admin, to: "approve policy")
        guard let proposal = try await latestPolicy(.proposed, hash: hash) else {
            throw ControlError(.notFound, "no proposed policy with hash \(hash)")
        }
        guard proposal.proposedBy != principal.identity else {
            throw ControlError(
                .forbidden, "\(principal.identity) proposed this policy; a second admin must approve it",
                details: ["rule": "separation-of-duties"])
        }
        guard hash != policy.bundle.hash else { throw ControlError(.conflict, "policy \(hash) is already in force") }
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: proposal.files) } catch {
            throw ControlError(.conflict, "the proposed policy no longer loads: \(error)")
        }
        try await record(
            PolicyRecorded(
                .published, bundle, proposal.files, proposedBy: proposal.proposedBy ?? "",
                approvedBy: principal.identity),
            actor: principal.identity)
        policy.replace(bundle)
        return bundle
    }

    /// Takes up a policy another node published; returns whether it changed.
    @discardableResult
    public func syncPolicy() async throws(ControlError) -> Bool {
        guard let hash = try await publishedHash(), hash != policy.bundle.hash,
            let published = try await latestPolicy(.published),
            let bundle = try? PolicyLoader.load(sources: published.files)
        else { return false }
        policy.replace(bundle)
        return true
    }

    /// The policy file's sources named relative to the policy (``PolicyLoader/relativeSources(path:)``): entries
    /// every role can read never say where on the server's disk the policy lives.
    private func policySources() throws(ControlError) -> [(file: String, text: String)] {
        guard let path = policy.path else {
            throw ControlError(.conflict, "this server was not started from a policy path")
        }
        do { return try PolicyLoader.relativeSources(path: path) } catch {
            throw ControlError(.badRequest, "the policy file cannot be read: \(error)")
        }
    }
}
