/// A semantic version (SemVer 2.0.0), ordered by precedence: numeric major.minor.patch, then a release above
/// any of its pre-releases, pre-release identifiers compared numerically or lexically; build metadata ignored.
public final class SemanticVersion: ObjectValue {
    static let type = CELType.opaque("kubernetes.Semver", [])

    public let major: Int64
    public let minor: Int64
    public let patch: Int64
    public let preRelease: [String]
    public let build: [String]

    init(major: Int64, minor: Int64, patch: Int64, preRelease: [String], build: [String]) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.preRelease = preRelease
        self.build = build
    }

    public var celType: CELType { SemanticVersion.type }
    public func isEqual(to other: any ObjectValue) -> Bool { compare(to: other) == 0 }

    public var stringValue: String? {
        var s = "\(major).\(minor).\(patch)"
        if !preRelease.isEmpty { s += "-" + preRelease.joined(separator: ".") }
        if !build.isEmpty { s += "+" + build.joined(separator: ".") }
        return s
    }

    public func compare(to other: any ObjectValue) -> Int? {
        guard let o = other as? SemanticVersion else { return nil }
        for (a, b) in [(major, o.major), (minor, o.minor), (patch, o.patch)] where a != b { return a < b ? -1 : 1 }
        if preRelease.isEmpty || o.preRelease.isEmpty {
            return preRelease.count == o.preRelease.count ? 0 : (preRelease.isEmpty ? 1 : -1)
        }
        for (a, b) in zip(preRelease, o.preRelease) where a != b {
            switch (Int64(a), Int64(b)) {
            case (let x?, let y?): return x < y ? -1 : 1
            case (.some, nil): return -1
            case (nil, .some): return 1
            default: return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
            }
        }
        return preRelease.count == o.preRelease.count ? 0 : (preRelease.count < o.preRelease.count ? -1 : 1)
    }

    public static func parse(_ text: String, normalize: Bool) throws(EvalError) -> SemanticVersion {
        func bad(_ why: String) -> EvalError { EvalError(.invalidArgument, "invalid semver '\(text)': \(why)") }
        var s = Substring(text)
        if normalize, s.hasPrefix("v") { s = s.dropFirst() }
        var build: [String] = []
        if let plus = s.firstIndex(of: "+") {
            build = s[s.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            s = s[..<plus]
            guard build.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isIdentifierCharacter) }) else {
                throw bad("invalid build metadata")
            }
        }
        var pre: [String] = []
        if let dash = s.firstIndex(of: "-") {
            pre = s[s.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            s = s[..<dash]
            for p in pre {
                guard !p.isEmpty, p.allSatisfy(isIdentifierCharacter) else {
                    throw bad("invalid pre-release identifier")
                }
                if p.allSatisfy(\.isNumber) && p.count > 1 && p.hasPrefix("0") {
                    throw bad("numeric pre-release identifiers must not have leading zeros")
                }
            }
        }
        var parts = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if normalize { while parts.count < 3 { parts.append("0") } }
        guard parts.count == 3 else { throw bad("expected major.minor.patch") }
        var numbers: [Int64] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(p) else {
                throw bad("version numbers must be non-negative integers")
            }
            if !normalize && p.count > 1 && p.hasPrefix("0") {
                throw bad("version numbers must not have leading zeros")
            }
            numbers.append(n)
        }
        return SemanticVersion(major: numbers[0], minor: numbers[1], patch: numbers[2], preRelease: pre, build: build)
    }

    private static func isIdentifierCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-")
    }
}
