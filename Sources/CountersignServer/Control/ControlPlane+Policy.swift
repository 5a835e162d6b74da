public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// What a policy entry records: the exact sources, so the policy in force can be loaded back from the ledger.
struct RecordedPolicy {
    var hash: String
    var sources: [(file: String, text: String)]
    var proposedBy: String?

    init?(_ payload: JSONValue) {
        guard let hash = payload["hash"]?.stringValue, let items = payload["sources"]?.arrayValue else { return nil }
        var sources: [(file: String, text: String)] = []
        for item in items {
            guard let file = item["file"]?.stringValue, let text = item["text"]?.stringValue else { return nil }
            sources.append((file, text))
        }
        self.hash = hash
        self.sources = sources
        self.proposedBy = payload["proposedBy"]?.stringValue
    }

    static func payload(_ bundle: PolicyBundle, _ sources: [(file: String, text: String)]) -> [(String, JSONValue)] {
        [
            ("hash", .string(bundle.hash)),
            ("environments", .array(bundle.environments.keys.sorted().map(JSONValue.string))),
            ("tiers", .array(bundle.tiers.map { .string($0.name) })),
            (
                "sources",
                .array(sources.map { .object([("file", .string($0.file)), ("text", .string($0.text))]) })
            ),
        ]
    }
}

extension ControlPlane {
    /// The latest entry of `type` (`policy.published` or `policy.proposed`), optionally the one for `hash`, found
    /// through the `policies` projection.
    func latestPolicy(_ type: String, hash: String? = nil) async throws(APIError) -> RecordedPolicy? {
        let state = type == "policy.proposed" ? "proposed" : "published"
        var sql = "SELECT seq FROM policies WHERE state = ?"
        var arguments: [SQLValue] = [.text(state)]
        if let hash {
            sql += " AND hash = ?"
            arguments.append(.text(hash))
        }
        guard let seq = try await rows(sql + " ORDER BY seq DESC LIMIT 1", arguments).first?.integer("seq") else {
            return nil
        }
        let entries: [LedgerEntry]
        do { entries = try await store.entries(from: Int(seq), count: 1) } catch { throw APIError(ledger: error) }
        return entries.first.flatMap { RecordedPolicy($0.payload) }
    }

    /// The hash of the policy last published, read from the projection alone (cheap enough to poll).
    func publishedHash() async throws(APIError) -> String? {
        try await rows("SELECT hash FROM policies WHERE state = 'published' ORDER BY seq DESC LIMIT 1").first?
            .text("hash")
    }

    /// At start-up: the policy in force is the one last published in the ledger; only a ledger that has never
    /// published one takes the file's policy directly (the bootstrap, recorded as such). A file that differs from
    /// the policy in force is not used until it is proposed and a second admin approves it.
    ///
    /// - Returns: a note for the log when the file awaits approval.
    @discardableResult
    public func bootstrapPolicy() async throws(APIError) -> String? {
        let file = policy.bundle.hash
        if try await adoptPublishedPolicy() { return Self.differs(file: file, inForce: policy.bundle.hash) }
        let sources = try policySources()
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: sources) } catch {
            throw APIError(.badRequest, "the policy file does not load: \(error)")
        }
        var payload = RecordedPolicy.payload(bundle, sources)
        payload.append(("bootstrap", .bool(true)))
        do {
            try await record("policy.published", actor: "countersign", payload: .object(payload))
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
    private func adoptPublishedPolicy() async throws(APIError) -> Bool {
        guard let published = try await latestPolicy("policy.published") else { return false }
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: published.sources) } catch {
            throw APIError(.internal, "the published policy \(published.hash) no longer loads: \(error)")
        }
        policy.replace(bundle)
        return true
    }

    /// Proposes the policy file as it is now; it takes effect once a second admin approves it.
    public func proposePolicy(by proposer: String) async throws(APIError) -> String {
        let sources = try policySources()
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: sources) } catch {
            throw APIError(.badRequest, "the policy file does not load: \(error)")
        }
        guard bundle.hash != policy.bundle.hash else {
            throw APIError(.conflict, "policy \(bundle.hash) is already in force")
        }
        var payload = RecordedPolicy.payload(bundle, sources)
        payload.append(("proposedBy", .string(proposer)))
        try await record("policy.proposed", actor: proposer, payload: .object(payload))
        return bundle.hash
    }

    /// Publishes a proposed policy: the approver must be an admin other than the proposer.
    public func approvePolicy(hash: String, by principal: Principal) async throws(APIError) -> PolicyBundle {
        try principal.require(.admin, to: "approve policy")
        guard let proposal = try await latestPolicy("policy.proposed", hash: hash) else {
            throw APIError(.notFound, "no proposed policy with hash \(hash)")
        }
        guard proposal.proposedBy != principal.identity else {
            throw APIError(
                .forbidden, "\(principal.identity) proposed this policy; a second admin must approve it",
                details: ["rule": "separation-of-duties"])
        }
        guard hash != policy.bundle.hash else { throw APIError(.conflict, "policy \(hash) is already in force") }
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(sources: proposal.sources) } catch {
            throw APIError(.conflict, "the proposed policy no longer loads: \(error)")
        }
        var payload = RecordedPolicy.payload(bundle, proposal.sources)
        payload += [("proposedBy", .string(proposal.proposedBy ?? "")), ("approvedBy", .string(principal.identity))]
        try await record("policy.published", actor: principal.identity, payload: .object(payload))
        policy.replace(bundle)
        return bundle
    }

    /// Takes up a policy another node published; returns whether it changed.
    @discardableResult
    public func syncPolicy() async throws(APIError) -> Bool {
        guard let hash = try await publishedHash(), hash != policy.bundle.hash,
            let published = try await latestPolicy("policy.published"),
            let bundle = try? PolicyLoader.load(sources: published.sources)
        else { return false }
        policy.replace(bundle)
        return true
    }

    /// The policy file's sources named relative to the policy (``PolicyLoader/relativeSources(path:)``): entries
    /// every role can read never say where on the server's disk the policy lives.
    private func policySources() throws(APIError) -> [(file: String, text: String)] {
        guard let path = policy.path else {
            throw APIError(.conflict, "this server was not started from a policy path")
        }
        do { return try PolicyLoader.relativeSources(path: path) } catch {
            throw APIError(.badRequest, "the policy file cannot be read: \(error)")
        }
    }
}
