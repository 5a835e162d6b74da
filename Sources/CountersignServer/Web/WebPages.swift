internal import CountersignCore
internal import CountersignLedger
internal import Foundation
public import Hummingbird

/// The web UI under `/ui`: server-rendered pages over the same control-plane operations the API calls, so every
/// rule (roles, separation of duties, fail-closed decisions) is enforced once, on the server. Pages work without
/// JavaScript; forms post back with a CSRF token.
public struct WebPages: Sendable {
    let control: ControlPlane
    let renderer: PageRenderer

    /// Loads the bundled templates (a test parses every one, so a broken template fails CI, not a user).
    public init(control: ControlPlane) {
        self.control = control
        self.renderer = PageRenderer.bundled()
    }

    /// A page handler: the signed-in session (pages redirect to sign-in without one) and the start time.
    typealias Handler =
        @Sendable (Request, ServerRequestContext, WebSession, ContinuousClock.Instant) async throws
        -> Response

    public func add(to router: Router<ServerRequestContext>) {
        router.get("/") { _, _ in PageRenderer.redirect("/ui") }
        let ui = router.group("ui")
        ui.get("static/{file}") { _, context in try Self.asset(try context.parameters.require("file")) }
        ui.get("sign-in") { request, _ in
            let started = ContinuousClock.now
            return renderer.page(
                "sign-in", title: "Sign in", section: "", session: nil,
                context: ["next": Self.safeNext(Self.query(request)["next"])],
                started: started)
        }
        ui.post("sign-in") { request, _ in try await signIn(request) }
        ui.post("sign-out") { request, _ in
            PageRenderer.redirect("/ui/sign-in", cookie: WebSession.setCookie(nil, request: request))
        }
        page(ui, "", inbox)
        page(ui, "requests", requests)
        page(ui, "requests/{id}", requestDetail)
        post(ui, "requests/{id}/review", review)
        page(ui, "ledger", ledger)
        page(ui, "ledger/{seq}", ledgerEntry)
        page(ui, "audit", audit)
        page(ui, "audit/results.csv", auditCSV)
        page(ui, "metrics", metrics)
        page(ui, "canary", canaryList)
        page(ui, "canary/{seq}", canaryRun)
        page(ui, "break-glass", breakGlass)
        post(ui, "break-glass/{id}/review", reviewBreakGlass)
    }

    private func page(_ group: RouterGroup<ServerRequestContext>, _ path: String, _ handler: @escaping Handler) {
        group.get(path.isEmpty ? "" : RouterPath(path)) { request, context in
            try await signedIn(request, context, handler)
        }
    }

    private func post(_ group: RouterGroup<ServerRequestContext>, _ path: String, _ handler: @escaping Handler) {
        group.post(RouterPath(path)) { request, context in try await signedIn(request, context, handler) }
    }

    /// Runs `handler` for the signed-in person (to sign-in, and back, without one); its API errors become pages.
    private func signedIn(_ request: Request, _ context: ServerRequestContext, _ handler: Handler) async throws
        -> Response
    {
        let started = ContinuousClock.now
        guard let session = await WebSession.current(request, control) else {
            let back = request.method == .get ? "?next=" + Self.encode(request.uri.path) : ""
            return PageRenderer.redirect("/ui/sign-in" + back)
        }
        do { return try await handler(request, context, session, started) } catch let error as APIError {
            return errorPage(error, session: session, started: started)
        }
    }

    /// An error as a page with the server's reason, and its HTTP status (a refused approval is a 403 page).
    func errorPage(_ error: APIError, session: WebSession?, started: ContinuousClock.Instant) -> Response {
        renderer.page(
            "error", title: "Not allowed", section: "", session: session,
            context: ["message": error.message, "code": error.code.description], status: error.status, started: started)
    }

    private func signIn(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let form = try await Self.form(request)
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let next = Self.safeNext(form["next"])
        do {
            _ = try await control.authenticate(secret: token)
        } catch {
            return renderer.page(
                "sign-in", title: "Sign in", section: "", session: nil,
                context: ["error": "That token is not valid: \(error.message)", "next": next], status: .unauthorized,
                started: started)
        }
        return PageRenderer.redirect(next, cookie: WebSession.setCookie(token, request: request))
    }

    // MARK: Helpers

    /// Only same-site paths under /ui: a `next` parameter never redirects elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui"), !next.hasPrefix("//"), !next.contains("\\") else { return "/ui" }
        return next
    }

    /// Percent-encodes `s` for a URL, leaving the unreserved characters and `keeping` (a path keeps its `/`).
    static func encode(_ s: String, keeping: String = "/") -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~" + keeping)))
            ?? ""
    }

    /// A posted form, refused unless it carries this session's CSRF token.
    static func form(_ request: Request, checkedFor session: WebSession) async throws(APIError) -> [String: String] {
        let form = try await form(request)
        try session.checkCSRF(form["csrf"])
        return form
    }

    /// An `application/x-www-form-urlencoded` body (at most 64 KiB).
    static func form(_ request: Request) async throws(APIError) -> [String: String] {
        fields(String(decoding: try await JSONBody.bytes(request, limit: 64 << 10), as: UTF8.self))
    }

    /// The query string as a GET form sends it (`+` for spaces, which generic URI parsing leaves alone).
    static func query(_ request: Request) -> [String: String] { fields(request.uri.query ?? "") }

    static func fields(_ encoded: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in encoded.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { part in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let key = kv.first { fields[key] = kv.count > 1 ? kv[1] : "" }
        }
        return fields
    }

    static func asset(_ name: String) throws(APIError) -> Response {
        let types = [
            "app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
            "favicon.svg": "image/svg+xml",
        ]
        guard let type = types[name], let url = Bundle.module.url(forResource: "Web", withExtension: nil),
            let data = FileManager.default.contents(atPath: url.appendingPathComponent("static/\(name)").path)
        else { throw APIError(.notFound, "no asset \(name)") }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: .init(bytes: data)))
    }

    func rows(_ sql: String, _ arguments: [SQLValue] = []) async throws(APIError) -> [ControlPlane.Row] {
        try await control.rows(sql, arguments)
    }
}
