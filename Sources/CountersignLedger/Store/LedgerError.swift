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
