internal import AsyncHTTPClient
internal import Foundation
internal import NIOCore
internal import NIOHTTP1

/// The HTTP exchange the providers share: one request with a deadline and a cap on the response size, every
/// failure turned into a ``CanaryError`` that names the URL — a metric that cannot be read is an Error
/// measurement with a reason, never a hang.
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    /// Responses larger than this are refused (a runaway query must not exhaust the judge's memory).
    static let maxResponseBytes = 64 << 20

    struct Response {
        var status: Int
        var contentType: String?
        var body: [UInt8]
    }

    func send(
        method: String, url: String, headers: [HTTPHeader], contentType: String? = nil, body: [UInt8]? = nil,
        timeout: Duration
    ) async throws(CanaryError) -> Response {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            parsed.host != nil
        else {
            throw CanaryError(.invalidConfiguration, "'\(url)' is not an http(s) URL")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for h in headers { request.headers.add(name: h.key, value: h.value) }
        if let contentType { request.headers.replaceOrAdd(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let (seconds, atto) = timeout.components
        let amount = TimeAmount.nanoseconds(seconds * 1_000_000_000 + atto / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: amount)
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return Response(
                status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                body: Array(buffer.readableBytesView))
        } catch is CancellationError {
            throw CanaryError(.measurementFailed, "\(method) \(url): cancelled")
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw CanaryError(
                .measurementFailed, "\(method) \(url): response exceeds \(Self.maxResponseBytes >> 20) MiB")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw CanaryError(.measurementFailed, "\(method) \(url): no answer within \(timeout)")
        } catch {
            throw CanaryError(.measurementFailed, "\(method) \(url): \(error)")
        }
    }
}

extension String {
    /// `application/x-www-form-urlencoded` encoding of one value.
    var formEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
