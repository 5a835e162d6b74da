import ArgumentParser
import CountersignControl
import CountersignCore
import CountersignSupplyChain
import Foundation

/// `countersign artifact …`: resolve tags to digests and verify signatures and provenance against a registry.
struct ArtifactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact", abstract: "Resolve and verify OCI artifacts (cosign signatures, SLSA provenance).",
        subcommands: [ArtifactResolveCommand.self, ArtifactVerifyCommand.self, ArtifactVerifyBundleCommand.self])
}

/// Registry options shared by the commands that talk to registries.
struct RegistryOptions: ParsableArguments {
    @Option(help: "Seconds each registry exchange may take.") var timeout: Double = 10
    @Option(help: "Seconds the whole verification may take, whatever the number of layers.")
    var deadline: Double = 60
    @Option(name: .customLong("plain-http"), help: "A registry host spoken to over plain HTTP (loopback always is).")
    var plainHTTP: [String] = []
    @Option(help: "Registry user name (with COUNTERSIGN_REGISTRY_PASSWORD).") var username: String?
    @Option(
        help: """
            Registry credentials: Docker's config.json or a Kubernetes .dockerconfigjson, the file or its directory \
            (default COUNTERSIGN_DOCKER_CONFIG). --username wins for the image's registry.
            """)
    var dockerConfig: String?

    func validate() throws {
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must lie in (0, 300] seconds") }
        guard deadline > 0, deadline <= 3600 else { throw ValidationError("--deadline must lie in (0, 3600] seconds") }
    }

    /// The client configuration: the credentials file's for every registry, `--username`'s for `registry`.
    func configuration(for registry: String) throws -> RegistryConfiguration {
        try configuration(for: registry, credentials: try credentials())
    }

    /// The credentials file's registry credentials (none without one), or exit 1 saying what is wrong with it.
    func credentials() throws -> [String: RegistryCredentials] {
        guard let path = try Settings(config: nil).value(dockerConfig, "COUNTERSIGN_DOCKER_CONFIG") else {
            return [:]
        }
        do { return try DockerConfig.credentials(atPath: path) } catch { throw ControlError(.badRequest, error.reason) }
    }

    func configuration(for registry: String, credentials: [String: RegistryCredentials]) throws -> RegistryConfiguration
    {
        var c = RegistryConfiguration()
        c.timeout = .milliseconds(Int64(timeout * 1000))
        c.verificationDeadline = .milliseconds(Int64(deadline * 1000))
        c.plainHTTPHosts.formUnion(plainHTTP)
        c.credentials = credentials
        if let username {
            let password = try Settings(config: nil).secret("COUNTERSIGN_REGISTRY_PASSWORD") ?? ""
            c.credentials[registry] = .basic(username: username, password: password)
        }
        return c
    }
}

extension VerificationResult.Verdict {
    /// The CLI's exit status for a verification, the one place it is defined: 0 verified, 3 rejected. 1 is for
    /// errors (unreadable policy, unreachable or broken registry), which decide nothing.
    var exitStatus: Int32 { self == .verified ? 0 : 3 }
}

/// Loads the policy bundle and its ArtifactPolicies with their key files, or exits 1 saying why.
func loadVerificationPolicies(_ path: String) throws -> [VerificationPolicy] {
    let bundle: PolicyBundle
    do { bundle = try PolicyLoader.load(path: path) } catch {
        throw ControlError(.badRequest, error.issues.map(\.description).joined(separator: "\n"))
    }
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    let directory = isDirectory.boolValue ? path : URL(fileURLWithPath: path).deletingLastPathComponent().path
    do { return try VerificationPolicy.all(in: bundle, keyDirectory: directory) } catch {
        throw ControlError(.badRequest, error.reason)
    }
}

/// Parses an image reference or exits 1.
func parseReference(_ text: String) throws -> ImageReference {
    do { return try ImageReference(parsing: text) } catch {
        throw ControlError(.badRequest, error.reason)
    }
}
