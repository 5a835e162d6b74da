import ArgumentParser
import AsyncHTTPClient
import CountersignControl
import CountersignCore
internal import CountersignEncoding
import CountersignSupplyChain
import Foundation

/// `countersign artifact verify REF --policy PATH`: verifies a digest's cosign signatures and SLSA provenance
/// under every ArtifactPolicy that covers the image, printing each check and its result.
struct ArtifactVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Verify an artifact's signatures and provenance under ArtifactPolicy.",
        discussion: """
            REF must be pinned by digest (repository@sha256:<hex>); a tag-only reference is rejected. Every \
            ArtifactPolicy whose images cover REF must pass. Exit status: 0 verified, 3 rejected, 1 error.
            """)

    enum Output: String, ExpressibleByArgument { case text, json, evidence }

    @Argument(help: "The artifact, pinned by digest.") var reference: String
    @Option(help: "Policy file or directory (key paths are relative to it).") var policy: String
    @Option(help: "text, json, or evidence (the gate's evidence JSON, for gate evaluate and admission review).")
    var output: Output = .text
    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        let image = try parseReference(reference)
        let policies = try loadVerificationPolicies(policy)
        guard !policies.isEmpty else {
            throw ControlError(.badRequest, "\(policy) defines no ArtifactPolicy")
        }
        let configuration = try registry.configuration(for: image.registry)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let verifier = RegistryVerifier(
            client: RegistryClient(httpClient: http, configuration: configuration),
            policies: policies)
        let outcome: Result<[VerificationResult], SupplyChainError>
        do { outcome = .success(try await verifier.verify(image, now: Date())) } catch { outcome = .failure(error) }
        try await http.shutdown()
        let results: [VerificationResult]
        switch outcome {
        case .success(let r): results = r
        case .failure(let error):
            throw ControlError(.unavailable, "cannot verify \(image.canonical): \(error.reason)")
        }
        switch output {
        case .json: print("[" + results.map(\.json).joined(separator: ",") + "]")
        case .evidence:
            let now = Date()
            let verifications = results.map { r in
                r.evidence(id: "verification-\(r.policy)-\(r.digest?.hex.prefix(16) ?? "unpinned")", at: now)
            }
            print(try JSONValueEncoder().encode(Evidence(artifactVerifications: verifications)).prettyString)
        case .text:
            for result in results {
                print("policy \(result.policy):")
                // Requirements decide; candidates (each signature or attestation examined) are indented under them.
                for check in result.checks {
                    switch check.kind {
                    case .requirement: print("  \(check.passed ? "PASS" : "FAIL") \(check.name): \(check.detail)")
                    case .candidate: print("      \(check.passed ? "ok" : "no") \(check.name): \(check.detail)")
                    }
                }
                print("  \(result.verdict.rawValue)")
            }
        }
        let rejected = results.contains { $0.verdict == .rejected }
        throw ExitCode(
            rejected ? VerificationResult.Verdict.rejected.exitStatus : VerificationResult.Verdict.verified.exitStatus)
    }
}
