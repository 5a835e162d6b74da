internal import CountersignLedger
internal import Dispatch
internal import Synchronization

/// A few raw read-only connections (``SQLiteReader``), lent one per read, so a long read (a verify, a big proof)
/// never holds up the request path's lookups behind one connection's lock. A read that finds every connection
/// lent waits by suspending, never by blocking a thread of the cooperative pool.
///
/// Short reads — the server's indexed lookups and proofs, microseconds each — run on the caller's thread: a hop to
/// another thread would cost more than the read. Long ones (``offPool(_:)``: verify streams the whole log) run on
/// a thread of their own.
final class SQLiteReaderPool: Sendable {
    private struct State {
        var idle: [SQLiteReader] = []
        /// Connections opened so far: one is opened only when a read finds none idle, so a store that is read by
        /// one task at a time holds one file handle, not four.
        var opened = 0
        var waiting: [CheckedContinuation<SQLiteReader, Never>] = []
    }
    private let state = Mutex(State())
    private let path: String
    private let cache = SQLiteReader.NodeCache()
    /// Where long reads run: a serial queue per pool would queue two verifies behind each other, so it is
    /// concurrent; the pool's size bounds how many run at once.
    private static let longReads = DispatchQueue(label: "countersign.sqlite.long-reads", attributes: .concurrent)

    /// At most four connections: the server's concurrent requests on a small machine, plus a verify or an export
    /// beside them. Each is a prepared-statement cache and a file handle; the upper Merkle nodes are cached once,
    /// shared.
    static let size = 4

    /// Opens the first connection, so a path that cannot be read fails here.
    init(path: String) throws(LedgerError) {
        self.path = path
        let first = try SQLiteReader(path: path, cache: cache)
        state.withLock {
            $0.idle.append(first)
            $0.opened = 1
        }
    }

    /// Runs `body` with a connection of its own, on the calling thread.
    func read<T>(_ body: (SQLiteReader) throws(LedgerError) -> T) async throws(LedgerError) -> T {
        let reader = try await acquire()
        defer { release(reader) }
        reader.waitNoLongerThan(StoreBudget.timeLeft)
        return try body(reader)
    }

    /// Runs `body` with a connection of its own on a thread outside the cooperative pool, for reads that take
    /// seconds.
    func offPool<T: Sendable>(_ body: @escaping @Sendable (SQLiteReader) throws(LedgerError) -> T)
        async throws(LedgerError) -> T
    {
        let reader = try await acquire()
        defer { release(reader) }
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, LedgerError>, Never>) in
            Self.longReads.async {
                do throws(LedgerError) { done.resume(returning: .success(try body(reader))) } catch {
                    done.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// An idle connection, a new one while fewer than ``size`` are open, or the next one released.
    private func acquire() async throws(LedgerError) -> SQLiteReader {
        enum Next {
            case reader(SQLiteReader)
            case open
            case wait
        }
        let next = state.withLock { state -> Next in
            if let reader = state.idle.popLast() { return .reader(reader) }
            guard state.opened < Self.size else { return .wait }
            state.opened += 1
            return .open
        }
        switch next {
        case .reader(let reader): return reader
        case .open:
            do { return try SQLiteReader(path: path, cache: cache) } catch {
                state.withLock { $0.opened -= 1 }
                throw error
            }
        case .wait:
            return await withCheckedContinuation { (waiter: CheckedContinuation<SQLiteReader, Never>) in
                let reader = state.withLock { state -> SQLiteReader? in
                    if let reader = state.idle.popLast() { return reader }
                    state.waiting.append(waiter)
                    return nil
                }
                if let reader { waiter.resume(returning: reader) }
            }
        }
    }

    private func release(_ reader: SQLiteReader) {
        let waiter = state.withLock { state -> CheckedContinuation<SQLiteReader, Never>? in
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }
            state.idle.append(reader)
            return nil
        }
        waiter?.resume(returning: reader)
    }
}
