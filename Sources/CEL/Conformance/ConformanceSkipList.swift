internal import Foundation

/// The conformance tests deliberately not run, each by exact id (`file/section/test`) with a reason.
///
/// Format: one id per line, optionally followed by `# reason`; blank lines and lines starting with `#` are ignored.
public struct ConformanceSkipList: Sendable {
    /// Reasons by test id.
    public private(set) var reasons: [String: String] = [:]

    public init() {}

    /// Parses the skip-list text format.
    public init(text: String) {
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let parts = line.split(separator: "#", maxSplits: 1)
            let id = parts[0].trimmingCharacters(in: .whitespaces)
            reasons[id] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
    }

    /// Reads a skip-list file.
    public init(contentsOf path: String) throws {
        self.init(text: try String(contentsOfFile: path, encoding: .utf8))
    }

    public func contains(_ id: String) -> Bool { reasons[id] != nil }
}
