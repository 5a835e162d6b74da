public import CountersignControl
internal import CountersignEncoding
internal import Foundation
public import Hummingbird
internal import NIOCore

/// `/demo-idp/…`: the development identity provider of `serve --demo` (``DemoIdentityProvider``) over HTTP —
/// discovery, its key set, the authorization page where a person of the policy is picked, and the token endpoint.
/// Mounted only by the demo.
public struct DemoIdentityProviderRoutes: Sendable {
    let provider: DemoIdentityProvider
    let control: ControlPlane

    public init(provider: DemoIdentityProvider, control: ControlPlane) {
        self.provider = provider
        self.control = control
    }

    public func add(to router: Router<ServerRequestContext>) {
        let group = router.group("demo-idp")
        group.get(".well-known/openid-configuration") { _, _ in JSONBody.response(provider.discovery) }
        group.get("jwks") { _, _ in JSONBody.response(provider.jwks) }
        group.get("authorize") { request, _ in
            let query = WebPages.query(request)
            switch provider.check(query) {
            case .failure(let error): return Self.page(error: error.message)
            case .success: return Self.page(choosing: provider.people, carrying: query)
            }
        }
        group.post("authorize") { request, _ in
            let form = try await WebPages.form(request)
            switch provider.check(form) {
            case .failure(let error): return Self.page(error: error.message)
            case .success(let authorization):
                let location = try await provider.authorize(form["person"] ?? "", authorization, now: control.now())
                return Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
            }
        }
        group.post("token") { request, _ in
            let form = try await WebPages.form(request)
            let (status, body) = await provider.token(
                form: form, authorization: request.headers[.authorization], now: control.now())
            return Response(
                status: .init(code: status),
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body.canonicalBytes)))
        }
    }

    /// The page where the demo's visitor picks who to be: one button per person, the request's parameters carried
    /// as hidden fields. Plain HTML without scripts, so it works with JavaScript off.
    static func page(choosing people: [DemoIdentityProvider.Person], carrying query: [String: String]) -> Response {
        let fields = [
            "client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
            "code_challenge_method",
        ]
        let hidden = fields.map { #"<input type="hidden" name="\#($0)" value="\#(escape(query[$0] ?? ""))">"# }
            .joined()
        let buttons = people.map { p in
            #"<li><button type="submit" name="person" value="\#(escape(p.name))">\#(escape(p.name))</button> "#
                + escape(([p.email].compactMap { $0 } + p.groups.map { "team " + $0 }).joined(separator: " · "))
                + "</li>"
        }.joined()
        return html(
            """
            <h1>Demo identity provider</h1>
            <p>The development provider of <code>countersign serve --demo</code>. It asks for no password, which is why
            nothing but the demo may use it. Sign in as:</p>
            <form method="post" action="/demo-idp/authorize">\(hidden)<ul class="people">\(buttons)</ul></form>
            """, status: .ok)
    }

    static func page(error: String) -> Response {
        html("<h1>Demo identity provider</h1><p id=\"error\">Refused: \(escape(error))</p>", status: .badRequest)
    }

    static func html(_ body: String, status: HTTPResponse.Status) -> Response {
        let document = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo identity provider</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head><body>\(body)</body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: document)))
    }

    static func escape(_ s: String) -> String { SVGChart.escape(s) }
}
