public import CountersignControl
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
    /// The origins a form may come from: the configured public URL's, else the loopback origins of the port.
    let acceptedOrigins: [String]
    /// Whether cookies are `Secure`: the configured public URL is https.
    let secureCookies: Bool
    let signInTokens: SignInToken
    /// The organisation's identity provider people sign in through; `nil`: API-token sign-in only.
    let provider: OIDCProvider?

    /// Loads the bundled templates (a test parses every one, so a broken template fails CI, not a user).
    /// `configuration` gives the public URL (accepted form origin, `Secure` cookies) and the session key.
    public init(control: ControlPlane, configuration: ServerConfiguration = .init(), provider: OIDCProvider? = nil) {
        self.control = control
        self.provider = provider
        self.renderer = PageRenderer.bundled()
        acceptedOrigins = configuration.publicURL.map { [$0.origin] } ?? PublicURL.loopback(port: configuration.port)
        secureCookies = configuration.publicURL?.isSecure ?? false
        signInTokens = SignInToken(key: configuration.sessionKey)
    }

    /// A page handler: the signed-in session (pages redirect to sign-in without one) and the start time.
    typealias Handler =
        @Sendable (Request, ServerRequestContext, WebSession, ContinuousClock.Instant) async throws
        -> Response

    public func add(to router: Router<ServerRequestContext>) {
        router.get("/") { _, _ in PageRenderer.redirect("/ui") }
        let ui = router.group("ui").add(middleware: FormOriginCheck(pages: self))
        ui.get("static/{file}") { _, context in try Self.asset(try context.parameters.require("file")) }
        ui.get("sign-in") { request, _ in
            signInPage(request, next: Self.safeNext(Self.query(request)["next"]), started: ContinuousClock.now)
        }
        ui.post("sign-in") { request, _ in try await signIn(request) }
        ui.get("sign-in/provider") { request, _ in try await startProviderSignIn(request) }
        ui.get("sign-in/callback") { request, _ in try await finishProviderSignIn(request) }
        post(ui, "sign-out", signOut)
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
        page(ui, "tokens", tokens)
        post(ui, "tokens", mintToken)
        post(ui, "tokens/{id}/revoke", revokeToken)
    }

    private func page(_ group: RouterGroup<ServerRequestContext>, _ path: String, _ handler: @escaping Handler) {
        group.get(path.isEmpty ? "" : RouterPath(path)) { request, context in
            try await signedIn(request, context, handler)
        }
    }

    private func post(_ group: RouterGroup<ServerRequestContext>, _ path: String, _ handler: @escaping Handler) {
        group.post(RouterPath(path)) { request, context in try await signedIn(request, context, handler) }
    }

    /// Runs `handler` for the signed-in person (to sign-in, and back, without one); its control errors become pages.
    private func signedIn(_ request: Request, _ context: ServerRequestContext, _ handler: Handler) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let current: WebSession?
        do { current = try await WebSession.current(request, control) } catch {
            return errorPage(error, session: nil, started: started)
        }
        guard let session = current else {
            let back = request.method == .get ? "?next=" + Self.encode(request.uri.path) : ""
            return PageRenderer.redirect("/ui/sign-in" + back)
        }
        do { return try await handler(request, context, session, started) } catch let error as ControlError {
            await control.recordRefusal(error, of: session.principal, action: RefusalMiddleware.action(request))
            return errorPage(error, session: session, started: started)
        }
    }

    /// An error as a page with the server's reason, and its HTTP status (a refused approval is a 403 page).
    func errorPage(_ error: ControlError, session: WebSession?, started: ContinuousClock.Instant) -> Response {
        renderer.page(
            "error", title: "Not allowed", section: "", session: session,
            context: ["message": error.message, "code": error.code.description], status: error.status, started: started)
    }

    /// The sign-in form with its CSRF token (set as a cookie when the browser has no usable one), an error if any.
    func signInPage(
        _ request: Request, next: String, error: String? = nil, status: HTTPResponse.Status = .ok,
        started: ContinuousClock.Instant
    ) -> Response {
        let (token, isNew) = signInTokens.forForm(request, now: control.now())
        var context: [String: Any] = ["next": next, "csrf": token]
        if let provider {
            context["provider"] = URLComponents(string: provider.settings.issuer)?.host ?? provider.settings.issuer
            context["roles"] = Identity.Role.allCases.map(\.rawValue)
        }
        if let error { context["error"] = error }
        var response = renderer.page(
            "sign-in", title: "Sign in", section: "", session: nil, context: context, status: status, started: started)
        if isNew {
            response.headers.append(.init(name: .setCookie, value: SignInToken.setCookie(token, secure: secureCookies)))
        }
        return response
    }

    /// Signs in: the form must carry the sign-in CSRF token its cookie carries (a cross-site page cannot sign a
    /// browser in), then the API token must authenticate. The browser gets a new session, never the token.
    private func signIn(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let form = try await Self.form(request)
        let next = Self.safeNext(form["next"])
        guard
            signInTokens.accepts(
                cookie: WebSession.cookieValue(SignInToken.cookie, in: request), field: form["csrf"], now: control.now()
            )
        else {
            return signInPage(
                request, next: next,
                error: "This sign-in form has expired or did not come from this server (its CSRF token is missing or "
                    + "wrong); sign in again.",
                status: .forbidden, started: started)
        }
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let principal: Principal
        do { principal = try await control.authenticate(secret: token) } catch {
            return signInPage(
                request, next: next, error: "That token is not valid: \(error.message)", status: .unauthorized,
                started: started)
        }
        let session: StartedSession
        do { session = try await control.startSession(for: principal, lifetime: WebSession.lifetime) } catch {
            return errorPage(error, session: nil, started: started)
        }
        var response = PageRenderer.redirect(next, cookie: WebSession.setCookie(session, secure: secureCookies))
        response.headers.append(.init(name: .setCookie, value: SignInToken.setCookie(nil, secure: secureCookies)))
        return response
    }

    /// Signs out (a POST with the session's CSRF token): the session ends on every node and the cookie is cleared.
    private func signOut(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        _ = try await Self.form(request, checkedFor: session)
        try await control.endSession(id: session.id, of: session.principal)
        return PageRenderer.redirect("/ui/sign-in", cookie: WebSession.setCookie(nil, secure: secureCookies))
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
    static func form(_ request: Request, checkedFor session: WebSession) async throws(ControlError) -> [String: String]
    {
        let form = try await form(request)
        try session.checkCSRF(form["csrf"])
        return form
    }

    /// An `application/x-www-form-urlencoded` body (at most 64 KiB).
    static func form(_ request: Request) async throws(ControlError) -> [String: String] {
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

    static func asset(_ name: String) throws(ControlError) -> Response {
        let types = [
            "app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
            "favicon.svg": "image/svg+xml",
        ]
        guard let type = types[name], let url = Bundle.module.url(forResource: "Web", withExtension: nil),
            let data = FileManager.default.contents(atPath: url.appendingPathComponent("static/\(name)").path)
        else { throw ControlError(.notFound, "no asset \(name)") }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: .init(bytes: data)))
    }
}
