/// A failure of a control-plane operation: a stable code, a reason a person can act on, and where it was raised.
///
/// The control layer knows no transport. Each front end maps a code once: the server to an HTTP status and the
/// one error body (`ControlError+HTTP.swift` in CountersignServer), the CLI to an exit status (`ExitStatus.swift`
/// in countersign). Equality is on the code only, so a test or a caller matches the kind of failure, not its
/// wording.
public struct ControlError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
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
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Malformed or invalid input; `details` names the field.
        public static let badRequest = Code(.badRequest)
        /// No credential, or one that is unknown, expired or revoked.
        public static let unauthenticated = Code(.unauthenticated)
        /// The caller's role may not do this, or separation of duties forbids it.
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

        /// Every code, for the maps that must cover them all (and their tests).
        public static let all: [Code] = [
            .badRequest, .unauthenticated, .forbidden, .notFound, .methodNotAllowed, .conflict, .unprocessable,
            .payloadTooLarge, .tooManyRequests, .unavailable, .internal,
        ]

        /// The wire word, e.g. `bad_request`: stable, and what clients match on.
        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// Machine-readable context: `field`, `header`, `allow`, …
    public let details: [String: String]
    /// Where the error was raised, for logs; never shown to a client.
    public let file: String
    public let line: Int

    public init(
        _ code: Code, _ message: String, details: [String: String] = [:], file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.file = file
        self.line = line
    }

    public static func == (a: ControlError, b: ControlError) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(message)" }
}
