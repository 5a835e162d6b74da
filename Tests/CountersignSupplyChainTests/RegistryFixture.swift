import CountersignCore
import CountersignSupplyChain
import CountersignTesting
import Foundation
import Testing

/// The real registry the end-to-end tests use: `scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY …` starts it,
/// and the first test to need it seeds it once with scripts/registry-fixture.py (skopeo pushes the image; openssl
/// and securesystemslib sign). A missing registry fails the tests — it never skips them.
struct RegistryFixture: Sendable {
    let registry: String
    let directory: URL
    let digest: Digest
    let references: [String: String]

    static let variable = "COUNTERSIGN_TEST_REGISTRY"
    static let shared = Task { () throws -> RegistryFixture in try seed() }

    static func get() async throws -> RegistryFixture { try await shared.value }

    static func seed() throws -> RegistryFixture {
        let environment = ProcessInfo.processInfo.environment
        guard let registry = environment[variable], !registry.isEmpty else {
            throw FixtureError(
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
            throw FixtureError(
                "registry-fixture.py failed (\(process.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))")
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("fixture.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return RegistryFixture(
            registry: registry, directory: directory,
            digest: try Digest(parsing: try #require(json["digest"] as? String)),
            references: try #require(json["references"] as? [String: String]))
    }

    var policyPath: String { directory.appendingPathComponent("policy.yaml").path }

    func policies() throws -> [VerificationPolicy] {
        let bundle = try PolicyLoader.load(path: policyPath)
        return try VerificationPolicy.all(in: bundle, keyDirectory: directory.path)
    }

    func reference(_ name: String) throws -> String { try #require(references[name]) }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
