internal import CountersignEncoding
internal import Foundation

/// The fields of a SLSA provenance predicate (v1 or v0.2) that a policy checks, read the same way whichever
/// version wrote them.
///
/// v1: `runDetails.builder.id`, `buildDefinition.buildType`, the source from `externalParameters.workflow`
/// (GitHub's build type) or `resolvedDependencies[0]` (`git+https://…@refs/…`, digest `gitCommit`).
/// v0.2: `builder.id`, `buildType`, `invocation.configSource` (`uri`, `digest.sha1`),
/// `invocation.environment.github_ref`, `materials[0]`.
public struct SLSAProvenance: Sendable {
    public static let v1 = "https://slsa.dev/provenance/v1"
    public static let v02 = "https://slsa.dev/provenance/v0.2"

    public let predicateType: String
    public let builderID: String
    public let buildType: String
    /// `https://github.com/o/r` (a `git+` prefix removed).
    public let sourceRepository: String?
    /// `refs/heads/main`, `refs/tags/v1.2.0`.
    public let sourceRef: String?
    public let sourceCommit: String?
    let predicate: JSONValue

    /// Reads the predicate of `statement`; throws when it is not SLSA provenance or lacks a builder.
    public init(statement: InTotoStatement) throws(SupplyChainError) {
        let p = statement.predicate
        predicateType = statement.predicateType
        predicate = p
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the SLSA provenance \(why)")
        }
        var repository: String? = nil
        var ref: String? = nil
        var commit: String? = nil
        var uriSource: (repository: String, ref: String?)? = nil
        switch statement.predicateType {
        case SLSAProvenance.v1:
            guard let id = p["runDetails"]?["builder"]?["id"]?.stringValue else {
                throw fail("has no runDetails.builder.id")
            }
            builderID = id
            buildType = p["buildDefinition"]?["buildType"]?.stringValue ?? ""
            let workflow = p["buildDefinition"]?["externalParameters"]?["workflow"]
            repository = workflow?["repository"]?.stringValue
            ref = workflow?["ref"]?.stringValue
            if let first = p["buildDefinition"]?["resolvedDependencies"]?.arrayValue?.first {
                if let uri = first["uri"]?.stringValue { uriSource = SLSAProvenance.split(uri) }
                commit = first["digest"]?["gitCommit"]?.stringValue ?? first["digest"]?["sha1"]?.stringValue
            }
        case SLSAProvenance.v02:
            guard let id = p["builder"]?["id"]?.stringValue else { throw fail("has no builder.id") }
            builderID = id
            buildType = p["buildType"]?.stringValue ?? ""
            let config = p["invocation"]?["configSource"]
            if let uri = config?["uri"]?.stringValue { uriSource = SLSAProvenance.split(uri) }
            commit = config?["digest"]?["sha1"]?.stringValue ?? config?["digest"]?["gitCommit"]?.stringValue
            ref = p["invocation"]?["environment"]?["github_ref"]?.stringValue
            if uriSource == nil, let first = p["materials"]?.arrayValue?.first, let uri = first["uri"]?.stringValue {
                uriSource = SLSAProvenance.split(uri)
                commit = commit ?? first["digest"]?["sha1"]?.stringValue
            }
        default:
            throw fail("has predicate type '\(statement.predicateType.prefix(120))', not SLSA provenance v1 or v0.2")
        }
        if let uriSource {
            // Compared in one form (`git+`, `.git` dropped): `git+https://…/app.git@…` is the workflow's `…/app`.
            let normalized = repository.map(SLSAProvenance.normalize)
            let named = SLSAProvenance.normalize(uriSource.repository)
            if let normalized, normalized != named {
                throw fail("names two source repositories, \(normalized) and \(named)")
            }
            if let r = ref, let u = uriSource.ref, r != u {
                throw fail("names two source refs, \(r) and \(u)")
            }
            repository = uriSource.repository
            ref = ref ?? uriSource.ref
        }
        sourceRepository = repository.map(SLSAProvenance.normalize)
        sourceRef = ref
        sourceCommit = commit
    }

    /// `git+https://github.com/o/r@refs/heads/main` → (`https://github.com/o/r`, `refs/heads/main`).
    static func split(_ uri: String) -> (repository: String, ref: String?) {
        var s = Substring(uri)
        if s.hasPrefix("git+") { s = s.dropFirst(4) }
        // The ref follows the first '@' after the scheme's '//' (an '@' in userinfo would come before the host).
        let searchStart = s.range(of: "://").map(\.upperBound) ?? s.startIndex
        if let at = s[searchStart...].firstIndex(of: "@") {
            return (String(s[..<at]), String(s[s.index(after: at)...]))
        }
        return (String(s), nil)
    }

    static func normalize(_ repository: String) -> String {
        var s = Substring(repository)
        if s.hasPrefix("git+") { s = s.dropFirst(4) }
        if s.hasSuffix(".git") { s = s.dropLast(4) }
        return String(s)
    }
}
