// libFuzzer harness `query`: the input is an HTTP request line without the version — `METHOD target` — then a
// newline and a body. It drives the query parsing the server's routes share and the one HTTP API the canary
// library serves by itself:
//
// - the target through Hummingbird's `URI` (compiled from Hummingbird's own source: `uri.queryParameters` is what
//   every route reads), then each route's reading of the parameters it takes: `limit`/`count`/`seq`/`from`/`to`/
//   `idleWindow` as `Int` (LedgerRoutes.integer), `verdict` as `Decision.Verdict`, `from`/`to` as RFC 3339 times
//   with `RFC3339.date` and the period `MetricsPeriod` builds from them (MetricsRoutes, EvidenceRoutes);
// - `KayentaAPI.handle(method:path:query:body:)` — what `/kayenta/{token}/**` hands the query and body to — over
//   a fresh `KayentaService` serving examples/canary/config.json, with a metric source that answers at once. A
//   started execution is awaited, so its judgement runs inside this input.
//
// Properties: every Kayenta answer is JSON with a 2xx or 4xx status (a 5xx or a trap is a bug in the library).

internal import CountersignCore
import CountersignEncoding
internal import CountersignMetrics
internal import Foundation

@testable internal import CountersignCanary

let configuration = try! CanaryConfiguration.decode(
    json: Data(contentsOf: URL(fileURLWithPath: "examples/canary/config.json")))

/// Series that vary a little with the metric and the scope, never longer than the scope asks for.
struct FixedSource: KayentaMetricSource {
    func series(
        of metric: CanaryMetricConfiguration, in config: CanaryConfiguration, scope: KayentaScope
    ) async throws(CanaryError) -> [Double] {
        let count = min(max(scope.pointCount, 0), 64)
        let base = Double(metric.name.utf8.count + scope.scope.utf8.count)
        return (0..<count).map { base + Double($0 % 7) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let (line, body) = split(bytes(data, size))
    let requestLine = String(decoding: line, as: UTF8.self)
    let method = requestLine.prefix { $0 != " " }
    let target = requestLine.dropFirst(method.count + 1)
    let uri = URI(String(target))
    _ = uri.path
    let parameters = uri.queryParameters

    // The routes' readings of their parameters.
    for name in ["limit", "count", "seq", "size", "from", "to", "idleWindow"] {
        _ = parameters[name[...]].map { Int(String($0)) }
    }
    _ = parameters["verdict"].map { Decision.Verdict(rawValue: String($0)) }
    let from = parameters["from"].flatMap { RFC3339.date(String($0)) }
    let to = parameters["to"].flatMap { RFC3339.date(String($0)) }
    if let from, let to {
        _ = try? MetricsPeriod(
            from: from, to: to, service: parameters["service"].map(String.init),
            environment: parameters["environment"].map(String.init))
    }

    // Kayenta, as KayentaRoutes calls it.
    let query: [String: String] = {
        var query: [String: String] = [:]
        for (key, value) in parameters { query[String(key)] = String(value) }
        return query
    }()
    let path = uri.path
    let answer = blocking {
        let service = try! KayentaService(configurations: [configuration], source: FixedSource())
        let api = KayentaAPI(service: service)
        return await service.whileRunning {
            let answer = await api.handle(method: String(method), path: path, query: query, body: body)
            if answer.status == 200,
                case .string(let id)? = (try? JSONValue(parsing: answer.body))?["canaryExecutionId"]
            {
                _ = try? await service.completed(id: id)
                _ = await api.handle(method: "GET", path: "/canary/\(id)", query: [:], body: [])
            }
            return answer
        }
    }
    require((200..<500).contains(answer.status), "Kayenta answered \(answer.status)")
    require(
        (try? JSONValue(parsing: answer.body)) != nil,
        "Kayenta answered with a body that is not JSON")
    return 0
}
