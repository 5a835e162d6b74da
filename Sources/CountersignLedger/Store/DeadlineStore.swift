public import Foundation

/// A store whose every call on the request path answers within `limit` (and within what is left of the request's
/// ``StoreBudget``): a hung or lost database makes the call
/// fail with `.timedOut` — which the server turns into a 503, and the gate into a denial in protected
/// environments — instead of holding the request (and a Kubernetes admission webhook, which is given 10 s) until
/// the database returns. `verify` and `replayProjections` are operator commands that read the whole log and pass
/// through without one; `audit` has the console's own time limit and gets that plus a second.
public struct DeadlineStore: LedgerStore {
    public let base: any LedgerStore
    public let limit: Duration
    public let auditLimit: Duration

    public init(_ base: any LedgerStore, limit: Duration = .seconds(5), audit: AuditLimits = .standard) {
        self.base = base
        self.limit = limit
        auditLimit = audit.timeLimit + .seconds(1)
    }

    private func within<T: Sendable>(
        _ what: String, _ limit: Duration? = nil, _ operation: @escaping @Sendable () async throws(LedgerError) -> T
    ) async throws(LedgerError) -> T {
        let own = limit ?? self.limit
        guard let limit = StoreBudget.remaining(own) else {
            throw LedgerError(.timedOut, "the request spent its \(own) for the database before \(what)")
        }
        return try await withDeadline(
            limit, onTimeout: { LedgerError(.timedOut, "the database did not answer \(what) within \(limit)") },
            operation)
    }

    @discardableResult
    public func append(_ drafts: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry] {
        let base = self.base
        return try await within("an append") { () async throws(LedgerError) in try await base.append(drafts) }
    }

    public func probeWrite() async throws(LedgerError) {
        let base = self.base
        try await within("a probe write") { () async throws(LedgerError) in try await base.probeWrite() }
    }

    public func size() async throws(LedgerError) -> Int {
        let base = self.base
        return try await within("a size read") { () async throws(LedgerError) in try await base.size() }
    }

    public func entries(from: Int, count: Int) async throws(LedgerError) -> [LedgerEntry] {
        let base = self.base
        return try await within("an entries read") { () async throws(LedgerError) in
            try await base.entries(from: from, count: count)
        }
    }

    public func entries(between from: Date, and to: Date) async throws(LedgerError) -> [LedgerEntry] {
        let base = self.base
        return try await within("an entries read") { () async throws(LedgerError) in
            try await base.entries(between: from, and: to)
        }
    }

    public func snapshot(_ nodes: @escaping @Sendable (Int) throws(LedgerError) -> Set<MerkleNode>)
        async throws(LedgerError) -> (size: Int, hashes: [MerkleNode: [UInt8]])
    {
        let base = self.base
        return try await within("a proof read") { () async throws(LedgerError) in try await base.snapshot(nodes) }
    }

    public func storeCheckpoint(size: Int, rootHash: [UInt8], note: String) async throws(LedgerError) {
        let base = self.base
        try await within("a checkpoint write") { () async throws(LedgerError) in
            try await base.storeCheckpoint(size: size, rootHash: rootHash, note: note)
        }
    }

    public func latestCheckpoint() async throws(LedgerError) -> String? {
        let base = self.base
        return try await within("a checkpoint read") { () async throws(LedgerError) in try await base.latestCheckpoint()
        }
    }

    public func verify(verifier: NoteVerifier?, progress: @escaping @Sendable (Int, Int) -> Void)
        async throws(LedgerError)
        -> VerificationReport
    {
        try await base.verify(verifier: verifier, progress: progress)
    }

    public func replayProjections() async throws(LedgerError) -> Int { try await base.replayProjections() }

    public func audit(_ sql: String) async throws(LedgerError) -> QueryResult {
        let base = self.base
        return try await within("an audit query", auditLimit) { () async throws(LedgerError) in
            try await base.audit(sql)
        }
    }

    public func lookup(_ sql: String, _ arguments: [SQLValue]) async throws(LedgerError) -> QueryResult {
        let base = self.base
        return try await within("a read") { () async throws(LedgerError) in try await base.lookup(sql, arguments) }
    }
}
