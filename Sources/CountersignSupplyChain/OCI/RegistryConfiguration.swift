/// How the registry client talks to registries: deadlines, size caps, plain-HTTP hosts and credentials. A plain
/// `Sendable` value; only the CLI or server reads flags and files to fill it in.
public struct RegistryConfiguration: Sendable {
    /// The deadline for each whole exchange (head and body). A registry that is slow, silent or dribbling bytes
    /// fails with ``SupplyChainError/Code/registryUnavailable`` when it passes.
    public var timeout: Duration = .seconds(10)
    /// The deadline for one whole verification — every manifest, layer and referrer it reads — so a hostile registry
    /// answering each of many layers just inside ``timeout`` cannot hold a verification open without bound.
    public var verificationDeadline: Duration = .seconds(60)
    /// Manifests larger than this are refused (distribution itself caps them at 4 MiB).
    public var maxManifestBytes = 4 << 20
    /// Signature, attestation and bundle blobs larger than this are refused.
    public var maxBlobBytes = 16 << 20
    /// Hosts (without port) spoken to over plain HTTP. Loopback only by default; anything else is HTTPS.
    public var plainHTTPHosts: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
    /// Credentials per registry (`ghcr.io`, `127.0.0.1:5000`).
    public var credentials: [String: RegistryCredentials] = [:]

    public init() {}
}

/// Credentials for one registry: used directly for `Basic` challenges and to obtain a token for `Bearer` ones.
public enum RegistryCredentials: Sendable, Hashable {
    case basic(username: String, password: String)
    /// A ready bearer token (for example a CI job's registry token).
    case token(String)
}
