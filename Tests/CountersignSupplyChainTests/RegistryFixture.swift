import CountersignCore
import CountersignSupplyChain
import CountersignTesting
import Foundation
import Testing

/// The seeded registry (``RegistrySeed``, once per test process) as the supply-chain tests read it.
struct RegistryFixture: Sendable {
    let registry: String
    let directory: URL
    let digest: Digest
    let references: [String: String]

    static func get() async throws -> RegistryFixture {
        let seed = try await RegistrySeed.get()
        return RegistryFixture(
            registry: seed.registry, directory: seed.directory, digest: try Digest(parsing: seed.digest),
            references: seed.references)
    }

    var policyPath: String { directory.appendingPathComponent("policy.yaml").path }

    func policies() throws -> [VerificationPolicy] {
        let bundle = try PolicyLoader.load(path: policyPath)
        return try VerificationPolicy.all(in: bundle, keyDirectory: directory.path)
    }

    func reference(_ name: String) throws -> String { try #require(references[name]) }
}
