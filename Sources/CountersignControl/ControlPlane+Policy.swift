public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension PolicyRecorded {
    /// `bundle` as recorded from `sources`: its hash, environments, tiers and the exact files, so the policy in force
    /// can be loaded back from the ledger.
    init(
        _ state: State, _ bundle: PolicyBundle, _ sources: [(file: String, text: String)], proposedBy: String? = nil,
        approvedBy: String? = nil, bootstrap: Bool? = nil, retiredIdentities: [String]? = nil
    ) {
        self.init(
            state, hash: bundle.hash, environments: bundle.environments.keys.sorted(), tiers: bundle.tiers.map(\.name),
            sources: sources.map { Source(file: $0.file, text: $0.text) }, proposedBy: proposedBy,
            approvedBy: approvedBy, bootstrap: bootstrap, retiredIdentities: retiredIdentities)
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
    /// the policy in force is not used until an admin proposes it and a different person approves it.
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
            + "propose it (POST /api/v1/policy/proposals) and have a different person with the admin role approve it"
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

    /// Loads the policy file as it is now, as a candidate: what SIGHUP does. Nothing is recorded — a file or a
    /// signal only stages a policy; the admin who adopts it (``proposePolicy(by:)``) is its proposer.
    ///
    /// - Returns: the candidate's hash; throws when it does not load or is already in force.
    public func stagePolicy() throws(ControlError) -> String {
        let (bundle, _) = try candidate()
        return bundle.hash
    }

    /// Proposes the policy file as it is now, by the person adopting it; it takes effect once a different person
    /// with the admin role approves it.
    public func proposePolicy(by principal: Principal) async throws(ControlError) -> String {
        try Self.requirePersonAdmin(principal, to: "propose policy")
        let (bundle, sources) = try candidate()
        _ = try await refuseRetiredNames(bundle)
        try await record(
            PolicyRecorded(.proposed, bundle, sources, proposedBy: principal.identity), actor: principal.identity)
        return bundle.hash
    }

    /// Publishes a proposed policy: the approver must be a person with the admin role other than the proposer, and
    /// name the plan they read (``policyPlan(hash:)``'s digest) — a plan that changed since (new requests, new
    /// evidence, another policy in force) is 409, to be read again. Identities the proposal drops have their tokens
    /// revoked in the same batch (and so their sessions end), and their names are retired for good. Then every live
    /// request is decided again under the new policy.
    public func approvePolicy(hash: String, plan: String, by principal: Principal) async throws(ControlError)
        -> PolicyBundle
    {
        try Self.requirePersonAdmin(principal, to: "approve policy")
        let (proposal, bundle) = try await proposal(hash: hash)
        guard Names.canonical(proposal.proposedBy ?? "") != Names.canonical(principal.identity) else {
            throw ControlError(
                .forbidden, "\(principal.identity) proposed this policy; a different person must approve it",
                details: ["rule": "separation-of-duties"])
        }
        guard hash != policy.bundle.hash else { throw ControlError(.conflict, "policy \(hash) is already in force") }
        let current = try await self.plan(of: proposal, bundle)
        guard current.digest == plan else {
            throw ControlError(
                .conflict,
                "the plan of \(hash) is \(current.digest), not the \(plan) approved: read it again "
                    + "(GET /api/v1/policy/proposals/\(hash))", details: ["plan": current.digest])
        }
        let retired = try await refuseRetiredNames(bundle)
        let live = try await read({ r throws(LedgerError) in try await r.liveTokens() })
        var batch = EntryBatch()
        try batch.add(
            PolicyRecorded(
                .published, bundle, proposal.files, proposedBy: proposal.proposedBy ?? "",
                approvedBy: principal.identity, retiredIdentities: retired.isEmpty ? nil : retired),
            actor: principal.identity, at: now())
        // A token stands for the identity it was issued to, by that name: one the new policy no longer has (deleted,
        // renamed, or now only someone's alias) is revoked with the publication, not left to the next check.
        let revoked = live.filter { bundle.identity(named: $0.identity) == nil }
        for token in revoked {
            try batch.add(
                IdentityChanged(.tokenRevoked, identity: token.identity, token: token.id), actor: principal.identity,
                at: now())
        }
        try await record(batch)
        for token in revoked { cache.forgetToken(id: token.id) }
        policy.replace(bundle)
        await redecideLiveRequests(by: principal.identity)
        return bundle
    }

    /// Policy is changed by people: an admin token of an automation identity (which lint and token issuance refuse
    /// anyway) cannot propose or approve.
    private static func requirePersonAdmin(_ principal: Principal, to action: String) throws(ControlError) {
        try principal.require(.admin, to: action)
        guard principal.kind == .human else {
            throw ControlError(.forbidden, "automation identity \(principal.identity) may not \(action)")
        }
    }

    /// The policy file as a candidate: loaded, and not the policy already in force.
    private func candidate() throws(ControlError) -> (PolicyBundle, [(file: String, text: String)]) {
        let sources = try policySources()
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: sources) } catch {
            throw ControlError(.badRequest, "the policy file does not load: \(error)")
        }
        guard bundle.hash != policy.bundle.hash else {
            throw ControlError(.conflict, "policy \(bundle.hash) is already in force")
        }
        return (bundle, sources)
    }

    /// Refuses a policy that gives a retired identity name to anyone, as a name or an alias — retired earlier, or by
    /// this very policy (an identity dropped while its name becomes someone's alias): the name is the id the ledger's
    /// history (tokens, reviews, grants) knows that person by.
    ///
    /// - Returns: the names this policy retires: identities of the policy in force it no longer has.
    private func refuseRetiredNames(_ bundle: PolicyBundle) async throws(ControlError) -> [String] {
        let retiring = policy.bundle.identities.values.map { Names.canonical($0.name) }
            .filter { name in bundle.identities.values.allSatisfy { Names.canonical($0.name) != name } }.sorted()
        let retired = try await read({ r throws(LedgerError) in try await r.retiredIdentities() })
            .union(retiring)
        guard !retired.isEmpty else { return retiring }
        var reused: [String] = []
        for identity in bundle.identities.values {
            for name in [identity.name] + identity.aliases where retired.contains(Names.canonical(name)) {
                reused.append(
                    "\(Names.canonical(name)) (as \(name == identity.name ? "the name" : "an alias") of \(identity.name))"
                )
            }
        }
        guard reused.isEmpty else {
            throw ControlError(
                .badRequest,
                "the policy reuses retired identity names: \(reused.sorted().joined(separator: ", ")); a name, once "
                    + "removed, is never given to anyone again", details: ["field": "identities"])
        }
        return retiring
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
