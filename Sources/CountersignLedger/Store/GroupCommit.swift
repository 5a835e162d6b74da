/// Group commit: appends that arrive while a transaction is in flight wait and are then written together in the
/// next one, so concurrent writers share one fsync instead of queueing for one each. Each batch stays atomic on
/// its own (stores wrap each in a savepoint), and every caller gets exactly its own entries back.
///
/// The first caller leads: it commits its batch with whatever is waiting, answers the waiters, and hands the lead
/// to the next waiter, so no caller keeps committing for others forever.
public actor GroupCommit {
    /// Writes batches in one transaction, in order; one result per batch.
    public typealias Commit = @Sendable ([[EntryDraft]]) async -> [Result<[LedgerEntry], LedgerError>]

    private enum Turn {
        case done(Result<[LedgerEntry], LedgerError>)
        case lead
    }

    private let commit: Commit
    private let deadline: Duration
    private var leading = false
    private var waiting: [(batch: [EntryDraft], turn: CheckedContinuation<Turn, Never>)] = []

    /// A commit that has not returned within `deadline` fails every batch in it with `.timedOut` and hands the lead
    /// on: without it, one transaction stuck on a lost database connection would hold the lead — and every later
    /// append — until the process restarts.
    public init(deadline: Duration = .seconds(5), commit: @escaping Commit) {
        self.commit = commit
        self.deadline = deadline
    }

    /// Appends one batch, together with any that are waiting.
    public func append(_ batch: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry] {
        if leading {
            let turn = await withCheckedContinuation { waiting.append((batch, $0)) }
            if case .done(let result) = turn { return try result.get() }
        }
        leading = true
        let followers = waiting
        waiting = []
        let batches = [batch] + followers.map(\.batch)
        let (commit, deadline) = (self.commit, self.deadline)
        let results: [Result<[LedgerEntry], LedgerError>]
        do {
            results = try await withDeadline(
                deadline,
                onTimeout: {
                    LedgerError(
                        .timedOut,
                        "the database did not commit within \(deadline): the append was not acknowledged and may still commit"
                    )
                }
            ) { () async throws(LedgerError) in await commit(batches) }
        } catch {
            results = batches.map { _ in .failure(error) }
        }
        for (follower, result) in zip(followers, results.dropFirst()) { follower.turn.resume(returning: .done(result)) }
        if waiting.isEmpty {
            leading = false
        } else {
            waiting.removeFirst().turn.resume(returning: .lead)
        }
        return try results[0].get()
    }
}
