/// Pass, fail and skip counts per file and section, and the failures with their reasons.
public struct ConformanceReport: Sendable {
    public struct Counts: Sendable {
        public var passed = 0
        public var failed = 0
        public var skipped = 0
    }

    /// A failing test.
    public struct Failure: Sendable, CustomStringConvertible {
        public let id: String
        public let expr: String
        public let reason: String
        public var description: String { "FAIL \(id)\n  expr: \(expr)\n  \(reason)" }
    }

    public private(set) var files: [(name: String, counts: Counts)] = []
    public private(set) var sections: [String: Counts] = [:]
    public private(set) var failures: [Failure] = []

    /// Failures are always unexpected: skipped tests are not run.
    public var unexpectedFailures: [Failure] { failures }

    public var total: Counts {
        files.reduce(into: Counts()) {
            $0.passed += $1.counts.passed
            $0.failed += $1.counts.failed
            $0.skipped += $1.counts.skipped
        }
    }

    mutating func begin(file: String) {
        if files.last?.name != file { files.append((file, Counts())) }
    }

    mutating func record(_ test: ConformanceTest, outcome: ConformanceOutcome) {
        let parts = test.id.split(separator: "/", maxSplits: 2).map(String.init)
        let file = parts[0]
        if files.last?.name != file { files.append((file, Counts())) }
        let section = parts.count > 1 ? "\(file)/\(parts[1])" : file
        switch outcome {
        case .passed:
            files[files.count - 1].counts.passed += 1
            sections[section, default: Counts()].passed += 1
        case .skipped:
            files[files.count - 1].counts.skipped += 1
            sections[section, default: Counts()].skipped += 1
        case .failed(let reason):
            files[files.count - 1].counts.failed += 1
            sections[section, default: Counts()].failed += 1
            failures.append(Failure(id: test.id, expr: test.expr, reason: reason))
        }
    }

    /// The per-file table, then the skip count, ending with the line `N passed, N failed`.
    public func table() -> String {
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? fill + s : s + fill
        }
        var out =
            pad("file", 18) + pad("passed", 8, left: true) + pad("failed", 8, left: true)
            + pad("skipped", 9, left: true) + "\n"
        for (name, c) in files {
            out +=
                pad(name, 18) + pad(String(c.passed), 8, left: true) + pad(String(c.failed), 8, left: true)
                + pad(String(c.skipped), 9, left: true) + "\n"
        }
        let t = total
        out += "\(t.skipped) skipped (on the skip list: they need protobuf message types)\n"
        out += "\(t.passed) passed, \(t.failed) failed"
        return out
    }
}
