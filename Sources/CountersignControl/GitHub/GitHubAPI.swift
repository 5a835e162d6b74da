internal import AsyncHTTPClient
internal import CountersignEncoding
internal import Foundation
internal import NIOCore
internal import NIOHTTP1

/// Reads from GitHub's REST API with the App's token: the pull requests of a commit, a pull request, its commits
/// and its reviews — the facts a protected environment decides on instead of what a request asserts.
///
/// Every URL it calls starts with the configured API root, including the `next` pages GitHub's `Link` header names,
/// and redirects are not followed: a hostile or compromised response cannot send the token anywhere else. Each call
/// has a deadline and a size limit, and a list stops after ``maxPages`` pages.
struct GitHubAPI: Sendable {
    let baseURL: String
    let token: String

    static let timeout: TimeAmount = .seconds(10)
    static let maxBody = 8 << 20
    /// 100 items a page: GitHub lists at most 250 commits of a pull request, and reviews beyond 1,000 are not read.
    static let maxPages = 10

    /// A client of its own: the shared one follows redirects, which would carry the token to wherever a response
    /// points.
    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    init(baseURL: String, token: String) {
        self.baseURL = baseURL
        self.token = token
    }

    /// The JSON document at `path` (`/repos/o/r/pulls/7`).
    func get(_ path: String) async throws(ControlError) -> JSONValue {
        try await fetch(baseURL + path).document
    }

    /// `method path` with no body, answered with `expect` (an App's token exchange answers 201).
    func send(_ method: HTTPMethod, _ path: String, expect: UInt) async throws(ControlError) -> JSONValue {
        try await fetch(baseURL + path, method: method, expect: expect).document
    }

    /// Every item of the list at `path`, following `Link: <…>; rel="next"` within the API root.
    func list(_ path: String) async throws(ControlError) -> [JSONValue] {
        var url = baseURL + path + (path.contains("?") ? "&" : "?") + "per_page=100"
        var items: [JSONValue] = []
        for _ in 0..<Self.maxPages {
            let (document, next) = try await fetch(url)
            guard let page = document.arrayValue else {
                throw ControlError(.unavailable, "GitHub API \(Self.path(url)) did not answer with a list")
            }
            items += page
            guard let next else { return items }
            guard next.hasPrefix(baseURL + "/") else {
                throw ControlError(
                    .unavailable, "GitHub API \(Self.path(url)) named a next page outside \(baseURL); not followed")
            }
            url = next
        }
        return items
    }

    private func fetch(_ url: String, method: HTTPMethod = .GET, expect: UInt = 200) async throws(ControlError)
        -> (document: JSONValue, next: String?)
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        request.headers.add(name: "User-Agent", value: "countersign")
        let status: UInt
        let body: [UInt8]
        let link: String?
        do {
            let response = try await Self.client.execute(request, timeout: Self.timeout)
            status = response.status.code
            link = response.headers.first(name: "Link")
            body = Array(buffer: try await response.body.collect(upTo: Self.maxBody))
        } catch {
            throw ControlError(.unavailable, "GitHub API \(Self.path(url)) could not be read: \(error)")
        }
        guard status == expect else {
            let message = (try? JSONValue(parsing: String(decoding: body, as: UTF8.self)))?["message"]?.stringValue
            throw ControlError(
                .unavailable, "GitHub API \(Self.path(url)) answered HTTP \(status)\(message.map { ": \($0)" } ?? "")")
        }
        do {
            return (try JSONValue(parsing: String(decoding: body, as: UTF8.self)), link.flatMap(Self.next))
        } catch {
            throw ControlError(.unavailable, "GitHub API \(Self.path(url)) answered with invalid JSON: \(error)")
        }
    }

    /// The `rel="next"` target of a `Link` header (RFC 8288), if it has one.
    static func next(_ link: String) -> String? {
        for part in link.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">"),
                fields.dropFirst().contains(where: { $0 == #"rel="next""# || $0 == "rel=next" })
            else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }

    /// A URL without its query, for messages.
    static func path(_ url: String) -> String { String(url.split(separator: "?", maxSplits: 1).first ?? "") }
}
