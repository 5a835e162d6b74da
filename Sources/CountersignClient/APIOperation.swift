public import NIOHTTP1

/// One operation of the HTTP API as the client commands call it — method, path and the body fields the client may
/// send — declared once here and checked against the OpenAPI document, the wire format's one source of truth, by
/// `ClientContractTests`: a command cannot call a path, a method or a field the server does not document.
public struct APIOperation: Sendable, CustomStringConvertible {
    public let method: HTTPMethod
    /// The OpenAPI path template, `{name}` for each path parameter.
    public let path: String
    /// The body's fields; nil when the body is the user's own document, validated by the server (a request file).
    public let fields: Set<String>?

    public var description: String { "\(method.rawValue) \(path)" }

    init(_ method: HTTPMethod, _ path: String, fields: Set<String>? = []) {
        self.method = method
        self.path = path
        self.fields = fields
    }

    public static let whoami = APIOperation(.GET, "/api/v1/whoami")
    public static let createRequest = APIOperation(.POST, "/api/v1/deploy-requests", fields: nil)
    public static let request = APIOperation(.GET, "/api/v1/deploy-requests/{id}")
    public static let review = APIOperation(
        .POST, "/api/v1/deploy-requests/{id}/reviews", fields: ["decision", "comment"])
    public static let startDeploy = APIOperation(.POST, "/api/v1/deploys", fields: ["request", "id"])
    public static let finishDeploy = APIOperation(.POST, "/api/v1/deploys/{id}/finish", fields: ["outcome"])
    public static let reportCheck = APIOperation(
        .POST, "/api/v1/checks", fields: ["digest", "name", "status", "details"])
    public static let registerBuild = APIOperation(
        .POST, "/api/v1/artifacts", fields: ["reference", "commit", "repository"])
    public static let verifyArtifact = APIOperation(.POST, "/api/v1/artifacts/verify", fields: ["reference"])
    public static let breakGlass = APIOperation(
        .POST, "/api/v1/break-glass", fields: ["freeze", "environment", "service", "reason", "incident", "duration"])
    public static let reviewBreakGlass = APIOperation(
        .POST, "/api/v1/break-glass/{id}/reviews", fields: ["outcome", "notes"])
    public static let openIncident = APIOperation(
        .POST, "/api/v1/incidents", fields: ["title", "severity", "deploys"])
    public static let resolveIncident = APIOperation(.POST, "/api/v1/incidents/{id}/resolve")
    public static let checkpoint = APIOperation(.GET, "/api/v1/ledger/checkpoint")
    public static let consistencyProof = APIOperation(.GET, "/api/v1/ledger/proofs/consistency")

    /// Every operation a command calls.
    public static let all: [APIOperation] = [
        whoami, createRequest, request, review, startDeploy, finishDeploy, reportCheck, registerBuild,
        verifyArtifact, breakGlass, reviewBreakGlass, openIncident, resolveIncident, checkpoint, consistencyProof,
    ]

    /// The path with each `{name}` replaced, in order, by a percent-encoded argument: an id cannot add a segment or
    /// a query.
    public func path(_ arguments: [String]) -> String {
        var result = ""
        var remaining = arguments[...]
        var rest = path[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            result += Self.encode(remaining.popFirst() ?? "")
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// RFC 3986 unreserved characters pass; every other byte is `%XX`, and so is a segment of dots alone, which a
    /// client or proxy would otherwise resolve as `.` or `..`.
    static func encode(_ segment: String) -> String {
        if segment.isEmpty || segment.allSatisfy({ $0 == "." }) {
            return String(repeating: "%2E", count: segment.count)
        }
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
