internal import CountersignLedger
public import Hummingbird

/// Gives each request one ``StoreBudget``: the store deadline is what a request may wait on the database in all,
/// so with the database gone a request answers 503 within it — not after each of its store calls has waited the
/// deadline in turn.
public struct StoreBudgetMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Duration

    public init(limit: Duration) { self.limit = limit }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await StoreBudget.run(within: limit) { try await next(request, context) }
    }
}
