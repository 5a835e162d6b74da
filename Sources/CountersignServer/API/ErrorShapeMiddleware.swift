internal import CountersignControl
public import Hummingbird
internal import Logging
internal import NIOCore

/// Gives every failure the API's one error shape: Hummingbird's own errors (unknown route, wrong method) and
/// anything unexpected become a ``ControlError``, so clients parse one body everywhere. Unexpected errors are
/// logged and answered 500 without internals.
public struct ErrorShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes = RouteMethods(openAPI: RouteMethods.document)

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ControlError {
            if error.code == .internal || error.code == .unavailable {
                context.logger.error(
                    "\(error.code): \(error.message)",
                    metadata: ["raised": "\(error.file):\(error.line)", "path": "\(request.uri.path)"])
            }
            throw error
        } catch let error as HTTPError {
            if error.status.code == 404, let allowed = routes.allowed(for: request.uri.path),
                !allowed.contains(request.method.rawValue)
            {
                throw ControlError(
                    .methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)",
                    details: ["allow": allowed.joined(separator: ", ")])
            }
            let code: ControlError.Code =
                switch error.status.code {
                case 400: .badRequest
                case 401: .unauthenticated
                case 403: .forbidden
                case 404: .notFound
                case 405: .methodNotAllowed
                case 413: .payloadTooLarge
                default: .internal
                }
            let message =
                error.status.code == 404
                ? "no route for \(request.method) \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
            throw ControlError(code, message)
        } catch is NIOTooManyBytesError {
            throw ControlError(.payloadTooLarge, "the request body is too large")
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw ControlError(.internal, "internal error")
        }
    }
}
