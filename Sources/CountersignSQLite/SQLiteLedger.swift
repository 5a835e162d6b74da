public import CountersignLedger
public import Foundation
internal import GRDB
internal import Synchronization

/// The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`, so an acknowledged append survives a
/// crash. Entries, tree nodes and checkpoints are append-only *in the database*: triggers refuse UPDATE and
/// DELETE. Appends run in `BEGIN IMMEDIATE` transactions, so writers in several processes are serialized by
/// SQLite and can never leave a gap or fork the log.
///
/// An in-memory mirror of the tree's nodes answers roots and proofs in O(log² n) without touching the disk; it
/// catches up with appends made by other processes before every operation.
public final class SQLiteLedger: Sendable {
    private let pool: DatabasePool
    private let mirror = Mutex(MerkleTree())
    public let path: String

    /// Opens (creating if needed) the ledger at `path`.
    public init(path: String) throws(LedgerError) {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try SQLiteLedger.migrator.migrate(pool)
        } catch {
            throw LedgerError("cannot open ledger database \(path): \(SQLiteLedger.describe(error))")
        }
        try catchUp()
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    /// Ordered, released migrations; never edited once released.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1-ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE entries (
                        seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
                        type TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        canonical TEXT NOT NULL,
                        leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
                    );
                    CREATE TABLE nodes (
                        level INTEGER NOT NULL CHECK (level > 0),
                        idx INTEGER NOT NULL CHECK (idx >= 0),
                        hash BLOB NOT NULL CHECK (length(hash) = 32),
                        PRIMARY KEY (level, idx)
                    );
                    CREATE TABLE checkpoints (
                        size INTEGER PRIMARY KEY NOT NULL,
                        root_hash BLOB NOT NULL CHECK (length(root_hash) = 32),
                        note TEXT NOT NULL
                    );
                    CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
                        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                    CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
                        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                    CREATE TRIGGER nodes_append_only_update BEFORE UPDATE ON nodes
                        BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are append-only'); END;
                    CREATE TRIGGER nodes_append_only_delete BEFORE DELETE ON nodes
                        BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are append-only'); END;
                    CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                    CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
                        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                    """)
        }
        return m
    }()

    // MARK: Mirror

    /// Loads nodes appended since the mirror was last in step (by this or another process).
    private func catchUp() throws(LedgerError) {
        let known = mirror.withLock { $0.levels.map(\.count) }
        do {
            let (leaves, nodes) = try pool.read { db -> ([[UInt8]], [(Int, [[UInt8]])]) in
                let leaves = try Row.fetchAll(
                    db, sql: "SELECT leaf_hash FROM entries WHERE seq >= ? ORDER BY seq", arguments: [known[0]]
                ).map { Array(($0["leaf_hash"] as Data)) }
                var nodes: [(Int, [[UInt8]])] = []
                var level = 1
                while true {
                    let from = level < known.count ? known[level] : 0
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT hash FROM nodes WHERE level = ? AND idx >= ? ORDER BY idx",
                        arguments: [level, from])
                    if rows.isEmpty && level >= known.count { break }
                    nodes.append((level, rows.map { Array(($0["hash"] as Data)) }))
                    level += 1
                }
                return (leaves, nodes)
            }
            guard !leaves.isEmpty else { return }
            try mirror.withLock { tree throws(ProofError) in
                var levels = tree.levels
                levels[0] += leaves
                for (level, hashes) in nodes {
                    while levels.count <= level { levels.append([]) }
                    levels[level] += hashes
                }
                tree = try MerkleTree(storedLevels: levels)
            }
        } catch let error as ProofError {
            throw LedgerError("the stored tree is damaged: \(error.message); run `countersign ledger verify`")
        } catch {
            throw LedgerError("cannot read the ledger: \(SQLiteLedger.describe(error))")
        }
    }

    // MARK: Operations

    /// The number of entries.
    public func size() throws(LedgerError) -> Int {
        try catchUp()
        return mirror.withLock { $0.size }
    }

    /// Appends a batch of entries in one durable transaction and returns them with their sequence numbers.
    /// Either every entry of the batch is written, or none is. The mirror is extended in place while the
    /// transaction runs (no copy of the tree per append) and truncated back if the transaction fails.
    @discardableResult
    public func append(_ drafts: [EntryDraft]) throws(LedgerError) -> [LedgerEntry] {
        guard !drafts.isEmpty else { return [] }
        return try mirror.withLock { tree throws(LedgerError) in
            let before = tree.size
            do {
                return try pool.writeWithoutTransaction { db -> [LedgerEntry] in
                    var written: [LedgerEntry] = []
                    // IMMEDIATE takes the write lock first: no other process can append until this commits.
                    try db.inTransaction(.immediate) {
                        written = try SQLiteLedger.append(drafts, db, &tree)
                        return .commit
                    }
                    return written
                }
            } catch let error as LedgerError {
                tree.truncate(toSize: before)
                throw error
            } catch {
                tree.truncate(toSize: before)
                throw LedgerError("append failed, nothing was written: \(SQLiteLedger.describe(error))")
            }
        }
    }

    private static func append(_ drafts: [EntryDraft], _ db: Database, _ tree: inout MerkleTree) throws -> [LedgerEntry]
    {
        // Catch up with entries other processes committed since the mirror last looked.
        let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entries") ?? 0
        if tree.size > size {
            throw LedgerError("the ledger shrank from \(tree.size) to \(size) entries: it has been tampered with")
        }
        if tree.size < size {
            for row in try Row.fetchAll(
                db, sql: "SELECT leaf_hash FROM entries WHERE seq >= ? ORDER BY seq", arguments: [tree.size])
            {
                tree.append(leafHash: Array(row["leaf_hash"] as Data))
            }
        }
        let before = tree.levels.map(\.count)
        var written: [LedgerEntry] = []
        written.reserveCapacity(drafts.count)
        let insertEntry = try db.cachedStatement(
            sql: "INSERT INTO entries (seq, type, at, actor, canonical, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)")
        for draft in drafts {
            let entry = LedgerEntry(seq: Int64(tree.size), draft: draft)
            let canonical = entry.json.canonicalString
            let leaf = MerkleTree.leafHash(Array(canonical.utf8))
            try insertEntry.execute(arguments: [
                entry.seq, entry.type.rawValue, LedgerEntry.formatTime(entry.at), entry.actor, canonical, Data(leaf),
            ])
            tree.append(leafHash: leaf)
            written.append(entry)
        }
        let insertNode = try db.cachedStatement(sql: "INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)")
        for level in 1..<tree.levels.count {
            let start = level < before.count ? before[level] : 0
            for idx in start..<tree.levels[level].count {
                try insertNode.execute(arguments: [level, idx, Data(tree.levels[level][idx])])
            }
        }
        return written
    }

    /// Entries `from ..< from + count`.
    public func entries(from: Int, count: Int) throws(LedgerError) -> [LedgerEntry] {
        do {
            let texts = try pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT canonical FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?",
                    arguments: [from, count])
            }
            var result: [LedgerEntry] = []
            for t in texts {
                do { result.append(try LedgerEntry(canonical: t)) } catch { throw LedgerError("\(error)") }
            }
            return result
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError("cannot read entries: \(SQLiteLedger.describe(error))")
        }
    }

    /// The root of the first `size` entries (all by default).
    public func root(size: Int? = nil) throws(LedgerError) -> [UInt8] {
        try catchUp()
        return try mirror.withLock { tree throws(LedgerError) in
            let n = size ?? tree.size
            guard n <= tree.size else { throw LedgerError("size \(n) is beyond the ledger's \(tree.size) entries") }
            return tree.root(size: n)
        }
    }

    /// An inclusion proof for entry `seq` in the tree of `size` entries.
    public func inclusionProof(seq: Int, size: Int? = nil) throws(LedgerError) -> InclusionProof {
        try catchUp()
        return try mirror.withLock { tree throws(LedgerError) in
            let n = size ?? tree.size
            do {
                let path = try tree.inclusionProof(index: seq, size: n)
                return InclusionProof(
                    index: seq, treeSize: n, leafHash: tree.leafHash(at: seq), rootHash: tree.root(size: n), proof: path
                )
            } catch {
                throw LedgerError("\(error)")
            }
        }
    }

    /// A consistency proof from the tree of `from` entries to the tree of `to` entries.
    public func consistencyProof(from: Int, to: Int) throws(LedgerError) -> ConsistencyProof {
        try catchUp()
        return try mirror.withLock { tree throws(LedgerError) in
            do {
                let path = try tree.consistencyProof(from: from, to: to)
                return ConsistencyProof(
                    firstSize: from, secondSize: to, firstRoot: tree.root(size: from), secondRoot: tree.root(size: to),
                    proof: path)
            } catch {
                throw LedgerError("\(error)")
            }
        }
    }

    /// Signs and stores a checkpoint of the current tree. The size and root are persisted first and a checkpoint
    /// for a size is never replaced, so the ledger cannot sign two inconsistent checkpoints.
    public func checkpoint(signer: NoteSigner, origin: String) throws(LedgerError) -> String {
        try catchUp()
        let (size, root) = mirror.withLock { ($0.size, $0.root()) }
        let body = Checkpoint(origin: origin, size: size, rootHash: root).body
        let note: String
        do { note = try signer.sign(body) } catch { throw LedgerError("\(error)") }
        do {
            return try pool.write { db in
                if let existing = try Row.fetchOne(
                    db, sql: "SELECT root_hash, note FROM checkpoints WHERE size = ?", arguments: [size])
                {
                    guard Array(existing["root_hash"] as Data) == root else {
                        throw LedgerError(
                            "a checkpoint for size \(size) with a different root exists: the ledger was rewritten")
                    }
                    return existing["note"] as String
                }
                try db.execute(
                    sql: "INSERT INTO checkpoints (size, root_hash, note) VALUES (?, ?, ?)",
                    arguments: [size, Data(root), note])
                return note
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError("cannot store the checkpoint: \(SQLiteLedger.describe(error))")
        }
    }

    /// The most recent checkpoint note, if any.
    public func latestCheckpoint() throws(LedgerError) -> String? {
        do {
            return try pool.read { db in
                try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
            }
        } catch {
            throw LedgerError("cannot read checkpoints: \(SQLiteLedger.describe(error))")
        }
    }

    /// Recomputes every hash from the stored entries' canonical bytes and checks every stored node and the latest
    /// checkpoint. Reads straight from the database (not the mirror). Entries are hashed, not parsed: any change to
    /// an entry's bytes changes its leaf hash, and a matching change to the stored hashes breaks the nodes above it
    /// and the signed checkpoint. `progress` is called with (done, total).
    public func verify(verifier: NoteVerifier? = nil, progress: (Int, Int) -> Void = { _, _ in }) throws(LedgerError)
        -> VerificationReport
    {
        do {
            return try pool.read { db -> VerificationReport in
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entries") ?? 0
                var tree = MerkleTree()
                let cursor = try Row.fetchCursor(db, sql: "SELECT seq, canonical, leaf_hash FROM entries ORDER BY seq")
                var expected: Int64 = 0
                while let row = try cursor.next() {
                    let seq = row["seq"] as Int64
                    let canonical = row["canonical"] as String
                    guard seq == expected else {
                        return .bad(seq: expected, "entry \(expected) is missing (next stored entry is \(seq))")
                    }
                    let leaf = MerkleTree.leafHash(Array(canonical.utf8))
                    guard Array(row["leaf_hash"] as Data) == leaf else {
                        return .bad(
                            seq: seq, "entry \(seq) does not match its stored leaf hash: its content was changed")
                    }
                    tree.append(leafHash: leaf)
                    expected += 1
                    if expected % 10_000 == 0 { progress(Int(expected), total) }
                }
                progress(Int(expected), total)
                for row in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM nodes ORDER BY level, idx") {
                    let level = row["level"] as Int
                    let idx = row["idx"] as Int
                    guard level < tree.levels.count, idx < tree.levels[level].count else {
                        return .bad(seq: nil, "tree node (\(level), \(idx)) has no entries under it")
                    }
                    guard tree.levels[level][idx] == Array(row["hash"] as Data) else {
                        return .bad(
                            seq: Int64(idx << level),
                            "tree node (\(level), \(idx)) over entries \(idx << level)... was changed")
                    }
                }
                var checkedCheckpoint: Int? = nil
                if let verifier,
                    let note = try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
                {
                    let body: String
                    do { body = try verifier.verify(note) } catch {
                        return .bad(seq: nil, "latest checkpoint: \(error)")
                    }
                    let checkpoint: Checkpoint
                    do { checkpoint = try Checkpoint(body: body) } catch {
                        return .bad(seq: nil, "latest checkpoint: \(error)")
                    }
                    guard checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.rootHash else {
                        return .bad(
                            seq: nil, "the entries no longer match the signed checkpoint at size \(checkpoint.size)")
                    }
                    checkedCheckpoint = checkpoint.size
                }
                return VerificationReport(
                    entries: tree.size, rootHash: tree.root(), checkpointSize: checkedCheckpoint, problem: nil)
            }
        } catch {
            throw LedgerError("cannot read the ledger: \(SQLiteLedger.describe(error))")
        }
    }
}

/// The outcome of `verify`: either everything matches, or the first problem found.
public struct VerificationReport: Sendable {
    public let entries: Int
    public let rootHash: [UInt8]
    /// The size of the signed checkpoint that was checked, if any.
    public let checkpointSize: Int?
    /// The first problem, naming the first bad entry when there is one.
    public let problem: (seq: Int64?, message: String)?

    static func bad(seq: Int64?, _ message: String) -> VerificationReport {
        VerificationReport(entries: 0, rootHash: [], checkpointSize: nil, problem: (seq, message))
    }

    public var isValid: Bool { problem == nil }
}

/// A ledger operation that failed.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
