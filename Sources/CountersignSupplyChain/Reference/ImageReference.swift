internal import CountersignCore

/// An OCI image reference parsed by the distribution grammar: `[registry[:port]/]path[:tag][@digest]`.
///
/// Docker Hub's defaults apply as `docker pull` applies them: a name whose first component is not a host (no `.`
/// or `:`, not `localhost`) lives on `docker.io`, and a one-component name there is under `library/`. The
/// ``canonical`` form spells everything out, so two spellings of one image compare equal.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`.
    public let registry: String
    /// The repository path inside the registry, `library/nginx` or `demo/app`.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    /// The longest name the distribution grammar allows (registry and path together).
    public static let maxNameLength = 255

    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference; throws ``SupplyChainError/Code/invalidReference`` (or `invalidDigest`) saying what is
    /// wrong. A reference with neither tag nor digest means `:latest`, as clients read it, but ``tag`` stays `nil`
    /// so callers can tell that nothing was pinned.
    public init(parsing text: String) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.invalidReference, "image reference '\(text.prefix(300))' \(why)")
        }
        guard !text.isEmpty else { throw fail("is empty") }
        guard text.utf8.count <= 512 else { throw fail("is longer than 512 bytes") }
        var rest = Substring(text)
        var digest: Digest? = nil
        if let at = rest.firstIndex(of: "@") {
            digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        var tag: String? = nil
        // A colon after the last slash starts the tag; one before it belongs to the registry's port.
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let t = rest[rest.index(after: colon)...]
            guard ImageReference.isTag(t) else { throw fail("has an invalid tag '\(t.prefix(140))'") }
            tag = String(t)
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        var registry = "docker.io"
        if components.count > 1, let first = components.first, ArtifactReference.isRegistryComponent(first) {
            guard ImageReference.isRegistry(first) else { throw fail("has an invalid registry host '\(first)'") }
            registry = String(first)
            components.removeFirst()
        }
        guard !components.isEmpty else { throw fail("has no repository") }
        for c in components where !ImageReference.isPathComponent(c) {
            throw fail(
                "has an invalid path component '\(c.prefix(140))' (lowercase letters and digits, separated by "
                    + "'.', '_', '__' or dashes)")
        }
        let defaulted = ArtifactReference.defaultedPath(registry: registry, path: components.map(String.init))
        registry = defaulted.registry
        let repository = defaulted.path.joined(separator: "/")
        guard registry.utf8.count + 1 + repository.utf8.count <= ImageReference.maxNameLength else {
            throw fail("has a name longer than \(ImageReference.maxNameLength) characters")
        }
        self.init(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// `registry/repository`, the name signatures bind to with `docker-reference`.
    public var name: String { "\(registry)/\(repository)" }

    /// The full form: `registry/repository[:tag][@digest]`, with `:latest` only where it was written.
    public var canonical: String {
        var s = name
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    public var description: String { canonical }

    /// The same image pinned to `digest`, with the tag kept for display only.
    public func pinned(to digest: Digest) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The tag or digest the registry's `/manifests/` endpoint is asked for: the digest when there is one.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// The host the registry API is served from: Docker Hub's API lives on `registry-1.docker.io`.
    public var apiHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }
}

extension ImageReference {
    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    static func isTag(_ s: Substring) -> Bool {
        let u = s.utf8
        guard let first = u.first, u.count <= 128, isWord(first) else { return false }
        return u.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }

    /// `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*`.
    static func isPathComponent(_ s: Substring) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, let last = u.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        var i = 0
        while i < u.count {
            if isLowerAlnum(u[i]) {
                i += 1
                continue
            }
            // A separator run: one '.', one or two '_', or any number of '-'.
            var j = i
            while j < u.count, !isLowerAlnum(u[j]) { j += 1 }
            let run = u[i..<j]
            let ok =
                (run.count == 1 && run.first == UInt8(ascii: ".")) || (run.count <= 2 && run.allSatisfy { $0 == 0x5F })
                || run.allSatisfy { $0 == UInt8(ascii: "-") }
            guard ok else { return false }
            i = j
        }
        return true
    }

    /// A host (DNS labels, IPv4, or a bracketed IPv6 address) with an optional numeric port.
    static func isRegistry(_ s: Substring) -> Bool {
        var host = s
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return false }
            let inner = s[s.index(after: s.startIndex)..<close]
            guard !inner.isEmpty, inner.utf8.allSatisfy({ isHexOrColon($0) }) else { return false }
            let after = s[s.index(after: close)...]
            if after.isEmpty { return true }
            guard after.hasPrefix(":") else { return false }
            return isPort(after.dropFirst())
        }
        if let colon = s.lastIndex(of: ":") {
            guard isPort(s[s.index(after: colon)...]) else { return false }
            host = s[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty
            && labels.allSatisfy { label in
                let u = label.utf8
                guard let f = u.first, let l = u.last, u.count <= 63 else { return false }
                let alnum: (UInt8) -> Bool = { isWord($0) && $0 != 0x5F }
                return alnum(f) && alnum(l) && u.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
            }
    }

    static func isPort(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.count <= 5 && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isHexOrColon(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) || b == 0x3A
            || b == 0x2E || b == 0x25
    }
}
