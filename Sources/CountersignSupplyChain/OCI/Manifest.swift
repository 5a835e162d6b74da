internal import CountersignEncoding

/// An image manifest or an image index (OCI or Docker v2), parsed from bytes already checked against their
/// digest. Only what verification needs is kept: the layers of a signature manifest and the entries of an index.
public struct Manifest: Sendable {
    public let mediaType: String
    public let digest: Digest
    /// Image manifest layers (empty for an index).
    public let layers: [Descriptor]
    /// Index entries (empty for an image manifest).
    public let manifests: [Descriptor]
    public let artifactType: String?
    public let subject: Descriptor?

    public var isIndex: Bool { MediaType.isIndex(mediaType) }

    /// The most layers or index entries accepted: a signature manifest has a handful.
    public static let maxEntries = 1024

    /// Parses `bytes`; `contentType` is the registry's `Content-Type`, used when the document omits `mediaType`.
    public init(parsing bytes: [UInt8], digest: Digest, contentType: String?) throws(SupplyChainError) {
        let what = "manifest \(digest)"
        let json = try JSONValue.document(bytes, what: what, maxDepth: 16)
        func fail(_ why: String) -> SupplyChainError { SupplyChainError(.malformedDocument, "\(what) \(why)") }
        guard json.objectMembers != nil else { throw fail("is not a JSON object") }
        guard json["schemaVersion"]?.integerValue == 2 else { throw fail("is not schemaVersion 2") }
        let declared = json["mediaType"]?.stringValue
        let header = contentType?.split(separator: ";").first.map { $0.trimmingSpaces }
        if let declared, let header, declared != header, header != "application/json" {
            throw fail("declares media type \(declared) but was served as \(header)")
        }
        var type = declared ?? header ?? ""
        if type.isEmpty || type == "application/json" {
            type = json["manifests"] != nil ? MediaType.ociIndex : MediaType.ociManifest
        }
        mediaType = type
        self.digest = digest
        artifactType = json["artifactType"]?.stringValue
        subject = try json["subject"].map { j throws(SupplyChainError) in
            try Descriptor(json: j, what: "\(what) subject")
        }
        func list(_ key: String) throws(SupplyChainError) -> [Descriptor] {
            guard let items = json[key] else { return [] }
            guard let array = items.arrayValue else { throw fail("has a '\(key)' that is not an array") }
            guard array.count <= Manifest.maxEntries else { throw fail("has more than \(Manifest.maxEntries) \(key)") }
            var out: [Descriptor] = []
            for (n, item) in array.enumerated() { out.append(try Descriptor(json: item, what: "\(what) \(key)[\(n)]")) }
            return out
        }
        if MediaType.isIndex(type) {
            manifests = try list("manifests")
            layers = []
        } else if type == MediaType.ociManifest || type == MediaType.dockerManifest {
            guard json["config"] != nil else { throw fail("has no config") }
            layers = try list("layers")
            manifests = []
        } else {
            throw fail("has unsupported media type \(type.prefix(100))")
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
