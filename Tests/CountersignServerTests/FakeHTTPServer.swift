import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// A local HTTP server that records every request and answers with a scripted status: the fake GitHub API and
/// the notification receiver of the tests.
final class FakeHTTPServer: Sendable {
    struct Call: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    /// The recorded calls and the statuses still to answer.
    final class Log: Sendable {
        let calls = Mutex<[Call]>([])
        let statuses = Mutex<[Int]>([])
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
    var recorded: [Call] { log.calls.withLock { $0 } }
    func answer(_ codes: Int...) { log.statuses.withLock { $0 += codes } }
}
