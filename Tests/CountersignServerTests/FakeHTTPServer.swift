import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// A local HTTP server that records every request and answers with a scripted status: the GitHub API and the
/// notification receiver of the tests. As the GitHub API it also answers reads (`GET`) from documents set with
/// ``serve(_:_:status:headers:)`` — the pull requests, commits and reviews GitHub's REST API returns, with its
/// `Link` pagination headers — and 404 `{"message": "Not Found"}` for anything else, as GitHub does.
final class FakeHTTPServer: Sendable {
    struct Call: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    /// A document served at a path.
    struct Document: Sendable {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    /// The recorded calls, the statuses still to answer, and the documents to serve.
    final class Log: Sendable {
        let calls = Mutex<[Call]>([])
        let statuses = Mutex<[Int]>([])
        let documents = Mutex<[String: Document]>([:])
    }

    private let log = Log()
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts on a free port; `statuses` are answered in turn, then 204.
    init() async throws {
        let log = self.log
        let router = Router()
        router.on("**", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            log.calls.withLock {
                $0.append(
                    Call(
                        method: request.method.rawValue, path: request.uri.path, headers: headers,
                        body: String(buffer: body)))
            }
            let code = log.statuses.withLock { $0.isEmpty ? 204 : $0.removeFirst() }
            return Response(status: .init(code: code))
        }
        // As a store of published files: a PUT keeps its body, which later GETs of the path answer.
        router.on("**", method: .put) { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            log.calls.withLock {
                $0.append(Call(method: "PUT", path: request.uri.path, headers: headers, body: body))
            }
            let code = log.statuses.withLock { $0.isEmpty ? 201 : $0.removeFirst() }
            if code == 201 {
                log.documents.withLock { $0[request.uri.path] = Document(status: 200, body: body, headers: [:]) }
            }
            return Response(status: .init(code: code))
        }
        router.on("**", method: .get) { request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            log.calls.withLock { $0.append(Call(method: "GET", path: target, headers: headers, body: "")) }
            let document = log.documents.withLock { $0[target] ?? $0[request.uri.path] }
            guard let document else {
                return Response(
                    status: .notFound, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"message": "Not Found"}"#)))
            }
            var fields: HTTPFields = [.contentType: "application/json"]
            for (name, value) in document.headers { fields[HTTPField.Name(name)!] = value }
            return Response(
                status: .init(code: document.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(string: document.body)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = stream.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    deinit { task.cancel() }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The `POST`s (and `PUT`s) it received: callbacks, notifications, published files.
    var recorded: [Call] { log.calls.withLock { $0.filter { $0.method != "GET" } } }
    /// The `GET`s it answered: API reads.
    var reads: [Call] { log.calls.withLock { $0.filter { $0.method == "GET" } } }
    func answer(_ codes: Int...) { answer(contentsOf: codes) }
    func answer(contentsOf codes: [Int]) { log.statuses.withLock { $0 += codes } }

    /// Serves `json` (a JSON object or array) at `path` — a path alone matches any query, a path with a query that
    /// query only.
    func serve(_ path: String, _ json: Any, status: Int = 200, headers: [String: String] = [:]) throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        log.documents.withLock { $0[path] = Document(status: status, body: body, headers: headers) }
    }

    /// Serves a pull request the way GitHub's API lists it for its commit: the pull request at
    /// `/repos/{repo}/pulls/{n}` and under each commit it is associated with (`/commits/{sha}/pulls`), its commits
    /// and its reviews.
    func servePullRequest(
        _ repo: String, _ pr: [String: Any], commits: [[String: Any]], reviews: [[String: Any]] = [],
        associated: [String]
    ) throws {
        let number = pr["number"] as? Int ?? 0
        try serve("/repos/\(repo)/pulls/\(number)", pr)
        try serve("/repos/\(repo)/pulls/\(number)/commits", commits)
        try serve("/repos/\(repo)/pulls/\(number)/reviews", reviews)
        for sha in associated { try serve("/repos/\(repo)/commits/\(sha)/pulls", [pr]) }
    }
}
