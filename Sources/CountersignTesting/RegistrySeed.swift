public import Foundation

/// The real registry the end-to-end tests use — `scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY …` starts it —
/// seeded once per test process by scripts/registry-fixture.py (skopeo pushes the image; openssl and
/// securesystemslib sign), whichever suite asks first. Once: every seed makes keys of its own and pushes signatures
/// over the same tags, so two seeds in one registry would leave each suite with another's keys. A missing registry
/// fails the tests — it never skips them.
public struct RegistrySeed: Sendable {
    public let registry: String
    /// Where the seed wrote `fixture.json`, `policy.yaml` and `keys/`.
    public let directory: URL
    /// The pushed image's digest, `sha256:…`.
    public let digest: String
    /// A digest-pinned reference per case (`app`, `wrongkey`, `v02`, …).
    public let references: [String: String]

    public static let variable = "COUNTERSIGN_TEST_REGISTRY"
    private static let shared = Task { () throws -> RegistrySeed in try seed() }

    public static func get() async throws -> RegistrySeed { try await shared.value }

    public struct SeedError: Error, CustomStringConvertible {
        public let description: String
    }

    static func seed() throws -> RegistrySeed {
        let environment = ProcessInfo.processInfo.environment
        guard let registry = environment[variable], !registry.isEmpty else {
            throw SeedError(
                description:
                    "\(variable) is not set: run the suite under scripts/with-registry.sh \(variable) swift test …")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "registry-fixture-\(UUID().uuidString)")
        let python = environment["COUNTERSIGN_TEST_PYTHON"] ?? "python3"
        let process = try ChildProcess(
            "/usr/bin/env", [python, "scripts/registry-fixture.py", registry, directory.path],
            standardOutput: .discard)
        let stderr = CommandRunner.readAll(process.standardError!)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SeedError(
                description:
                    "registry-fixture.py failed (\(process.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))"
            )
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("fixture.json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let digest = json["digest"] as? String, let references = json["references"] as? [String: String]
        else { throw SeedError(description: "registry-fixture.py wrote no digest and references") }
        return RegistrySeed(registry: registry, directory: directory, digest: digest, references: references)
    }
}
