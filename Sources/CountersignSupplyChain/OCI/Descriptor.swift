internal import CountersignEncoding

/// An OCI content descriptor: what a manifest says about a blob or another manifest.
public struct Descriptor: Sendable, Hashable {
    public let mediaType: String
    public let digest: Digest
    public let size: Int
    public let annotations: [String: String]
    public let artifactType: String?
    /// `os/architecture[/variant]` for an index entry that has a platform.
    public let platform: String?

    init(json: JSONValue, what: String) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError { SupplyChainError(.malformedDocument, "\(what) \(why)") }
        guard json.objectMembers != nil else { throw fail("is not an object") }
        guard let type = json["mediaType"]?.stringValue else { throw fail("has no mediaType") }
        guard let d = json["digest"]?.stringValue else { throw fail("has no digest") }
        guard let size = json["size"]?.integerValue, size >= 0 else { throw fail("has no valid size") }
        mediaType = type
        digest = try Digest(parsing: d)
        self.size = size
        var annotations: [String: String] = [:]
        for (k, v) in json["annotations"]?.objectMembers ?? [] {
            guard let s = v.stringValue else { throw fail("has a non-string annotation '\(k.prefix(60))'") }
            annotations[k] = s
        }
        self.annotations = annotations
        artifactType = json["artifactType"]?.stringValue
        if let os = json["platform"]?["os"]?.stringValue, let arch = json["platform"]?["architecture"]?.stringValue {
            let variant = json["platform"]?["variant"]?.stringValue
            platform = variant.map { "\(os)/\(arch)/\($0)" } ?? "\(os)/\(arch)"
        } else {
            platform = nil
        }
    }
}
