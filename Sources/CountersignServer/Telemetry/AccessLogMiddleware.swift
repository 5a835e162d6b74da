public import CountersignControl
internal import Foundation
internal import HTTPTypes
public import Hummingbird
internal import Logging

/// Observes every request once: one access-log line — method, route pattern, status, duration, the caller's
/// identity when a token named one, and the request id — the caller's `X-Request-Id` when it is a plain token (letters, digits,
/// `.`, `_`, `-`, at most 64), else a new one — echoed on the response so a report can be found. Never the raw path
/// or query (a Kayenta address carries its token in the path), never a header: no `Authorization`, no cookie can
/// reach the log — and the same status and duration counted in ``ServerMetrics`` by route pattern (never the raw
/// path, so a scan of random URLs cannot grow the series count).
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext
    let logger = Logger(label: "countersign.access")
    let metrics: ServerMetrics

    public init(metrics: ServerMetrics) { self.metrics = metrics }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? Self.newID()
        context.state.requestID = id
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            log(request, context, status: Int(response.status.code), since: start)
            return response
        } catch let error as any HTTPResponseError {
            // Answered here, so the error's response carries the request id too.
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = id
            log(request, context, status: Int(response.status.code), since: start)
            return response
        } catch {
            log(request, context, status: 500, since: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.request(method: request.method.rawValue, route: route, status: status, duration: elapsed)
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue), "route": .string(route),
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible((elapsed / .microseconds(1)).rounded() / 1000),
            "request_id": .string(context.state.requestID ?? ""),
        ]
        if let identity = context.state.identity { metadata["identity"] = .string(identity) }
        logger.info("request", metadata: metadata)
    }

    static func acceptable(_ id: String) -> String? {
        guard (1...64).contains(id.utf8.count),
            id.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
            })
        else { return nil }
        return id
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
