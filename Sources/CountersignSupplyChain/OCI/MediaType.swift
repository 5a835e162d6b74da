/// The manifest and artifact media types the registry client deals in.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let sigstoreBundle = "application/vnd.dev.sigstore.bundle.v0.3+json"

    /// What every manifest request accepts. A registry (distribution 2.8) answers 404 `MANIFEST_UNKNOWN` for an
    /// OCI manifest unless its type is listed here — which a client must not mistake for "unsigned".
    public static let manifestAccept = [ociManifest, ociIndex, dockerManifest, dockerManifestList].joined(
        separator: ", ")

    static func isIndex(_ type: String?) -> Bool { type == ociIndex || type == dockerManifestList }
}
