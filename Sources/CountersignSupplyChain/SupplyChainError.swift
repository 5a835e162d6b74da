/// A supply-chain operation that could not be carried out: malformed input, an unusable key or a registry fault.
///
/// A signature that does not verify is not an error — it is a rejection inside a ``VerificationResult``. Errors
/// are for what cannot be judged at all. Equality compares the ``code`` only, so callers match on the kind of
/// failure while the reason stays free to name the details.
public struct SupplyChainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code for the kind of failure; the CLI's exit status and the server's HTTP status derive from it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case invalidReference, invalidDigest, malformedDocument, invalidKey, invalidConfiguration
            case registryUnavailable, registryError, unauthorized, notFound, digestMismatch, tooLarge
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A reference or image name that does not follow the distribution grammar.
        public static let invalidReference = Code(.invalidReference)
        /// A digest that is not `sha256:<64 hex>` or `sha512:<128 hex>`.
        public static let invalidDigest = Code(.invalidDigest)
        /// JSON, base64, a manifest, an envelope or a statement that cannot be parsed or is out of bounds.
        public static let malformedDocument = Code(.malformedDocument)
        /// A PEM or PKIX public key that cannot be used.
        public static let invalidKey = Code(.invalidKey)
        /// A policy or client configuration that contradicts itself or names something missing.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The registry could not be reached or did not answer in time.
        public static let registryUnavailable = Code(.registryUnavailable)
        /// The registry answered with an error status or with something that is not a registry answer.
        public static let registryError = Code(.registryError)
        /// The registry refused the credentials, or the token flow failed.
        public static let unauthorized = Code(.unauthorized)
        /// The manifest, tag or blob does not exist.
        public static let notFound = Code(.notFound)
        /// Bytes that do not hash to the digest they were fetched by.
        public static let digestMismatch = Code(.digestMismatch)
        /// A response or document larger than its limit.
        public static let tooLarge = Code(.tooLarge)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What went wrong, naming the input (the URL, the field, the file).
    public let reason: String
    public let file: String
    public let line: UInt

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String { reason }

    public static func == (lhs: SupplyChainError, rhs: SupplyChainError) -> Bool { lhs.code == rhs.code }
}
