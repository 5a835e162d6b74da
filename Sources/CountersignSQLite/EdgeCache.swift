internal import CountersignLedger
internal import Synchronization

/// The tree's right edge as this store's last commit left it, so an append need not read it back from the
/// database. It is valid exactly while the log's size is unchanged: entries are append-only (the database refuses
/// UPDATE and DELETE) and `seq` is the primary key, so a log of the same size is the same log, and a log that
/// another process grew is read afresh. Writers hold SQLite's write lock while they use it.
final class EdgeCache: Sendable {
    private let edge = Mutex<MerkleFrontier?>(nil)

    /// The cached edge if it describes a tree of `size` leaves.
    func frontier(size: Int) -> MerkleFrontier? {
        edge.withLock { cached in cached.flatMap { $0.size == size ? $0 : nil } }
    }

    /// Records the edge of a committed transaction.
    func store(_ frontier: MerkleFrontier) { edge.withLock { $0 = frontier } }
}
