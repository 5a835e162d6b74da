/// The time one request may spend waiting on the database, across all its store calls. ``DeadlineStore`` bounds
/// each call by its limit, but a request makes several (authentication, evidence, the append, a second look): with
/// a dead database each would wait its full limit, and a request given a 2 s deadline answered after 10 s. Within
/// ``run(within:_:)`` every call gets what is left of the budget, and a call that finds none left fails at once.
public enum StoreBudget {
    @TaskLocal static var deadline: ContinuousClock.Instant?

    /// Runs `body` with `limit` to spend on the database in all.
    public static func run<T>(within limit: Duration, _ body: () async throws -> T) async rethrows -> T {
        try await $deadline.withValue(.now + limit) { try await body() }
    }

    /// The time left before the current call's deadline (its own limit or the request's budget, the sooner), for a
    /// store that waits synchronously and must stop waiting by then; nil outside any deadline.
    public static var timeLeft: Duration? { deadline.map { ContinuousClock.now.duration(to: $0) } }

    /// What is left for a call whose own limit is `limit`: the smaller of the two; nil when the budget is spent.
    static func remaining(_ limit: Duration) -> Duration? {
        guard let deadline else { return limit }
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return nil }
        return min(limit, left)
    }
}
