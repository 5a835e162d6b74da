public import CountersignControl
internal import CountersignEncoding
public import Hummingbird

extension ControlError.Code {
    /// The HTTP status of each code: the server's one code → status map.
    public var status: HTTPResponse.Status {
        switch self {
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
        default: .internalServerError
        }
    }
}

/// Every failure the API answers has one shape, `{"error": {"code", "message", "details"}}`; a client parses one
/// body everywhere. Where the error was raised (`file`, `line`) stays in the logs.
extension ControlError: HTTPResponseError {
    public var status: HTTPResponse.Status { code.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if code == .unauthenticated { headers[.wwwAuthenticate] = "Bearer realm=\"countersign\"" }
        if let allow = details["allow"] { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The body every error answers with.
    var body: [UInt8] {
        JSONValue.object([
            "error": .object([
                "code": .string(code.description), "message": .string(message),
                "details": .object(details.mapValues(JSONValue.string)),
            ])
        ]).canonicalBytes
    }
}
