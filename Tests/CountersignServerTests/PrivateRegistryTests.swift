import AsyncHTTPClient
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Issue 18 item 8: a private registry, as teams run one — Debian's docker-registry (distribution) behind htpasswd
/// — holding the seeded signed image, copied there by skopeo. Anonymous verification is refused with the reason;
/// credentials from Docker's config.json or a mounted Kubernetes `.dockerconfigjson` verify, in the CLI and in
/// `countersign serve`; a wrong password is refused.
@Suite(.serialized) struct PrivateRegistryTests {
    static let user = "countersign"
    static let password = "sealed-registry-pass"
    /// `htpasswd -B` of ``password`` (made once with Python's `crypt`, bcrypt cost 12): distribution accepts bcrypt
    /// entries only.
    static let htpasswd = "countersign:$2b$12$u8ZTt5R8D0mo./BgaCTLG.tltZY8wSA7Yj0YlGUzfozTc64gUxmMC\n"

    /// A running registry that demands Basic credentials, and what it holds.
    final class PrivateRegistry {
        let process: ChildProcess
        let host: String
        let directory: URL

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("private-registry-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try PrivateRegistryTests.htpasswd.write(
                to: directory.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
            let port = try Spawn.run("/bin/bash", ["-c", "source scripts/lib.sh && free_port"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            host = "127.0.0.1:\(port)"
            let config = """
                version: 0.1
                log: {level: warn}
                storage:
                  filesystem: {rootdirectory: \(directory.path)/data}
                http:
                  addr: \(host)
                auth:
                  htpasswd: {realm: countersign-test, path: \(directory.path)/htpasswd}
                """
            try config.write(to: directory.appendingPathComponent("config.yml"), atomically: true, encoding: .utf8)
            process = try ChildProcess(
                "/usr/bin/docker-registry", ["serve", directory.appendingPathComponent("config.yml").path],
                standardOutput: .discard, standardError: .discard)
            // Up when /v2/ answers — with 401, since it wants credentials.
            var status: UInt = 0
            for _ in 0..<100 where status != 401 {
                try await Task.sleep(for: .milliseconds(100))
                let request = HTTPClientRequest(url: "http://\(host)/v2/")
                status = (try? await HTTPClient.shared.execute(request, timeout: .seconds(1)).status.code) ?? 0
            }
            guard status == 401 else {
                process.terminate()
                throw CommandRunner.RunnerError(message: "the htpasswd registry at \(host) did not come up (\(status))")
            }
        }

        /// `skopeo copy` of `tag` (or the digest) from the seeded registry's `repository` into `private/app`.
        func copy(from seed: RegistrySeed, _ source: String, to tag: String) throws {
            try Spawn.run(
                "/usr/bin/skopeo",
                [
                    "copy", "--quiet", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
                    "--dest-creds", "\(PrivateRegistryTests.user):\(PrivateRegistryTests.password)",
                    "docker://\(seed.registry)/\(source)", "docker://\(host)/private/app:\(tag)",
                ])
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// A policy over the private repository: the seed's release key signed it and its SLSA provenance names the
    /// trusted builder. The copy's signature names the seed's repository, so `matchDockerReference` stays off.
    static func policy(_ seed: RegistrySeed, in directory: URL) throws -> String {
        let keys = seed.directory.appendingPathComponent("keys").path
        let path = directory.appendingPathComponent("policy.yaml").path
        try """
        apiVersion: countersign.dev/v1alpha1
        kind: ArtifactPolicy
        metadata: { name: private-release }
        spec:
          images: ["127.0.0.1:*/private/*"]
          signatures: { keys: [\(keys)/release.pub] }
          provenance:
            builders: ["https://github.com/actions/runner/github-hosted"]
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: ci }
        spec: { kind: automation, roles: [builder] }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func dockerConfig(_ host: String, password: String = PrivateRegistryTests.password) -> String {
        let auth = Data("\(user):\(password)".utf8).base64EncodedString()
        return #"{"auths": {"\#(host)": {"auth": "\#(auth)"}}, "HttpHeaders": {"User-Agent": "Docker-Client"}}"#
    }

    @Test func credentialsFromDockerAndKubernetesVerifyAndAnonymityIsRefused() async throws {
        let seed = try await RegistrySeed.get()
        let registry = try await PrivateRegistry()
        let digest = seed.digest
        let tag = digest.replacingOccurrences(of: ":", with: "-")
        try registry.copy(from: seed, "demo/app@\(digest)", to: "v1")
        try registry.copy(from: seed, "demo/app:\(tag).sig", to: "\(tag).sig")
        try registry.copy(from: seed, "demo/app:\(tag).att", to: "\(tag).att")
        let policy = try Self.policy(seed, in: registry.directory)
        let image = "\(registry.host)/private/app@\(digest)"

        // Anonymous: the registry says 401, and the CLI says so (exit 1: an error, not a rejection).
        let anonymous = try CommandRunner.run(["artifact", "verify", image, "--policy", policy])
        #expect(anonymous.status == 1, "\(anonymous.stdout)\(anonymous.stderr)")
        #expect(anonymous.stderr.contains("wants Basic credentials; none are configured"), "\(anonymous.stderr)")

        // Docker's config.json, by flag.
        let config = registry.directory.appendingPathComponent("config.json")
        try Self.dockerConfig(registry.host).write(to: config, atomically: true, encoding: .utf8)
        let docker = try CommandRunner.run([
            "artifact", "verify", image, "--policy", policy, "--docker-config", config.path,
        ])
        #expect(docker.status == 0, "\(docker.stdout)\(docker.stderr)")
        #expect(docker.stdout.contains("verified"), "\(docker.stdout)")

        // A Kubernetes secret mounted as a directory (`.dockerconfigjson`, keyed by URL), by environment.
        let mounted = registry.directory.appendingPathComponent("secret")
        try FileManager.default.createDirectory(at: mounted, withIntermediateDirectories: true)
        try
            #"{"auths": {"http://\#(registry.host)/v2/": {"username": "\#(Self.user)", "password": "\#(Self.password)"}}}"#
            .write(to: mounted.appendingPathComponent(".dockerconfigjson"), atomically: true, encoding: .utf8)
        let kubernetes = try CommandRunner.run(
            ["artifact", "verify", image, "--policy", policy], environment: ["COUNTERSIGN_DOCKER_CONFIG": mounted.path])
        #expect(kubernetes.status == 0, "\(kubernetes.stdout)\(kubernetes.stderr)")

        // A wrong password is the registry's refusal, said as such.
        let wrong = registry.directory.appendingPathComponent("wrong.json")
        try Self.dockerConfig(registry.host, password: "guessed").write(to: wrong, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run([
            "artifact", "verify", image, "--policy", policy, "--docker-config", wrong.path,
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("401") || refused.stderr.contains("unauthorized"), "\(refused.stderr)")

        // The server reads the same file: its verification endpoint verifies the private image.
        let database = registry.directory.appendingPathComponent("ledger.db").path
        let server = try ScaleOutTests.Server(
            database: database, policy: policy, ["--docker-config", mounted.path])
        defer { _ = server.stop() }
        let token = try ScaleOutTests.token("ci", "builder", database: database, policy: policy)
        let (status, body) = try await ScaleOutTests.post(
            "http://127.0.0.1:\(server.port)/api/v1/artifacts/verify", token: token,
            body: #"{"reference": "\#(image)"}"#)
        #expect(status == 200, "\(body)")
        #expect(body.contains(#""verdict":"verified""#), "\(body)")
        // The verification is counted by outcome and timed.
        let scrape = try Spawn.run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.port)/metrics"])
        #expect(scrape.contains(#"countersign_artifact_verifications_total{outcome="verified"} 1"#), "\(scrape)")
        #expect(scrape.contains("countersign_artifact_verification_duration_seconds_count 1"))
    }

    @Test func serveRefusesCredentialsItCannotUse() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("docker-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let helper = directory.appendingPathComponent("helper.json")
        try #"{"auths": {}, "credsStore": "desktop"}"#.write(to: helper, atomically: true, encoding: .utf8)
        for (path, message) in [
            (helper.path, "holds no inline credentials (they are kept by the helper 'desktop')"),
            (directory.appendingPathComponent("absent.json").path, "no such file or directory"),
        ] {
            let run = try CommandRunner.run([
                "serve", "--database", directory.appendingPathComponent("ledger.db").path, "--policy",
                "examples/policy", "--port", "0", "--docker-config", path,
            ])
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }
}
