internal import CountersignCore
internal import CountersignLedger
internal import Foundation
internal import Hummingbird
internal import NIOCore

/// Reading request bodies and writing JSON answers, the same way on every route.
enum JSONBody {
    /// The largest request body any route accepts; larger ones are 413 before they are read in full.
    static let maxBytes = 1 << 20

    static func bytes(_ request: Request, limit: Int = maxBytes) async throws(APIError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the request body exceeds \(limit) bytes")
        } catch {
            throw APIError(.badRequest, "the request body could not be read")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws(APIError) -> T {
        try PayloadCoding.body(type, from: try await bytes(request))
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.canonicalBytes)))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws(APIError) -> Response {
        response(try PayloadCoding.encode(value), status: status)
    }
}
