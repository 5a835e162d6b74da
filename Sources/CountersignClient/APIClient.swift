internal import AsyncHTTPClient
public import CountersignControl
public import CountersignEncoding
internal import Foundation
internal import NIOCore
internal import NIOHTTP1

/// The HTTP API as the client commands call it: an ``APIOperation`` with JSON in and out, the bearer token, a
/// deadline, and the server's error answered as the command's failure (its message, exit status 1).
public struct APIClient: Sendable {
    public let base: String
    let token: String

    /// `base` is an http(s) URL without a trailing slash's ambiguity; `token` an API token or OIDC ID token.
    public init(base: String, token: String) throws(ControlError) {
        guard let url = URLComponents(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil,
            url.query == nil, url.fragment == nil
        else { throw ControlError(.badRequest, "the server must be an http(s) URL, got \(base)") }
        guard !token.isEmpty else {
            throw ControlError(.unauthenticated, "no token: set COUNTERSIGN_TOKEN (or pass --token)")
        }
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.token = token
    }

    /// Calls `operation` with its path `arguments` and `body`; the answer's JSON (null for 204) when the status is
    /// 2xx, else a ``ControlError`` with the server's message.
    public func call(
        _ operation: APIOperation, _ arguments: String..., query: [(String, String)] = [], body: JSONValue? = nil
    ) async throws(ControlError) -> JSONValue {
        if let fields = operation.fields, let members = body?.objectMembers {
            // The contract test checks the declared fields against the OpenAPI document; this keeps a command
            // from sending one that is not declared.
            for (name, _) in members where !fields.contains(name) {
                throw ControlError(
                    .internal, "\(operation.method.rawValue) \(operation.path) does not take a field \(name)")
            }
        }
        let path = operation.path(arguments)
        let (status, bytes) = try await send(
            operation, path: path, query: query, accept: "application/json", body: body)
        let answer = bytes.readableBytes == 0 ? nil : try? JSONValue(parsing: Array(bytes.readableBytesView))
        guard (200..<300).contains(status) else {
            let message = answer?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
            throw ControlError(.badRequest, "\(operation.method.rawValue) \(path): \(message)")
        }
        if status == 204 { return .null }
        guard let answer else {
            throw ControlError(.unavailable, "\(operation.method.rawValue) \(path): the answer is not JSON")
        }
        return answer
    }

    /// Calls an operation that answers text (a signed note): the text when the status is 2xx, nil for 404.
    public func text(_ operation: APIOperation, _ arguments: String...) async throws(ControlError) -> String? {
        let path = operation.path(arguments)
        let (status, bytes) = try await send(operation, path: path, query: [], accept: "text/plain", body: nil)
        if status == 404 { return nil }
        guard (200..<300).contains(status) else {
            let answer = try? JSONValue(parsing: Array(bytes.readableBytesView))
            let message = answer?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
            throw ControlError(.badRequest, "\(operation.method.rawValue) \(path): \(message)")
        }
        return String(buffer: bytes)
    }

    private func send(
        _ operation: APIOperation, path: String, query: [(String, String)], accept: String, body: JSONValue?
    ) async throws(ControlError) -> (Int, ByteBuffer) {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        var request = HTTPClientRequest(url: base + path + (components.percentEncodedQuery.map { "?" + $0 } ?? ""))
        request.method = operation.method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "countersign-client")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), try await response.body.collect(upTo: 8 << 20))
        } catch {
            throw ControlError(.unavailable, "\(base) cannot be reached: \(error)")
        }
    }
}

extension APIClient {
    /// The job's OpenID Connect ID token for `audience`, asked of GitHub Actions as its toolkit asks
    /// (`ACTIONS_ID_TOKEN_REQUEST_URL` with `&audience=`, the request token as the bearer; `{"value": JWT}`):
    /// present only in a job with `permissions: id-token: write`.
    public static func githubActionsIDToken(
        audience: String, environment: [String: String]
    ) async throws(ControlError) -> String {
        guard let url = environment["ACTIONS_ID_TOKEN_REQUEST_URL"], !url.isEmpty,
            let bearer = environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], !bearer.isEmpty
        else {
            throw ControlError(
                .unauthenticated,
                "no token: set COUNTERSIGN_TOKEN (or pass --token), or run in GitHub Actions with "
                    + "`permissions: id-token: write` to present the job's OIDC token")
        }
        var request = HTTPClientRequest(
            url: url + (url.contains("?") ? "&" : "?") + "audience=" + APIOperation.encode(audience))
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Accept", value: "application/json")
        let status: UInt
        let bytes: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            status = response.status.code
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw ControlError(.unavailable, "GitHub Actions' ID token request failed: \(error)")
        }
        guard status == 200, let answer = try? JSONValue(parsing: Array(bytes.readableBytesView)),
            let token = answer["value"]?.stringValue, !token.isEmpty
        else {
            throw ControlError(.unauthenticated, "GitHub Actions answered the ID token request with HTTP \(status)")
        }
        return token
    }
}
