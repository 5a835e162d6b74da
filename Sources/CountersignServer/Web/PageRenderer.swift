internal import CountersignControl
internal import CountersignCore
internal import Foundation
internal import Hummingbird
internal import Mustache
internal import NIOCore

/// Renders the UI's Mustache templates (Resources/Web/templates) into HTML responses. Every page is a child of
/// `layout` (navigation, the signed-in person, sign-out), and reports its server time in `Server-Timing`.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// Why a bundled template could not be loaded; every page then says so (with a 500) instead of rendering.
    let problems: [String]

    /// The bundled templates.
    static func bundled() -> PageRenderer {
        var library = MustacheLibrary()
        var problems: [String] = []
        guard let url = Bundle.module.url(forResource: "Web", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(
                atPath: url.appendingPathComponent("templates").path)
        else { return PageRenderer(library: library, problems: ["the UI templates are missing from the build"]) }
        for file in files.sorted() where file.hasSuffix(".mustache") {
            let path = url.appendingPathComponent("templates/\(file)")
            do {
                try library.register(
                    try String(contentsOf: path, encoding: .utf8), named: String(file.dropLast(".mustache".count)))
            } catch {
                problems.append("template \(file) does not load: \(error)")
            }
        }
        return PageRenderer(library: library, problems: problems)
    }

    func has(_ template: String) -> Bool { library.getTemplate(named: template) != nil }

    /// The page `template` for `session` with `context`; `started` is when handling began (for Server-Timing).
    func page(
        _ template: String, title: String, section: String, session: WebSession?, context: [String: Any],
        status: HTTPResponse.Status = .ok, started: ContinuousClock.Instant
    ) -> Response {
        var all = context
        all["title"] = title
        all["nav"] = Self.sections.map { name, label, href in
            ["label": label, "href": href, "current": name == section]
        }
        if let session {
            all["user"] = [
                "identity": session.principal.identity, "role": session.principal.role.rawValue,
                "csrf": session.csrf,
            ]
        }
        guard problems.isEmpty, let html = library.render(all, withTemplate: template) else {
            let reason = (problems.isEmpty ? ["template \(template) is missing"] : problems).joined(separator: "; ")
            return Self.html(
                "<!doctype html><title>UI unavailable</title><p>\(SVGChart.escape(reason))</p>",
                status: .internalServerError, started: started)
        }
        return Self.html(html, status: status, started: started)
    }

    static let sections: [(String, String, String)] = [
        ("inbox", "Approvals", "/ui"), ("requests", "Requests", "/ui/requests"), ("metrics", "Metrics", "/ui/metrics"),
        ("canary", "Canary", "/ui/canary"), ("break-glass", "Break-glass", "/ui/break-glass"),
        ("ledger", "Ledger", "/ui/ledger"), ("audit", "Audit", "/ui/audit"), ("tokens", "Tokens", "/ui/tokens"),
    ]

    static func html(_ html: String, status: HTTPResponse.Status = .ok, started: ContinuousClock.Instant) -> Response {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .init("Server-Timing")!: "render;dur=\(String(format: "%.2f", ms))",
                .init("Content-Security-Policy")!:
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
                .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}
