/// An OCI artifact pinned by digest: `host[:port]/path[:tag]@sha256:<64 hex>`.
///
/// Approvals, checks and decisions bind to ``digest``; a tag is kept only for display. A reference without a
/// digest is rejected: approve the digest, never the tag.
public struct ArtifactReference: Sendable, Hashable, CustomStringConvertible {
    public let repository: String
    public let tag: String?
    /// `sha256:<64 lowercase hex>`.
    public let digest: String

    public var description: String { "\(repository)@\(digest)" }

    /// Parses a reference; throws a ``ReferenceError`` explaining what is wrong.
    ///
    /// Works on the UTF-8 bytes in place: every separator is ASCII and every valid name is too, so a byte search
    /// finds what a `Character` search would in a valid reference, without grapheme breaking or index arithmetic
    /// (which had made this a fifth of a gate decision).
    public init(parsing text: String) throws(ReferenceError) {
        var contiguous = text
        contiguous.makeContiguousUTF8()
        let parts = contiguous.utf8.withContiguousStorageIfAvailable(Self.split) ?? .failure(.notPinned)
        switch parts {
        case .success(let p):
            repository = Self.string(contiguous, p.repository)
            tag = p.tag.map { Self.string(contiguous, $0) }
            digest = Self.string(contiguous, p.digest)
        case .failure(.notPinned):
            throw ReferenceError(
                "artifact '\(text)' is not pinned by digest: approve the digest, not the tag "
                    + "(use repository@sha256:<64 hex>)")
        case .failure(.digest(let range)):
            throw ReferenceError(
                "artifact '\(text)' has an invalid digest '\(Self.string(contiguous, range))': "
                    + "expected sha256:<64 lowercase hex>")
        case .failure(.tag):
            throw ReferenceError("artifact '\(text)' has an invalid tag")
        case .failure(.repository(let range)):
            throw ReferenceError(
                "artifact '\(text)' has an invalid repository name '\(Self.string(contiguous, range))'")
        }
    }

    /// What is wrong with a reference, by the byte range at fault.
    enum Flaw: Error { case notPinned, digest(Range<Int>), tag, repository(Range<Int>) }

    /// Splits `name[:tag]@digest` at its last `@` and the last `:` after the last `/`, checking each part.
    static func split(_ b: UnsafeBufferPointer<UInt8>) -> Result<
        (repository: Range<Int>, tag: Range<Int>?, digest: Range<Int>), Flaw
    > {
        guard let at = b.lastIndex(of: UInt8(ascii: "@")) else { return .failure(.notPinned) }
        let digest = (at + 1)..<b.count
        guard isDigest(UnsafeBufferPointer(rebasing: b[digest])) else { return .failure(.digest(digest)) }
        var repository = 0..<at
        var tag: Range<Int>? = nil
        if let colon = b[..<at].lastIndex(of: UInt8(ascii: ":")), !b[colon..<at].contains(UInt8(ascii: "/")) {
            repository = 0..<colon
            let t = (colon + 1)..<at
            guard !t.isEmpty, t.count <= 128, b[t].allSatisfy(isTagByte) else { return .failure(.tag) }
            tag = t
        }
        guard isRepository(b[repository]) else { return .failure(.repository(repository)) }
        return .success((repository, tag, digest))
    }

    /// The text of a byte range of `text` (whose UTF-8 is contiguous).
    static func string(_ text: String, _ range: Range<Int>) -> String {
        text.utf8.withContiguousStorageIfAvailable { String(decoding: $0[range], as: UTF8.self) } ?? ""
    }
}

extension ArtifactReference {
    /// ``repository`` as `docker pull` reads it, Docker Hub's defaults spelled out (`nginx` is
    /// `docker.io/library/nginx`): two spellings of one repository compare equal.
    public var canonicalRepository: String { Self.canonicalName(repository) }

    /// `registry/path` with Docker Hub's defaults applied: a first component that is not a host (no `.` or `:`, not
    /// `localhost`, no uppercase) means `docker.io`, where a one-component path is under `library/`; and
    /// `index.docker.io` is `docker.io`. The one rule for this: ``isRegistryComponent(_:)`` and
    /// ``defaultedPath(registry:path:)`` serve the supply chain's image references too.
    public static func canonicalName(_ name: String) -> String {
        var components = name.split(separator: "/", omittingEmptySubsequences: false)
        var registry = "docker.io"
        if components.count > 1, let first = components.first, isRegistryComponent(first) {
            registry = String(first)
            components.removeFirst()
        }
        let (host, path) = defaultedPath(registry: registry, path: components.map(String.init))
        return host + "/" + path.joined(separator: "/")
    }

    /// Whether a reference's first component names a registry host rather than a path component.
    public static func isRegistryComponent(_ first: Substring) -> Bool {
        first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase)
    }

    /// Docker Hub's spellings made one: `index.docker.io` is `docker.io`, whose one-component paths live under
    /// `library/`.
    public static func defaultedPath(registry: String, path: [String]) -> (registry: String, path: [String]) {
        let registry = registry == "index.docker.io" ? "docker.io" : registry
        return (registry, registry == "docker.io" && path.count == 1 ? ["library"] + path : path)
    }

    /// Whether `text` is a content digest as Countersign binds everything to: `sha256:` and 64 lowercase hex.
    public static func isDigest(_ text: String) -> Bool {
        guard text.utf8.count == 71 else { return false }
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable(isDigest) ?? false
    }

    static func isDigest(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.count == 71 && b.starts(with: "sha256:".utf8)
            && b[7...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Tag characters: `[A-Za-z0-9_.-]`.
    static func isTagByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E
            || b == 0x2D
    }

    /// A repository path: non-empty, its `/`-separated components non-empty, every byte a path character.
    static func isRepository(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var previous = UInt8(ascii: "/")
        for b in bytes {
            guard isRepositoryByte(b), !(b == UInt8(ascii: "/") && previous == b) else { return false }
            previous = b
        }
        return previous != UInt8(ascii: "/")
    }

    /// Registry and repository path characters: lowercase letters, digits, `._-/:` (a registry port).
    static func isRepositoryByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D || b == 0x2F
            || b == 0x3A
    }
}

/// An artifact reference that cannot be used.
public struct ReferenceError: Error, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
