/// What a proposed policy changes, file by file, as a unified line diff: what the approver reads before publishing.
/// Policy files are small, so the longest common subsequence is computed directly (quadratic, bounded by the
/// loader's file limits).
public struct PolicyDiff: Sendable, Hashable {
    public struct File: Sendable, Hashable {
        public var file: String
        /// `added`, `removed` or `changed`.
        public var change: String
        /// Lines prefixed `+`, `-` or ` ` (context), hunks separated by `@@` lines.
        public var lines: [String]
    }

    public var files: [File]

    public init(from old: [(file: String, text: String)], to new: [(file: String, text: String)]) {
        let before = Dictionary(old.map { ($0.file, $0.text) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { ($0.file, $0.text) }, uniquingKeysWith: { a, _ in a })
        var files: [File] = []
        for name in Set(before.keys).union(after.keys).sorted() {
            switch (before[name], after[name]) {
            case (nil, let text?):
                files.append(File(file: name, change: "added", lines: Self.lines(text).map { "+" + $0 }))
            case (let text?, nil):
                files.append(File(file: name, change: "removed", lines: Self.lines(text).map { "-" + $0 }))
            case (let a?, let b?) where a != b:
                files.append(File(file: name, change: "changed", lines: Self.unified(Self.lines(a), Self.lines(b))))
            default: continue
            }
        }
        self.files = files
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The edit script from `a` to `b` with three lines of context around each change.
    static func unified(_ a: [String], _ b: [String]) -> [String] {
        // lcs[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var script: [(Character, String)] = []
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                script.append((" ", a[i]))
                (i, j) = (i + 1, j + 1)
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                script.append(("+", b[j]))
                j += 1
            } else {
                script.append(("-", a[i]))
                i += 1
            }
        }
        let changed = script.indices.filter { script[$0].0 != " " }
        var keep = Set<Int>()
        for index in changed { for k in max(0, index - 3)...min(script.count - 1, index + 3) { keep.insert(k) } }
        var out: [String] = []
        var previous = -2
        for index in keep.sorted() {
            if index != previous + 1 { out.append("@@") }
            out.append(String(script[index].0) + script[index].1)
            previous = index
        }
        return out
    }
}
