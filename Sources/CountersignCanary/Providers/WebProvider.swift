internal import AsyncHTTPClient
internal import CountersignEncoding
public import Foundation

/// Argo's web provider (reference §3.4): one HTTP request; a 2xx JSON answer is narrowed by a Kubernetes JSONPath
/// (first match), a 2xx answer that is not JSON is the raw string, anything outside 2xx is an error.
public struct WebProvider: Sendable {
    private let http: ProviderHTTP

    public init() { http = ProviderHTTP(client: .shared) }

    public func measure(_ request: WebRequest) async throws(CanaryError) -> MeasurementValue {
        let path = try JSONPath(request.jsonPath ?? "{$}")
        var body: [UInt8]?
        var contentType: String?
        if let json = request.jsonBody {
            body = json.canonicalBytes
            contentType = "application/json"
        } else if let raw = request.body {
            body = Array(raw.utf8)
        }
        let response = try await http.send(
            method: request.method, url: request.url, headers: request.headers, contentType: contentType, body: body,
            timeout: request.timeout)
        guard (200..<300).contains(response.status) else {
            throw CanaryError(
                .measurementFailed,
                "\(request.method) \(request.url): received non 2xx response code: \(response.status)")
        }
        guard let document = try? JSONValue(parsing: response.body) else {
            return .string(String(decoding: response.body, as: UTF8.self))
        }
        guard let first = path.evaluate(document).first else {
            throw CanaryError(.measurementFailed, "result of web metric produced no value (jsonPath \(path.source))")
        }
        return MeasurementValue(first)
    }
}
