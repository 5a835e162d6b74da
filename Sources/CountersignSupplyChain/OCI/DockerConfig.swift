internal import CountersignEncoding
internal import Foundation

/// Registry credentials where teams already keep them: Docker's `config.json` (what `docker login` writes), a
/// Kubernetes `kubernetes.io/dockerconfigjson` secret's `.dockerconfigjson` (the same `{"auths": …}` document), or
/// the older `.dockercfg` (the registry map without `auths`). Mount the secret; point the server or the CLI at the
/// file (or the directory it is mounted in).
///
/// Per registry: `auth` (base64 `user:password`), or `username` and `password`, or a `registrytoken` (a ready bearer
/// token). Docker Hub's keys (`https://index.docker.io/v1/`) name `docker.io`; a key's scheme and path are dropped, so
/// `https://ghcr.io` is `ghcr.io`. Credential helpers (`credsStore`, `credHelpers`) run programs that this process
/// cannot and should not run, and an `identitytoken` is an OAuth refresh token only a helper exchanges: a registry
/// left with neither inline credentials nor a token is an error naming it, never silently anonymous.
public enum DockerConfig {
    /// The largest file read: a config with hundreds of registries is a few tens of kilobytes.
    static let maxBytes = 1 << 20

    /// Reads `path`: a file, or a directory holding `config.json`, `.dockerconfigjson` or `.dockercfg`.
    public static func credentials(atPath path: String) throws(SupplyChainError) -> [String: RegistryCredentials] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SupplyChainError(.invalidConfiguration, "registry credentials \(path): no such file or directory")
        }
        var file = path
        if isDirectory.boolValue {
            guard
                let found = ["config.json", ".dockerconfigjson", ".dockercfg"].map({ path + "/" + $0 }).first(where: {
                    FileManager.default.fileExists(atPath: $0)
                })
            else {
                throw SupplyChainError(
                    .invalidConfiguration,
                    "registry credentials \(path): the directory holds no config.json, .dockerconfigjson or .dockercfg")
            }
            file = found
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SupplyChainError(.invalidConfiguration, "registry credentials \(file): cannot be read")
        }
        guard data.count <= maxBytes else {
            throw SupplyChainError(.invalidConfiguration, "registry credentials \(file): larger than 1 MiB")
        }
        return try credentials(json: [UInt8](data), source: file)
    }

    /// Reads the document's credentials, keyed by registry host as image references name it.
    public static func credentials(json bytes: [UInt8], source: String) throws(SupplyChainError)
        -> [String: RegistryCredentials]
    {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.invalidConfiguration, "registry credentials \(source): \(why)")
        }
        let document: JSONValue
        do { document = try JSONValue.document(bytes, what: "the document", maxDepth: 8) } catch {
            throw fail(error.reason)
        }
        guard let top = document.objectMembers else { throw fail("is not a JSON object") }
        // `.dockercfg` is the registry map itself; config.json and .dockerconfigjson hold it under `auths`.
        let auths: [(String, JSONValue)]
        if let value = document["auths"] {
            guard let members = value.objectMembers else { throw fail("'auths' is not an object") }
            auths = members
        } else if document["credsStore"] != nil || document["credHelpers"] != nil {
            auths = []
        } else {
            auths = top
        }
        var out: [String: RegistryCredentials] = [:]
        for (key, entry) in auths {
            let registry = registryHost(key)
            guard !registry.isEmpty else { throw fail("'\(key)' names no registry") }
            guard entry.objectMembers != nil else { throw fail("the entry for \(key) is not an object") }
            let credentials: RegistryCredentials
            if let auth = entry["auth"]?.stringValue, !auth.isEmpty {
                let decoded: [UInt8]
                do { decoded = try Base64.decode(auth, what: "the auth of \(key)") } catch { throw fail(error.reason) }
                guard let text = String(validating: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":")
                else { throw fail("the auth of \(key) is not base64 of user:password") }
                credentials = .basic(
                    username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            } else if let user = entry["username"]?.stringValue, let password = entry["password"]?.stringValue {
                credentials = .basic(username: user, password: password)
            } else if let token = entry["registrytoken"]?.stringValue, !token.isEmpty {
                credentials = .token(token)
            } else if entry["identitytoken"] != nil {
                throw fail(
                    "\(key) has only an identity token (an OAuth refresh token a credential helper exchanges); give "
                        + "a username and password or a registry token")
            } else {
                throw fail("\(key) has no auth, username and password, or registry token")
            }
            if let existing = out[registry], existing != credentials {
                throw fail("two different credentials for \(registry)")
            }
            out[registry] = credentials
        }
        if out.isEmpty {
            let helper = document["credsStore"]?.stringValue.map { " (they are kept by the helper '\($0)')" } ?? ""
            throw fail("holds no inline credentials\(helper); Countersign reads `auths` entries only")
        }
        return out
    }

    /// The registry host a config key names, as an image reference names it: scheme and path dropped, lowercased,
    /// Docker Hub's historical names made `docker.io`.
    static func registryHost(_ key: String) -> String {
        var host = Substring(key.trimmingCharacters(in: .whitespaces))
        for scheme in ["https://", "http://"] where host.lowercased().hasPrefix(scheme) {
            host = host.dropFirst(scheme.count)
        }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        let name = host.lowercased()
        return ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(name)
            ? "docker.io" : name
    }
}
