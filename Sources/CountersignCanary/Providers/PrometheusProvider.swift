internal import AsyncHTTPClient
internal import CEL
public import Foundation

/// Argo's Prometheus provider (reference §3.4) over Prometheus' HTTP API: an instant query at the run's clock
/// time, or a range query whose `start` and `end` are CEL expressions over `now()`.
///
/// Results follow Argo: a vector is a list with one number per series, in the order returned (so `result[0]`);
/// a scalar is a number; a matrix is every sample of every series flattened into one list. An empty vector is
/// an empty list, which conditions must guard (`size(result) == 0 || …`); any other result type is an error.
public struct PrometheusProvider: Sendable {
    /// Used when a template leaves `address` empty (`countersign canary run --prometheus URL`).
    public var defaultAddress: String?
    private let http: ProviderHTTP

    public init(defaultAddress: String? = nil) {
        self.defaultAddress = defaultAddress
        self.http = ProviderHTTP(client: .shared)
    }

    /// Runs `query` as of `time`, as Argo binds the result.
    public func measure(_ query: PrometheusQuery, at time: Date) async throws(CanaryError) -> MeasurementValue {
        try await self.query(query, at: time).argoValue
    }

    /// Runs `query` as of `time`, the result typed as Prometheus reported it.
    public func query(_ query: PrometheusQuery, at time: Date) async throws(CanaryError) -> PrometheusResult {
        guard let range = query.range else {
            return try await send(query, path: "/api/v1/query", parameters: "&time=\(Self.unix(time))")
        }
        let start = try Self.evaluateTime(range.start, now: time, field: "rangeQuery.start")
        let end = try Self.evaluateTime(range.end, now: time, field: "rangeQuery.end")
        return try await self.range(query, from: start, to: end, step: range.step.timeInterval)
    }

    /// Runs `query` (its `range` ignored) as a range query over fixed times.
    public func range(
        _ query: PrometheusQuery, from start: Date, to end: Date, step: TimeInterval
    ) async throws(CanaryError) -> PrometheusResult {
        guard start <= end else {
            throw CanaryError(.invalidConfiguration, "rangeQuery: start \(start) is after end \(end)")
        }
        guard step > 0, step.isFinite else {
            throw CanaryError(.invalidConfiguration, "rangeQuery: step must be positive, not \(step)")
        }
        return try await send(
            query, path: "/api/v1/query_range",
            parameters: "&start=\(Self.unix(start))&end=\(Self.unix(end))&step=\(step)")
    }

    private func send(
        _ query: PrometheusQuery, path: String, parameters: String
    ) async throws(CanaryError) -> PrometheusResult {
        let address = query.address.isEmpty ? (defaultAddress ?? "") : query.address
        guard !address.isEmpty else {
            throw CanaryError(.invalidConfiguration, "prometheus.address is empty and no default address is set")
        }
        let form = "query=\(query.query.formEncoded)" + parameters
        let base = address.hasSuffix("/") ? String(address.dropLast()) : address
        let response = try await http.send(
            method: "POST", url: base + path, headers: query.headers,
            contentType: "application/x-www-form-urlencoded", body: Array(form.utf8), timeout: query.timeout)
        return try PrometheusResponse.decode(response.body, status: response.status)
    }

    private static func unix(_ date: Date) -> String {
        String(format: "%.3f", date.timeIntervalSince1970)
    }

    /// Evaluates a range bound such as `now() - duration("5m")` with `now()` bound to the run's clock.
    static func evaluateTime(_ source: String, now: Date, field: String) throws(CanaryError) -> Date {
        let seconds = now.timeIntervalSince1970.rounded(.down)
        let nanos = Int64(((now.timeIntervalSince1970 - seconds) * 1e9).rounded())
        guard let stamp = Timestamp(seconds: Int64(seconds), nanos: nanos) else {
            throw CanaryError(.invalidInput, "\(field): the clock time \(now) is outside CEL's timestamp range")
        }
        let nowFunction = Function(
            "now", [Overload("argo_now", [], .timestamp, .nullary { () throws(EvalError) in .timestamp(stamp) })])
        let env = Environment(libraries: Library.standardLibraries + [Library("now", functions: [nowFunction])])
        let value: Value
        do {
            value = try env.compile(source, resultType: .timestamp).evaluate()
        } catch let error as CompileError {
            throw CanaryError(.invalidConfiguration, "\(field): \(error.message) in \"\(source)\"")
        } catch {
            throw CanaryError(.invalidConfiguration, "\(field): \(error) in \"\(source)\"")
        }
        guard case .timestamp(let t) = value else {
            throw CanaryError(.invalidConfiguration, "\(field): \"\(source)\" is not a timestamp")
        }
        return Date(timeIntervalSince1970: TimeInterval(t.seconds) + TimeInterval(t.nanos) / 1e9)
    }
}
