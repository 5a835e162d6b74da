public import Tracing

/// Runs `body` in a span named `name` (a child of the current one: the request's, the decision's), recording the
/// error and the error status when it throws, and keeping the body's typed error — which `withSpan`, declared
/// `rethrows`, would widen to `any Error`. Without a tracer bootstrapped (no collector configured) the span is a
/// no-op and costs a task-local read.
public func traced<T, Failure: Error>(
    _ name: String, kind: SpanKind = .internal, _ body: (any Span) async throws(Failure) -> T
) async throws(Failure) -> T {
    let outcome: Result<T, Failure> = await withSpan(name, ofKind: kind) { span in
        do throws(Failure) {
            return .success(try await body(span))
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            return .failure(error)
        }
    }
    return try outcome.get()
}
