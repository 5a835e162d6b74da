internal import CountersignControl
public import Hummingbird

/// Leaves a trace of every API action an authenticated caller is refused: a `forbidden` answer becomes an
/// `access.refused` entry naming the identity, the role, what was asked (`POST /api/v1/tokens`) and why
/// (``ControlPlane/recordRefusal(_:of:action:)``, a few a minute per identity). Runs after the token is
/// authenticated, so an unknown token — which names nobody — leaves none.
struct RefusalMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let control: ControlPlane

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do { return try await next(request, context) } catch let error as ControlError {
            if let principal = context.principal {
                await control.recordRefusal(error, of: principal, action: Self.action(request))
            }
            throw error
        }
    }

    /// The method and path asked for, at most 300 characters of path: the path is the caller's to choose.
    static func action(_ request: Request) -> String {
        "\(request.method) \(request.uri.path.prefix(300))"
    }
}
