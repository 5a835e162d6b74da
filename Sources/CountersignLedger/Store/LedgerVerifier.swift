internal import CountersignEncoding
internal import Crypto
internal import Dispatch
internal import Foundation
internal import Synchronization

/// Recomputes a ledger from its stored rows, in order, and reports the first mismatch. Stores stream their rows
/// into it, so every backend verifies the same way.
///
/// Entries are hashed, not parsed: any change to an entry's bytes changes its leaf hash, and a matching change to
/// the stored hashes breaks the nodes above it and the signed checkpoint. The recomputed tree is kept flat (32
/// bytes a node, one buffer a level) so a million entries cost two million hashes, not two million allocations.
/// Entries are buffered in aligned blocks of `blockSize`; each full block (a complete subtree) is hashed on a
/// worker thread while the store reads on, up to `maxInFlight` blocks ahead, and merged in order. Hashing is most
/// of a verify's work (a leaf and a node hash per entry), so it runs on every core there is, and the reader waits
/// only when all the workers are behind — never for one worker that the scheduler put aside.
public struct LedgerVerifier: Sendable {
    /// `levels[l]` holds the level's node hashes back to back.
    private var levels: [[UInt8]] = [[]]
    /// Entries fed so far, including buffered and in-flight ones.
    public private(set) var count = 0
    public private(set) var problem: (seq: Int64?, message: String)?
    private var checkedCheckpoint: Int?
    private var block = EntryBlock()
    /// Full blocks being hashed in the background, oldest first.
    private var inFlight: [HashJob] = []
    /// Emptied blocks whose buffers the reader fills again.
    private var spares: [EntryBlock] = []

    /// A power of two, so each full block is a complete subtree.
    static let blockSize = 1 << 13
    /// Blocks hashed at once: enough to keep two cores busy beside the reader when the machine is shared, at about
    /// 2 MB of entry bytes each.
    static let maxInFlight = 4

    /// `expectedEntries` (a hint; any count verifies) sizes the tree's buffers up front, so a large verify does not
    /// spend its time regrowing and faulting in copies of them.
    public init(expectedEntries: Int = 0) {
        var width = max(0, expectedEntries)
        while width > 0 {
            levels[levels.count - 1].reserveCapacity(width * 32)
            width /= 2
            if width > 0 { levels.append([]) }
        }
    }

    private func nodeCount(level: Int) -> Int { level < levels.count ? levels[level].count / 32 : 0 }

    private func hash(_ level: Int, _ index: Int) -> [UInt8] { Array(levels[level][index * 32..<(index + 1) * 32]) }

    /// Feeds the next stored entry's canonical bytes and the columns the store indexes it by. Returns false once a
    /// problem is found.
    ///
    /// The columns (`type`, `at`, `actor`) are what every query filters on — the deploy record, the audit console,
    /// the metrics — and they sit outside the hashed bytes, so a hash check alone would not notice them rewritten.
    /// They are compared with the entry's own bytes instead of parsing it: the canonical form sorts its members, so
    /// an entry is exactly `{"actor":A,"at":T,"payload":…,"seq":N,"type":Y}`, and its head and tail are known from
    /// the columns.
    public mutating func entry(
        seq: Int64, canonical: UnsafeRawBufferPointer, storedLeafHash: UnsafeRawBufferPointer,
        columns: (type: UnsafeRawBufferPointer, at: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer)
    ) -> Bool {
        guard problem == nil else { return false }
        guard seq == Int64(count) else {
            flush()
            if problem == nil { problem = (Int64(count), "entry \(count) is missing (next stored entry is \(seq))") }
            return false
        }
        return accept(seq: seq, canonical: canonical, storedLeafHash: storedLeafHash, columns: columns)
    }

    /// The first indexed column that differs from the entry's bytes, or nil.
    static func mismatchedColumn(
        _ seq: Int64, _ canonical: UnsafeRawBufferPointer,
        _ columns: (type: UnsafeRawBufferPointer, at: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer)
    ) -> String? {
        var head = CanonicalMatcher(canonical, from: 0)
        guard head.literal(#"{"actor":"#), head.string(columns.actor) else { return "actor" }
        guard head.literal(#","at":"#), head.string(columns.at), head.literal(#","payload":"#) else { return "time" }
        // The tail, `,"seq":N,"type":"Y"}`, from where its length puts it.
        let tailLength = 7 + CanonicalMatcher.digitCount(seq) + 8 + CanonicalMatcher.escapedLength(columns.type) + 1
        guard canonical.count - tailLength >= head.offset else { return "type" }
        var tail = CanonicalMatcher(canonical, from: canonical.count - tailLength)
        guard tail.literal(#","seq":"#), tail.integer(seq), tail.literal(#","type":"#), tail.string(columns.type),
            tail.literal("}"), tail.offset == canonical.count
        else { return "type" }
        return nil
    }

    private mutating func accept(
        seq: Int64, canonical: UnsafeRawBufferPointer, storedLeafHash: UnsafeRawBufferPointer,
        columns: (type: UnsafeRawBufferPointer, at: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer)
    ) -> Bool {
        guard storedLeafHash.count == 32 else {
            flush()
            if problem == nil {
                problem = (seq, "entry \(seq) has a stored leaf hash of \(storedLeafHash.count) bytes")
            }
            return false
        }
        block.add(canonical, storedLeafHash, columns: columns)
        count += 1
        if block.count == LedgerVerifier.blockSize, (count - block.count) % LedgerVerifier.blockSize == 0 {
            // Hand the block to a worker and read on into a spare one; wait only when every worker is busy.
            if inFlight.count == LedgerVerifier.maxInFlight { merge() }
            let first = count - block.count
            let worker = HashJob.workers[(first / LedgerVerifier.blockSize) % HashJob.workers.count]
            inFlight.append(HashJob(block, first: first, on: worker))
            block = spares.popLast() ?? EntryBlock()
        }
        return problem == nil
    }

    /// Waits for the oldest block in flight, adds its subtree to the tree, and keeps its buffers for reuse.
    private mutating func merge() {
        guard !inFlight.isEmpty else { return }
        let job = inFlight.removeFirst()
        var (hashed, spare) = job.wait()
        spare.removeAll()
        spares.append(spare)
        guard problem == nil else { return }
        if let bad = hashed.firstMismatch {
            problem = LedgerVerifier.mismatch(Int64(job.first + bad.index), bad.column)
            return
        }
        for (level, bytes) in hashed.levels.enumerated() {
            if levels.count == level { levels.append([]) }
            levels[level] += bytes
        }
        carry(from: hashed.levels.count - 1)
        hashed.levels = []
    }

    /// Finishes the blocks in flight, then hashes the partial block (the log's tail) in order.
    private mutating func flush() {
        while !inFlight.isEmpty { merge() }
        guard block.count > 0, problem == nil else { return }
        let first = count - block.count
        let hashed = block.hash(depth: 0, first: first)
        defer { block.removeAll() }
        if let bad = hashed.firstMismatch {
            problem = LedgerVerifier.mismatch(Int64(first + bad.index), bad.column)
            return
        }
        for i in 0..<block.count { append(level: 0, hashed.levels[0][i * 32..<(i + 1) * 32]) }
    }

    /// The problem of an entry whose bytes (no column) or indexed column differs from what is stored.
    static func mismatch(_ seq: Int64, _ column: String?) -> (seq: Int64?, message: String) {
        guard let column else {
            return (seq, "entry \(seq) does not match its stored leaf hash: its content was changed")
        }
        return (seq, "entry \(seq)'s stored \(column) does not match the entry: the index was changed")
    }

    private mutating func append(level: Int, _ hash: ArraySlice<UInt8>) {
        if levels.count == level { levels.append([]) }
        levels[level] += hash
        carry(from: level)
    }

    /// Hashes every pair at `level` and above that is complete but has no parent yet.
    private mutating func carry(from level: Int) {
        var level = level
        while nodeCount(level: level) / 2 > nodeCount(level: level + 1) {
            if levels.count == level + 1 { levels.append([]) }
            let pair = nodeCount(level: level + 1) * 64
            let parent = levels[level].withUnsafeBytes { bytes in
                MerkleTree.nodeHash(pair: UnsafeRawBufferPointer(rebasing: bytes[pair..<(pair + 64)]))
            }
            parent.withUnsafeBytes { levels[level + 1].append(contentsOf: $0) }
            level += 1
        }
    }

    /// Feeds a stored interior node (after all entries).
    public mutating func node(level: Int, index: Int, hash: UnsafeRawBufferPointer) -> Bool {
        if block.count > 0 || !inFlight.isEmpty { flush() }
        guard problem == nil else { return false }
        guard level >= StoredNodes.lowestInteriorLevel, index >= 0, index < nodeCount(level: level) else {
            problem = (nil, "tree node (\(level), \(index)) has no entries under it")
            return false
        }
        let matches =
            hash.count == 32
            && levels[level].withUnsafeBytes { computed in
                MerkleTree.equalHashes(
                    UnsafeRawBufferPointer(rebasing: computed[(index * 32)..<(index * 32 + 32)]), hash)
            }
        guard matches else {
            problem = (
                Int64(index << level), "tree node (\(level), \(index)) over entries \(index << level)... was changed"
            )
            return false
        }
        return true
    }

    /// Checks the stored node count: every complete subtree `StoredNodes` keeps must be stored.
    public mutating func nodeCount(_ stored: Int) {
        flush()
        guard problem == nil else { return }
        let expected = (1..<levels.count).filter { $0 >= StoredNodes.lowestInteriorLevel }.reduce(0) {
            $0 + nodeCount(level: $1)
        }
        if stored != expected { problem = (nil, "the store holds \(stored) tree nodes; \(expected) were expected") }
    }

    private func root(size: Int) -> [UInt8] { MerkleTree.root(size: size) { hash($0.level, $0.index) } }

    /// Checks the latest signed checkpoint against the recomputed tree.
    public mutating func checkpoint(note: String, verifier: NoteVerifier) {
        flush()
        guard problem == nil else { return }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try verifier.verify(note)) } catch {
            problem = (nil, "latest checkpoint: \(error)")
            return
        }
        guard checkpoint.size <= count, root(size: checkpoint.size) == checkpoint.rootHash else {
            problem = (nil, "the entries no longer match the signed checkpoint at size \(checkpoint.size)")
            return
        }
        checkedCheckpoint = checkpoint.size
    }

    /// Hashes what is still buffered; call after the last entry, before reading `problem`.
    public mutating func finishEntries() { flush() }

    /// Whether the next ``entry(seq:canonical:storedLeafHash:columns:)`` may wait for a worker: every worker is
    /// busy and the next entry fills the block. A store reading in an async context (PostgreSQL's row stream)
    /// calls ``settle()`` first, so the wait suspends instead of blocking a thread of the cooperative pool; a store
    /// reading on a thread of its own (SQLite's verify, off the pool) just calls `entry`.
    public var mayWait: Bool {
        inFlight.count == LedgerVerifier.maxInFlight && block.count == LedgerVerifier.blockSize - 1
    }

    /// Suspends until the oldest block in flight is hashed, then merges it.
    public mutating func settle() async {
        guard let oldest = inFlight.first else { return }
        await oldest.finished()
        merge()
    }

    /// ``finishEntries()`` for async callers: every block in flight is awaited, not waited for.
    public mutating func settleEntries() async {
        while !inFlight.isEmpty { await settle() }
        flush()
    }

    /// The report for everything fed so far.
    public mutating func report() -> VerificationReport {
        flush()
        if let problem { return .bad(seq: problem.seq, problem.message) }
        return VerificationReport(
            entries: count, rootHash: root(size: count), checkpointSize: checkedCheckpoint, problem: nil)
    }
}

/// Matches canonical entry bytes against expected text without allocating: a literal, or a JSON string written
/// with RFC 8785's escapes from its raw UTF-8.
struct CanonicalMatcher {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, from offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let matches = memcmp(bytes.baseAddress! + offset, text.utf8Start, count) == 0
        offset += count
        return matches
    }

    /// Whether `raw` is written as itself inside a JSON string (no quote, backslash or control character).
    fileprivate static func needsNoEscape(_ raw: UnsafeRawBufferPointer) -> Bool {
        for c in raw where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return false }
        return true
    }

    private mutating func byte(_ b: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == b else { return false }
        offset += 1
        return true
    }

    /// A non-negative integer's decimal digits.
    mutating func integer(_ value: Int64) -> Bool {
        var divisor: Int64 = 1
        for _ in 1..<CanonicalMatcher.digitCount(value) { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            guard byte(UInt8(truncatingIfNeeded: 0x30 + rest / divisor)) else { return false }
            rest %= divisor
            divisor /= 10
        }
        return true
    }

    static func digitCount(_ value: Int64) -> Int {
        var n = 1
        var v = value
        while v >= 10 {
            v /= 10
            n += 1
        }
        return n
    }

    /// The length of `raw` written as a canonical JSON string, quotes included.
    static func escapedLength(_ raw: UnsafeRawBufferPointer) -> Int {
        needsNoEscape(raw) ? raw.count + 2 : written(raw).count
    }

    /// `"…"` with the raw bytes escaped as the canonical writer escapes them.
    mutating func string(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard byte(UInt8(ascii: "\"")) else { return false }
        // The common case, a name or a time: the bytes as they are.
        if CanonicalMatcher.needsNoEscape(raw) {
            guard offset + raw.count < bytes.count,
                raw.isEmpty || memcmp(bytes.baseAddress! + offset, raw.baseAddress!, raw.count) == 0
            else { return false }
            offset += raw.count
            return byte(UInt8(ascii: "\""))
        }
        // A quote, backslash or control character: as the one canonical writer escapes it.
        let expected = CanonicalMatcher.written(raw)
        guard offset - 1 + expected.count <= bytes.count,
            memcmp(bytes.baseAddress! + offset - 1, expected, expected.count) == 0
        else { return false }
        offset += expected.count - 1
        return true
    }

    /// `raw` written as a canonical JSON string, quotes included.
    static func written(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        JSONValue.string(String(decoding: raw, as: UTF8.self)).canonicalBytes
    }
}

/// One full block hashed on a worker queue; `wait()` returns its subtree. An async reader awaits ``finished()``
/// first, so `wait()` then returns at once; only a reader on a thread of its own blocks in `wait()`.
private final class HashJob: @unchecked Sendable {
    let first: Int
    private let done = DispatchSemaphore(value: 0)
    /// Whether the worker is done, and an async reader waiting for it.
    private let finish = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    /// Written once by the worker before it signals, read only after `wait()`.
    private var result: EntryBlock.Hashed?
    /// Moved out by `wait()`, so the caller holds the only reference and can reuse its buffers.
    private var block: EntryBlock?

    /// The hashing threads: serial queues, which libdispatch gives a thread of their own whenever they have work
    /// (the global queue ran every block on one thread, beside a reader it could not count as busy).
    static let workers = (0..<2).map { DispatchQueue(label: "countersign.ledger.verify.\($0)") }

    init(_ block: EntryBlock, first: Int, on worker: DispatchQueue) {
        self.first = first
        self.block = block
        let depth = LedgerVerifier.blockSize.trailingZeroBitCount
        worker.async {
            self.result = self.block?.hash(depth: depth, first: first)
            self.done.signal()
            let waiter = self.finish.withLock { state in
                state.done = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// Returns once the worker is done, suspending meanwhile.
    func finished() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let ready = finish.withLock { state in
                if state.done { return true }
                state.waiter = waiter
                return false
            }
            if ready { waiter.resume() }
        }
    }

    /// The subtree, and the block.
    func wait() -> (EntryBlock.Hashed, EntryBlock) {
        done.wait()
        defer { block = nil }
        return (result!, block!)
    }
}
