internal import CountersignEncoding

/// Cosign's legacy signed payload (`application/vnd.dev.cosign.simplesigning.v1+json`): it binds a signature to
/// an image only through `critical.image.docker-manifest-digest`.
///
/// Parsed strictly, as containers/image does: `critical` holds exactly `identity`, `image` and `type`, each of
/// `identity` and `image` exactly one key, and `type` is the cosign constant. Parse only bytes whose signature
/// has verified — the verifier never looks inside an unauthenticated payload.
public struct SimpleSigningPayload: Sendable, Hashable {
    public static let mediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    public static let signatureType = "cosign container image signature"

    /// The digest the signer vouched for.
    public let manifestDigest: Digest
    /// `critical.identity.docker-reference`: cosign writes the repository, containers/image the full reference.
    public let dockerReference: String
    /// `optional` claims as flat strings (`null` gives none).
    public let annotations: [String: String]

    public init(parsing bytes: [UInt8]) throws(SupplyChainError) {
        let what = "the simple-signing payload"
        let json = try JSONValue.document(bytes, what: what, maxDepth: 16)
        func fail(_ why: String) -> SupplyChainError { SupplyChainError(.malformedDocument, "\(what): \(why)") }
        guard let top = json.objectMembers else { throw fail("is not a JSON object") }
        guard let critical = json["critical"], let fields = critical.objectMembers else {
            throw fail("has no 'critical' object")
        }
        let names = Set(fields.map(\.0))
        guard names == ["identity", "image", "type"] else {
            throw fail(
                "'critical' must hold exactly identity, image and type (has \(names.sorted().joined(separator: ", ")))")
        }
        guard critical["type"]?.stringValue == SimpleSigningPayload.signatureType else {
            throw fail("critical.type is not '\(SimpleSigningPayload.signatureType)'")
        }
        guard let image = critical["image"]?.objectMembers, image.count == 1,
            let digestText = critical["image"]?["docker-manifest-digest"]?.stringValue
        else { throw fail("critical.image must hold exactly a docker-manifest-digest string") }
        guard let identity = critical["identity"]?.objectMembers, identity.count == 1,
            let reference = critical["identity"]?["docker-reference"]?.stringValue
        else { throw fail("critical.identity must hold exactly a docker-reference string") }
        for (key, _) in top where key != "critical" && key != "optional" {
            throw fail("unexpected top-level field '\(key.prefix(60))'")
        }
        do { manifestDigest = try Digest(parsing: digestText) } catch {
            throw fail("critical.image.docker-manifest-digest: \(error.reason)")
        }
        dockerReference = reference
        var annotations: [String: String] = [:]
        if let optional = json["optional"], !optional.isNull {
            guard let entries = optional.objectMembers else { throw fail("'optional' is neither null nor an object") }
            for (k, v) in entries {
                switch v {
                case .string(let s): annotations[k] = s
                case .number: annotations[k] = v.canonicalString
                case .bool(let b): annotations[k] = b ? "true" : "false"
                default: continue
                }
            }
        }
        self.annotations = annotations
    }
}
