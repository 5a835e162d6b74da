internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird
internal import NIOCore

/// Reading request bodies and writing JSON answers, the same way on every route.
enum JSONBody {
    /// The largest request body any route accepts; larger ones are 413 before they are read in full.
    static let maxBytes = 1 << 20
    /// How long a whole body may take to arrive. The server's idle timeout bounds the gap between chunks; this
    /// bounds their sum, so a body trickled a byte at a time cannot hold its connection and buffer indefinitely.
    static let timeout = Duration.seconds(30)

    static func bytes(_ request: Request, limit: Int = maxBytes) async throws(ControlError) -> [UInt8] {
        try await read(request, limit: limit) { _ in }
    }

    /// The body, chunk by chunk into `each` and a buffer that never exceeds `limit` (a declared Content-Length
    /// over it is refused before reading), failing once `timeout` has passed.
    static func read(_ request: Request, limit: Int, _ each: (ByteBuffer) -> Void) async throws(ControlError) -> [UInt8]
    {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw ControlError(.payloadTooLarge, "the request body of \(declared) bytes exceeds \(limit) bytes")
        }
        let started = ContinuousClock.now
        var body: [UInt8] = []
        do {
            for try await chunk in request.body {
                guard body.count + chunk.readableBytes <= limit else {
                    throw ControlError(.payloadTooLarge, "the request body exceeds \(limit) bytes")
                }
                guard ContinuousClock.now - started <= timeout else {
                    throw ControlError(.badRequest, "the request body was not received within \(timeout)")
                }
                each(chunk)
                body.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(.badRequest, "the request body could not be read")
        }
        return body
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws(ControlError) -> T {
        try PayloadCoding.body(type, from: try await bytes(request))
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.canonicalBytes)))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws(ControlError) -> Response {
        response(try PayloadCoding.encode(value), status: status)
    }
}
