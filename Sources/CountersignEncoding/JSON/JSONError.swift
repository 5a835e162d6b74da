/// Why a JSON document was refused, or a value could not be converted: one error for the whole JSON layer.
///
/// Equality is on the code only (STYLE.md), so tests and callers branch on what happened, not on the wording.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. A struct over a private enum, so codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case syntax, duplicateKey, invalidUTF8, tooDeep, tooLarge, inexactNumber, invalidValue, notRepresentable
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Not JSON (RFC 8259): a stray character, a missing comma, an unterminated string, a lone surrogate.
        public static let syntax = Code(.syntax)
        /// An object names the same member twice: two readers could see two different documents (I-JSON §2.3).
        public static let duplicateKey = Code(.duplicateKey)
        /// The bytes are not UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Nesting beyond the limit.
        public static let tooDeep = Code(.tooDeep)
        /// More bytes than the limit.
        public static let tooLarge = Code(.tooLarge)
        /// A number that a double cannot hold as written: an integer beyond 2^53 that would be rounded, or a
        /// magnitude beyond the double range.
        public static let inexactNumber = Code(.inexactNumber)
        /// Well-formed JSON that is not the value expected: a missing field, a string where a number belongs.
        public static let invalidValue = Code(.invalidValue)
        /// A value JSON cannot represent: a NaN or infinite number.
        public static let notRepresentable = Code(.notRepresentable)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// What was wrong, for people: names the byte offset or the field.
    public let message: String
    /// The byte offset in the document, for errors found while reading text.
    public let offset: Int?

    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        offset.map { "invalid JSON at byte \($0): \(message)" } ?? message
    }

    public static func == (a: JSONError, b: JSONError) -> Bool { a.code == b.code }
}
