internal import CountersignEncoding

/// The answer to an AdmissionReview: the request's `uid` echoed, allowed or not, a status code and a message
/// naming every offending image, warnings the API server shows the user, and audit annotations it writes to its
/// audit log (what warn mode would have refused).
public struct AdmissionResponse: Sendable, Hashable {
    public let uid: String
    public let allowed: Bool
    /// 200 when allowed, 403 when denied, 400 for a review that could not be read.
    public let code: Int
    public let message: String?
    public let warnings: [String]
    /// `auditAnnotations`: keys the API server prefixes with the webhook's name.
    public let auditAnnotations: [String: String]
    /// In warn mode, the denial enforcement would have answered; nil otherwise. Not part of the review's JSON.
    public let wouldDeny: String?

    public init(
        uid: String, allowed: Bool, code: Int, message: String?, warnings: [String],
        auditAnnotations: [String: String] = [:], wouldDeny: String? = nil
    ) {
        self.wouldDeny = wouldDeny
        self.uid = uid
        self.allowed = allowed
        self.code = code
        self.message = message
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The full `AdmissionReview` response body.
    public var reviewJSON: String {
        var response: [(String, JSONValue)] = [("uid", .string(uid)), ("allowed", .bool(allowed))]
        var status: [(String, JSONValue)] = [("code", .number(Double(code)))]
        if let message { status.append(("message", .string(message))) }
        response.append(("status", .object(status)))
        if !warnings.isEmpty { response.append(("warnings", .array(warnings.map { .string($0) }))) }
        if !auditAnnotations.isEmpty {
            response.append(
                ("auditAnnotations", .object(auditAnnotations.sorted { $0.key < $1.key }.map { ($0, .string($1)) })))
        }
        return JSONValue.object([
            ("apiVersion", .string("admission.k8s.io/v1")), ("kind", .string("AdmissionReview")),
            ("response", .object(response)),
        ]).canonicalString
    }
}
