internal import CountersignControl
internal import Hummingbird

/// Every request under `/ui` that is not a GET or HEAD — every form post: sign-in, sign-out, reviews — must come
/// from the server's own origin, the configured public URL's (``PublicURL``): its `Origin` header, or when a
/// browser sent none, its `Referer`'s origin, must be exactly that. A request with neither, with `Origin: null`
/// (a sandboxed frame, a `data:` page, some redirects), with two of either, or from anywhere else is refused with
/// a 403 page before anything runs. This is the first line against cross-site form posts; the CSRF tokens are the
/// second.
struct FormOriginCheck: RouterMiddleware {
    typealias Context = ServerRequestContext
    let pages: WebPages

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method != .get, request.method != .head,
            let refusal = Self.refusal(request, accepted: pages.acceptedOrigins)
        else { return try await next(request, context) }
        return pages.errorPage(ControlError(.forbidden, refusal), session: nil, started: .now)
    }

    /// Why `request` is not from an accepted origin, or `nil` when it is.
    static func refusal(_ request: Request, accepted: [String]) -> String? {
        let expected =
            accepted.isEmpty
            ? "this server has no public URL configured (--public-url), so it accepts no forms"
            : "forms are accepted only from \(accepted.joined(separator: ", "))"
        let origins = request.headers[values: .origin]
        let referers = request.headers[values: .referer]
        let claimed: String
        if !origins.isEmpty {
            guard origins.count == 1 else { return "the form came with more than one Origin; \(expected)" }
            claimed = origins[0]
        } else if !referers.isEmpty {
            guard referers.count == 1, let origin = PublicURL.origin(ofReferer: referers[0]) else {
                return "the form's Referer is not a single http(s) URL; \(expected)"
            }
            claimed = origin
        } else {
            return
                "the form came without an Origin or Referer header, so where it came from cannot be told; \(expected)"
        }
        // Byte for byte: no Unicode equivalence, no case folding — browsers send the serialised origin exactly.
        guard accepted.contains(where: { Array($0.utf8) == Array(claimed.utf8) }) else {
            return "the form came from \(claimed), another site; \(expected)"
        }
        return nil
    }
}
