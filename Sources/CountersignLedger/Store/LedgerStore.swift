public import Foundation

/// Where the ledger lives: the embedded SQLite file or a shared PostgreSQL database. Every method is a domain
/// operation and every write is one transaction; both stores pass one conformance suite
/// (`CountersignTesting.LedgerStoreConformance`).
///
/// Stores keep no tree in memory. They store every complete subtree's hash, so roots and proofs at any size are a
/// single query for O(log n) nodes (implemented once, below), and an append reads only the tree's right edge —
/// which is what lets several processes or nodes append to one database.
public protocol LedgerStore: Sendable {
    /// Appends a batch in order and returns it with its sequence numbers. Either the whole batch is written and
    /// durable when this returns, or none of it is. Payloads are validated against their event type first.
    @discardableResult
    func append(_ drafts: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry]

    /// The number of entries.
    func size() async throws(LedgerError) -> Int

    /// Entries `from ..< from + count` (fewer at the end of the log).
    func entries(from: Int, count: Int) async throws(LedgerError) -> [LedgerEntry]

    /// Entries whose time is in `from ..< to`, in sequence order.
    func entries(between from: Date, and to: Date) async throws(LedgerError) -> [LedgerEntry]

    /// In one read: the log's current size and the stored hashes of the complete subtrees (level 0: the leaves)
    /// that `nodes` names for that size. Fails if one is missing, or if `nodes` throws (for a bad argument).
    func snapshot(_ nodes: @escaping @Sendable (Int) throws(LedgerError) -> Set<MerkleNode>) async throws(LedgerError)
        -> (
            size: Int, hashes: [MerkleNode: [UInt8]]
        )

    /// Stores a signed checkpoint. Refuses one whose root differs from a stored checkpoint of the same size.
    func storeCheckpoint(size: Int, rootHash: [UInt8], note: String) async throws(LedgerError)

    /// The most recent checkpoint note, if any.
    func latestCheckpoint() async throws(LedgerError) -> String?

    /// Recomputes every hash from the stored entries and checks every stored node and, given a verifier, the
    /// latest checkpoint. Reads the database, never a cache. `progress` gets (done, total).
    func verify(verifier: NoteVerifier?, progress: @escaping @Sendable (Int, Int) -> Void) async throws(LedgerError)
        -> VerificationReport

    /// Clears the projection tables and rebuilds them from the entries, in one transaction. Returns the number of
    /// entries replayed.
    func replayProjections() async throws(LedgerError) -> Int

    /// Runs one statement an auditor typed, isolated from everything the store itself reads: on connections only
    /// the audit console uses, which refuse writes, temporary objects, ATTACH and PRAGMAs, read only the tables in
    /// `AuditLimits.readableTables` (never `api_tokens.token_hash`), and stop at the store's `AuditLimits`.
    /// Refusals throw `.notPermitted`; a time or value limit `.limitExceeded`; too many at once `.busy`; a result
    /// cut at the row or byte cap comes back with `truncation` set.
    func audit(_ sql: String) async throws(LedgerError) -> QueryResult

    /// Commits a write that adds no entry (it overwrites one row of `store_probe`), durably as an append would, to
    /// learn whether the store takes writes now: a full disk, a read-only file or database fails it with
    /// `.storage`. Readiness calls it after an append failed for the store's sake.
    func probeWrite() async throws(LedgerError)

    /// A short indexed read of the projections by the store's own callers (a token, a request's latest decision),
    /// with `?` placeholders, on a connection that refuses writes. Its SQL is the program's, never a user's: user
    /// SQL goes through `audit`.
    func lookup(_ sql: String, _ arguments: [SQLValue]) async throws(LedgerError) -> QueryResult
}

extension LedgerStore {

    /// The root of the first `size` entries (all by default).
    public func root(size: Int? = nil) async throws(LedgerError) -> [UInt8] {
        let (total, nodes) = try await snapshot { total throws(LedgerError) in
            MerkleTree.rootNodes(size: try Self.within(size ?? total, total))
        }
        return MerkleTree.root(size: size ?? total) { nodes[$0] ?? [] }
    }

    /// An inclusion proof for entry `seq` in the tree of `size` entries (the current size by default).
    public func inclusionProof(seq: Int, size: Int? = nil) async throws(LedgerError) -> InclusionProof {
        let (total, nodes) = try await snapshot { total throws(LedgerError) in
            let n = try Self.within(size ?? total, total)
            guard seq >= 0, seq < n else {
                throw LedgerError(.invalidInput, "entry \(seq) is not in a tree of \(n) entries")
            }
            var nodes = MerkleTree.inclusionNodes(index: seq, size: n)
            nodes.formUnion(MerkleTree.rootNodes(size: n))
            return nodes
        }
        let n = size ?? total
        let lookup: (MerkleNode) -> [UInt8] = { nodes[$0] ?? [] }
        do {
            return InclusionProof(
                index: seq, treeSize: n, leafHash: lookup(MerkleNode(level: 0, index: seq)),
                rootHash: MerkleTree.root(size: n, node: lookup),
                proof: try MerkleTree.inclusionProof(index: seq, size: n, node: lookup))
        } catch {
            throw LedgerError(.invalidInput, error.message)
        }
    }

    /// A consistency proof from the tree of `from` entries to the tree of `to` entries.
    public func consistencyProof(from: Int, to: Int) async throws(LedgerError) -> ConsistencyProof {
        guard from >= 0, from <= to else {
            throw LedgerError(.invalidInput, "sizes must satisfy 0 ≤ from ≤ to, got \(from), \(to)")
        }
        let (_, nodes) = try await snapshot { total throws(LedgerError) in
            _ = try Self.within(to, total)
            return MerkleTree.consistencyNodes(from: from, to: to).union(MerkleTree.rootNodes(size: from))
                .union(MerkleTree.rootNodes(size: to))
        }
        let lookup: (MerkleNode) -> [UInt8] = { nodes[$0] ?? [] }
        do {
            return ConsistencyProof(
                firstSize: from, secondSize: to, firstRoot: MerkleTree.root(size: from, node: lookup),
                secondRoot: MerkleTree.root(size: to, node: lookup),
                proof: try MerkleTree.consistencyProof(from: from, to: to, node: lookup))
        } catch {
            throw LedgerError(.invalidInput, error.message)
        }
    }

    private static func within(_ size: Int, _ total: Int) throws(LedgerError) -> Int {
        guard size >= 0, size <= total else {
            throw LedgerError(.invalidInput, "tree size \(size) is beyond the ledger's \(total) entries")
        }
        return size
    }

    /// Whether this ledger extends `checkpoint`: it holds at least that many entries and its root at that size is
    /// the checkpoint's. (The origin is the caller's to compare.)
    public func extends(_ checkpoint: Checkpoint) async throws(LedgerError) -> Bool {
        guard try await size() >= checkpoint.size else { return false }
        return try await root(size: checkpoint.size) == checkpoint.rootHash
    }

    /// Signs and stores a checkpoint of the current tree, and returns the note. Before signing, the current tree
    /// must extend the latest stored checkpoint (its root at that size is recomputed from the stored nodes), and a
    /// checkpoint for a size is never replaced: the ledger never signs two inconsistent checkpoints.
    ///
    /// The latest checkpoint is read before the size: another node may sign meanwhile, and a size read first could be
    /// smaller than the checkpoint it stores — an honest race, not a rewritten log.
    public func checkpoint(signer: NoteSigner, origin: String) async throws(LedgerError) -> String {
        let latest = try await latestCheckpoint()
        let size = try await self.size()
        let root = try await self.root(size: size)
        if let note = latest {
            guard let previous = try? Checkpoint(body: Checkpoint.body(ofNote: note)) else {
                throw LedgerError(.tampered, "the latest stored checkpoint is malformed")
            }
            guard previous.size <= size, try await self.root(size: previous.size) == previous.rootHash else {
                throw LedgerError(
                    .tampered,
                    "the ledger no longer extends its checkpoint at size \(previous.size): refusing to sign; run `countersign ledger verify`"
                )
            }
        }
        let note: String
        do { note = try signer.sign(Checkpoint(origin: origin, size: size, rootHash: root).body) } catch {
            throw LedgerError(.invalidInput, error.message)
        }
        try await storeCheckpoint(size: size, rootHash: root, note: note)
        return try await latestCheckpoint() ?? note
    }
}

extension LedgerEntry {
    /// Entries from their stored canonical texts; a text that is not an entry means the store was tampered with.
    public static func stored(_ texts: [String]) throws(LedgerError) -> [LedgerEntry] {
        var result: [LedgerEntry] = []
        result.reserveCapacity(texts.count)
        for t in texts {
            do { result.append(try LedgerEntry(canonical: t)) } catch {
                throw LedgerError(.tampered, "a stored entry is not a ledger entry: \(error.message)")
            }
        }
        return result
    }
}
