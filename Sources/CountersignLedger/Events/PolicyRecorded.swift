public import CountersignCore

/// `policy.proposed`, `policy.published`: a policy bundle by its hash, with the files it was loaded from — so any
/// node, and any auditor, can load exactly the policy that decided. Publishing needs an admin other than the
/// proposer; the first node on an empty ledger publishes its file once (`bootstrap`).
public struct PolicyRecorded: LedgerEvent, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case proposed, published
    }

    /// One policy file as it was loaded.
    public struct Source: Codable, Sendable, Hashable {
        public var file: String
        public var text: String

        public init(file: String, text: String) {
            self.file = file
            self.text = text
        }
    }

    /// From the event type, not the payload.
    public var state: State = .proposed
    public var hash: String
    public var environments: [String]?
    public var tiers: [String]?
    public var sources: [Source]?
    public var proposedBy: String?
    public var approvedBy: String?
    /// The one publication of a node's file on an empty ledger; the projection refuses a second.
    public var bootstrap: Bool?
    /// On publication: the identities (canonical names) the policy in force had and this one drops. Their tokens are
    /// revoked in the same batch, and the names are retired for good (`retired_identities`).
    public var retiredIdentities: [String]?

    private enum CodingKeys: String, CodingKey {
        case hash, environments, tiers, sources, proposedBy, approvedBy, bootstrap, retiredIdentities
    }

    public init(
        _ state: State, hash: String, environments: [String], tiers: [String], sources: [Source],
        proposedBy: String? = nil, approvedBy: String? = nil, bootstrap: Bool? = nil,
        retiredIdentities: [String]? = nil
    ) {
        self.retiredIdentities = retiredIdentities
        self.state = state
        self.hash = hash
        self.environments = environments
        self.tiers = tiers
        self.sources = sources
        self.proposedBy = proposedBy
        self.approvedBy = approvedBy
        self.bootstrap = bootstrap
    }

    public var type: EventType { state == .proposed ? .policyProposed : .policyPublished }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let hash = try nonEmpty(self.hash, "hash")
        var statements = [
            SQLStatement(
                "INSERT INTO policies (seq, hash, state, proposed_by, approved_by, at) VALUES (?, ?, ?, ?, ?, ?)",
                [entry.seq, hash, .text(state.rawValue), proposedBy.sql, approvedBy.sql, entry.at])
        ]
        // A ledger is bootstrapped once: the key refuses a second node's bootstrap in its own transaction.
        if state == .published, bootstrap == true {
            statements.append(
                SQLStatement("INSERT INTO policy_bootstrap (one, seq, hash) VALUES (1, ?, ?)", [entry.seq, hash]))
        }
        if state == .published {
            for name in retiredIdentities ?? [] {
                statements.append(
                    SQLStatement(
                        "INSERT INTO retired_identities (name, seq) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                        [try nonEmpty(name, "retiredIdentities"), entry.seq]))
            }
        }
        return statements
    }
}

extension PolicyRecorded {
    /// The published policy with `hash` (the latest published when `nil`), loaded from the ledger's own record of
    /// its files; `nil` when the ledger holds no such publication or it no longer loads (names are then compared in
    /// their canonical form alone).
    public static func published(in store: some LedgerStore, hash: String? = nil) async throws(LedgerError)
        -> PolicyBundle?
    {
        let found = try await store.lookup(
            "SELECT seq FROM policies WHERE state = 'published'\(hash == nil ? "" : " AND hash = ?") "
                + "ORDER BY seq DESC LIMIT 1", hash.map { [.text($0)] } ?? [])
        guard let seq = found.rows.first?.first?.integerValue,
            let entry = try await store.entries(from: Int(seq), count: 1).first,
            let files = try? entry.event(PolicyRecorded.self).sources
        else { return nil }
        return try? PolicyLoader.load(sources: files.map { ($0.file, $0.text) })
    }
}
