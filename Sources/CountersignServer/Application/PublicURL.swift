public import CountersignControl
internal import Foundation

/// The URL people reach the server at (`https://countersign.example.com`), as configured — never inferred from a
/// request's `Host` header, which whoever sends the request writes. Its origin is the only one the web UI accepts
/// a form from; its scheme decides whether cookies are `Secure` (behind a TLS-terminating proxy the server itself
/// speaks plain HTTP, so only the configuration knows).
public struct PublicURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// Lowercase ASCII (an internationalised name in its punycode form, as browsers send it); IPv6 in brackets.
    public let host: String
    /// `nil` for the scheme's default port.
    public let port: Int?

    /// Parses `https://host[:port][/]`. Anything else — another scheme, user info, a path, a query, a fragment,
    /// a non-ASCII host — is refused, with the reason, rather than guessed at.
    public init(parsing text: String) throws(ControlError) {
        func refuse(_ why: String) -> ControlError {
            ControlError(.badRequest, "the public URL \(text) \(why)", details: ["field": "publicURL"])
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw refuse("is not a URL")
        }
        guard scheme == "https" || scheme == "http" else { throw refuse("must be http or https") }
        guard url.user == nil, url.password == nil else { throw refuse("must not carry user information") }
        guard url.path.isEmpty || url.path == "/" else {
            throw refuse("must not have a path: the UI is served at /ui under it")
        }
        guard url.query == nil, url.fragment == nil else { throw refuse("must not have a query or fragment") }
        guard var host = url.percentEncodedHost?.lowercased(), !host.isEmpty else { throw refuse("has no host") }
        guard host.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }), !host.contains("%") else {
            throw refuse("must name its host in ASCII (use the punycode form of an internationalised name)")
        }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        if let port = url.port, !(1...65535).contains(port) { throw refuse("has a port outside 1–65535") }
        let defaultPort = scheme == "https" ? 443 : 80
        self.scheme = scheme
        self.host = host
        self.port = url.port == defaultPort ? nil : url.port
    }

    /// The origin as a browser serialises it in an `Origin` header: `https://countersign.example.com`,
    /// `http://127.0.0.1:8080`.
    public var origin: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") }

    /// Whether cookies must be `Secure`.
    public var isSecure: Bool { scheme == "https" }

    public var description: String { origin }

    /// The origins of a server listening on loopback `port` without a configured public URL; none for port 0,
    /// whose real port is not known until the server runs.
    static func loopback(port: Int) -> [String] {
        guard (1...65535).contains(port) else { return [] }
        return ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "http://[::1]:\(port)"]
    }

    /// The origin of a `Referer` URL, serialised as ``origin`` is; `nil` for anything that is not a plain
    /// http(s) URL (user information included, a classic way to dress one host up as another).
    static func origin(ofReferer text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.user == nil, url.password == nil,
            let host = url.percentEncodedHost?.lowercased(), !host.isEmpty
        else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port == defaultPort ? nil : url.port
        return "\(scheme)://\(bracketed)" + (port.map { ":\($0)" } ?? "")
    }
}
