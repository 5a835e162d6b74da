/// One problem in a policy document, with where it is.
public struct PolicyIssue: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the format editors and CI annotate.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// A policy bundle that failed validation: every issue found, not just the first.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public let issues: [PolicyIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
