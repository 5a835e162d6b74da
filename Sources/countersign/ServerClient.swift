import AsyncHTTPClient
import CountersignControl
import CountersignEncoding
import Foundation
import NIOCore
import NIOHTTP1

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
