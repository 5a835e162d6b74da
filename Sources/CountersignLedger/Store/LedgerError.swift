/// A ledger operation that failed: malformed input, a damaged or tampered store, or an operational fault.
/// Equality compares the code only, so callers match on what went wrong, not on the wording.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable part of the error; new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
            case invalidInput = "invalid input"
            case tampered
            case storage
            case readOnly = "read-only"
            case notPermitted = "not permitted"
            case limitExceeded = "limit exceeded"
            case busy
            case timedOut = "timed out"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A malformed entry, payload, argument or pack: nothing was written.
        public static let invalidInput = Code(.invalidInput)
        /// The stored log contradicts itself or an earlier checkpoint.
        public static let tampered = Code(.tampered)
        /// The database could not be opened, read or written.
        public static let storage = Code(.storage)
        /// A statement tried to write through a read-only connection.
        public static let readOnly = Code(.readOnly)
        /// The audit console refused a statement: not a plain read of the tables audits may read, or a function,
        /// pragma or table it does not permit.
        public static let notPermitted = Code(.notPermitted)
        /// An audit query ran past its time limit, or built a value larger than the console allows.
        public static let limitExceeded = Code(.limitExceeded)
        /// As many audit queries as the console allows are running; try again when one finishes.
        public static let busy = Code(.busy)
        /// The database did not answer within the store's deadline: it may be down, hung or locked. A write that
        /// timed out was not acknowledged; it may still commit, so read back before writing it again.
        public static let timedOut = Code(.timedOut)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func == (a: LedgerError, b: LedgerError) -> Bool { a.code == b.code }
    public var description: String { message }
}
