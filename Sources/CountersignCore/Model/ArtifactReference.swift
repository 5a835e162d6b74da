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

    /// Parses a reference; throws a ``PolicyError`` explaining what is wrong.
    public init(parsing text: String) throws(ReferenceError) {
        guard let at = text.lastIndex(of: "@") else {
            throw ReferenceError(
                "artifact '\(text)' is not pinned by digest: approve the digest, not the tag "
                    + "(use repository@sha256:<64 hex>)")
        }
        let digest = String(text[text.index(after: at)...])
        let name = String(text[..<at])
        guard ArtifactReference.isDigest(digest) else {
            throw ReferenceError(
                "artifact '\(text)' has an invalid digest '\(digest)': expected sha256:<64 lowercase hex>")
        }
        var repository = name
        var tag: String? = nil
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") {
            repository = String(name[..<colon])
            tag = String(name[name.index(after: colon)...])
            guard let t = tag, !t.isEmpty, t.utf8.count <= 128, t.utf8.allSatisfy(ArtifactReference.isTagByte)
            else { throw ReferenceError("artifact '\(text)' has an invalid tag") }
        }
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard !repository.isEmpty, components.allSatisfy({ !$0.isEmpty }),
            repository.utf8.allSatisfy(ArtifactReference.isRepositoryByte)
        else { throw ReferenceError("artifact '\(text)' has an invalid repository name '\(repository)'") }
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }
}

extension ArtifactReference {
    /// Whether `text` is a content digest as Countersign binds everything to: `sha256:` and 64 lowercase hex.
    public static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 71 && text.hasPrefix("sha256:")
            && text.utf8.dropFirst(7).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Tag characters: `[A-Za-z0-9_.-]`.
    static func isTagByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E
            || b == 0x2D
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
