/// An OCI content descriptor: what a manifest says about a blob or another manifest.
public struct Descriptor: Sendable, Hashable {
    public let mediaType: String
    public let digest: Digest
    public let size: Int
    public let annotations: [String: String]
    public let artifactType: String?
    /// `os/architecture[/variant]` for an index entry that has a platform.
    public let platform: String?

    init(json: JSON, what: String) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError { SupplyChainError(.malformedDocument, "\(what) \(why)") }
        guard json.fields != nil else { throw fail("is not an object") }
        guard let type = json["mediaType"]?.string else { throw fail("has no mediaType") }
        guard let d = json["digest"]?.string else { throw fail("has no digest") }
        guard let size = json["size"]?.int, size >= 0 else { throw fail("has no valid size") }
        mediaType = type
        digest = try Digest(parsing: d)
        self.size = size
        var annotations: [String: String] = [:]
        for (k, v) in json["annotations"]?.fields ?? [] {
            guard let s = v.string else { throw fail("has a non-string annotation '\(k.prefix(60))'") }
            annotations[k] = s
        }
        self.annotations = annotations
        artifactType = json["artifactType"]?.string
        if let os = json["platform"]?["os"]?.string, let arch = json["platform"]?["architecture"]?.string {
            let variant = json["platform"]?["variant"]?.string
            platform = variant.map { "\(os)/\(arch)/\($0)" } ?? "\(os)/\(arch)"
        } else {
            platform = nil
        }
    }
}
