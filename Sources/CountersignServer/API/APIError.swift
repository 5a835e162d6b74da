internal import CountersignEncoding
internal import Foundation
public import Hummingbird

/// An API failure: one error body shape for every endpoint, `{"error": {"code", "message", "details"}}`, and the
/// one place a code maps to an HTTP status.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Kind: String {
            case badRequest = "bad_request"
            case unauthenticated
            case forbidden
            case notFound = "not_found"
            case methodNotAllowed = "method_not_allowed"
            case conflict
            case unprocessable
            case payloadTooLarge = "payload_too_large"
            case tooManyRequests = "too_many_requests"
            case unavailable
            case `internal`
        }
        fileprivate let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Malformed or invalid input; `details` names the field.
        public static let badRequest = Code(.badRequest)
        /// No token, or one that is unknown or revoked.
        public static let unauthenticated = Code(.unauthenticated)
        /// The token's role may not do this, or separation of duties forbids it.
        public static let forbidden = Code(.forbidden)
        public static let notFound = Code(.notFound)
        /// The path exists but does not take this method; `details.allow` lists those it takes.
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// The request contradicts the current state (a duplicate id, an approval of a decided request).
        public static let conflict = Code(.conflict)
        /// Well-formed, but not what it claims to be: an `Idempotency-Key` reused with a different body.
        public static let unprocessable = Code(.unprocessable)
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// A bounded resource (audit queries running at once, connections) is full; try again shortly.
        public static let tooManyRequests = Code(.tooManyRequests)
        /// The ledger cannot be reached; protected environments are denied meanwhile.
        public static let unavailable = Code(.unavailable)
        public static let `internal` = Code(.internal)

        public var description: String { kind.rawValue }

        /// The HTTP status of each code, defined once.
        public var status: HTTPResponse.Status {
            switch kind {
            case .badRequest: .badRequest
            case .unauthenticated: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .conflict: .conflict
            case .unprocessable: .unprocessableContent
            case .payloadTooLarge: .contentTooLarge
            case .tooManyRequests: .tooManyRequests
            case .unavailable: .serviceUnavailable
            case .internal: .internalServerError
            }
        }
    }

    public let code: Code
    public let message: String
    public let details: [String: String]

    public init(_ code: Code, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public static func == (a: APIError, b: APIError) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(message)" }
}

extension APIError: HTTPResponseError {
    public var status: HTTPResponse.Status { code.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if code == .unauthenticated { headers[.wwwAuthenticate] = "Bearer realm=\"countersign\"" }
        if let allow = details["allow"] { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The body every error answers with: `{"error": {"code", "message", "details"}}`.
    var body: [UInt8] {
        JSONValue.object([
            "error": .object([
                "code": .string(code.description), "message": .string(message),
                "details": .object(details.mapValues(JSONValue.string)),
            ])
        ]).canonicalBytes
    }
}
