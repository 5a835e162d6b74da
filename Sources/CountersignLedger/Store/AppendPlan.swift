internal import CountersignEncoding

/// What one batch writes: its entries with sequence numbers and canonical bytes, the tree nodes they complete,
/// and their projection statements. Built purely from the tree's right edge, so both stores write exactly the
/// same rows (each in the way its database inserts fastest).
public struct AppendPlan: Sendable {
    /// One row of the entries table.
    public struct EntryRow: Sendable {
        public let entry: LedgerEntry
        /// The RFC 8785 bytes that are hashed and stored.
        public let canonicalBytes: [UInt8]
        public let leafHash: [UInt8]
        /// `RFC3339.string(entry.at, fraction: .milliseconds)`, the sortable copy `entries(between:and:)` filters on.
        public let at: String

        /// The canonical bytes as text.
        public var canonical: String { String(decoding: canonicalBytes, as: UTF8.self) }
    }

    public let rows: [EntryRow]
    /// The stored interior nodes (`StoredNodes`) the batch completes, in completion order.
    public let nodes: [(node: MerkleNode, hash: [UInt8])]
    /// The projection tables' updates, in entry order.
    public let projections: [SQLStatement]

    public var entries: [LedgerEntry] { rows.map(\.entry) }

    /// Plans `drafts` after the tree `frontier` describes, and advances `frontier` past them.
    public init(_ drafts: [EntryDraft], after frontier: inout MerkleFrontier) throws(LedgerError) {
        var rows: [EntryRow] = []
        var nodes: [(node: MerkleNode, hash: [UInt8])] = []
        var projections: [SQLStatement] = []
        rows.reserveCapacity(drafts.count)
        for draft in drafts {
            let entry = LedgerEntry(seq: Int64(frontier.size), draft: draft)
            let bytes = entry.json.canonicalBytes
            let leaf = MerkleTree.leafHash(bytes)
            rows.append(
                EntryRow(
                    entry: entry, canonicalBytes: bytes, leafHash: leaf,
                    at: RFC3339.string(entry.at, fraction: .milliseconds)))
            frontier.append(leafHash: leaf, completing: &nodes, from: StoredNodes.lowestInteriorLevel)
            if Projection.projects(entry.type) { projections += try Projection.statements(for: entry) }
        }
        self.rows = rows
        self.nodes = nodes
        self.projections = projections
    }
}
