/// A canary operation that could not be carried out: malformed input, a malformed configuration, or a statistic
/// that the data leaves undefined. Equality compares the code only, so callers match on what went wrong, not on
/// the wording.
///
/// Judges never throw this for data they can classify: a metric whose statistics fail becomes an `error`
/// classification inside the judgement. It is thrown by the statistics functions and by the configuration
/// decoder.
public struct CanaryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable part of the error; new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
            case invalidInput = "invalid input"
            case invalidConfiguration = "invalid configuration"
            case undefinedStatistic = "undefined statistic"
            case tooManySamples = "too many samples"
            case measurementFailed = "measurement failed"
            case notFound = "not found"
            case unavailable
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// An argument out of its domain: NaN where none is allowed, an empty sample, a confidence outside (0, 1).
        public static let invalidInput = Code(.invalidInput)
        /// A canary configuration that is not well-formed; the message names the field.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The data leave the statistic undefined, e.g. a confidence interval when every observation is tied.
        public static let undefinedStatistic = Code(.undefinedStatistic)
        /// A series longer than the configured limit; refused before any work so a runaway query cannot stall a
        /// judge.
        public static let tooManySamples = Code(.tooManySamples)
        /// A metric provider could not produce a value: the server is unreachable or answered with an error or
        /// with a response that is not what the query type promises.
        public static let measurementFailed = Code(.measurementFailed)
        /// A canary configuration or execution that does not exist.
        public static let notFound = Code(.notFound)
        /// Where executions are kept cannot be reached (the ledger is down): try again.
        public static let unavailable = Code(.unavailable)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// Where the error was raised, for diagnostics only.
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public static func == (a: CanaryError, b: CanaryError) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(message)" }
}
