public import CountersignControl
public import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a ``Principal`` before any API route runs; a missing, malformed,
/// unknown, expired or revoked token is 401 and nothing runs.
public struct TokenAuthenticator: RouterMiddleware {
    public typealias Context = ServerRequestContext
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw ControlError(.unauthenticated, "a bearer token is required (Authorization: Bearer cst_…)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ControlError(.unauthenticated, "the Authorization header must be 'Bearer <token>'")
        }
        var context = context
        context.principal = try await control.authenticate(secret: String(parts[1]))
        return try await next(request, context)
    }
}
