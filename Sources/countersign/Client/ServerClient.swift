import ArgumentParser
import AsyncHTTPClient
import CountersignControl
import CountersignEncoding
import Foundation
import NIOCore
import NIOHTTP1

/// Where the client commands reach a server, and as whom: `--server`/`COUNTERSIGN_SERVER` and
/// `--token`/`COUNTERSIGN_TOKEN` (the environment is the place for a token: a flag shows in the process list).
struct ServerOptions: ParsableArguments {
    @Option(help: "The server's URL (COUNTERSIGN_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(help: "An API token (COUNTERSIGN_TOKEN, which is the better place for it).") var token: String?

    func client() throws(ControlError) -> ServerClient {
        let env = ProcessInfo.processInfo.environment
        let base = server ?? env["COUNTERSIGN_SERVER"] ?? "http://127.0.0.1:8080"
        guard let url = URLComponents(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil
        else { throw ControlError(.badRequest, "--server must be an http(s) URL, got \(base)") }
        guard let token = token ?? env["COUNTERSIGN_TOKEN"], !token.isEmpty else {
            throw ControlError(.unauthenticated, "no token: set COUNTERSIGN_TOKEN (or pass --token)")
        }
        return ServerClient(base: base.hasSuffix("/") ? String(base.dropLast()) : base, token: token)
    }
}

/// The HTTP API as the client commands call it: JSON in and out, the bearer token, a deadline, and the server's
/// error answered as the command's failure (its message, exit status 1).
struct ServerClient {
    let base: String
    let token: String

    /// `method path` with `body`; the answer's JSON when the status is one of `expect`.
    func call(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, expect: Set<Int> = [200, 201]
    ) async throws(ControlError) -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 8 << 20)
        } catch {
            throw ControlError(.unavailable, "\(base) cannot be reached: \(error)")
        }
        let answer = try? JSONValue(parsing: Array(bytes.readableBytesView))
        guard expect.contains(status) else {
            let message = answer?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
            throw ControlError(.badRequest, "\(method.rawValue) \(path): \(message)")
        }
        guard let answer else { throw ControlError(.unavailable, "\(method.rawValue) \(path): the answer is not JSON") }
        return answer
    }
}
