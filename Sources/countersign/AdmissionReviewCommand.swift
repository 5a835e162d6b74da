import ArgumentParser
import AsyncHTTPClient
import CountersignControl
import CountersignCore
internal import CountersignEncoding
import CountersignSupplyChain
import Foundation

/// `countersign admission review FILE --policy PATH [--evidence FILE | --verify]`: answers an AdmissionReview
/// from a file, printing the AdmissionReview response.
///
/// An image is approved when it is pinned by digest and, for every ArtifactPolicy covering it, the newest
/// `ArtifactVerification` in the evidence file for that digest and policy is verified — or, with `--verify`,
/// when it verifies against its registry now. The server wires the same controller to the ledger's decisions.
struct AdmissionReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Answer an AdmissionReview read from a file.",
        discussion: "Prints the AdmissionReview response. Exit status: 0 allowed, 3 denied, 1 error.")

    @Argument(help: "An admission.k8s.io/v1 AdmissionReview JSON file.") var file: String
    @Option(help: "Policy file or directory.") var policy: String
    @Option(help: "Evidence JSON (artifactVerifications) that approves digests.") var evidence: String?
    @Flag(help: "Verify each image against its registry instead of reading evidence.") var verify = false
    @OptionGroup var registry: RegistryOptions

    func validate() throws {
        if verify && evidence != nil { throw ValidationError("--verify and --evidence are alternatives") }
    }

    func run() async throws {
        let policies = try loadVerificationPolicies(policy)
        guard let body = FileManager.default.contents(atPath: file) else {
            throw ControlError(.badRequest, "cannot read \(file)")
        }
        var verifications: [ArtifactVerification] = []
        if let evidence {
            guard let data = FileManager.default.contents(atPath: evidence) else {
                throw ControlError(.badRequest, "cannot read \(evidence)")
            }
            do {
                verifications = try JSONValueDecoder().decode(Evidence.self, from: [UInt8](data)).artifactVerifications
            } catch {
                throw ControlError(.badRequest, "\(evidence): \(error.description)")
            }
        }
        // Read before the client exists: an unreadable credentials file exits 1 with nothing to shut down.
        let credentials = verify ? try registry.credentials() : [:]
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let response: AdmissionResponse
        if verify {
            let cache = VerificationCache()
            let options = registry
            let approver = ClosureApprover { image, _, _ in
                let configuration: RegistryConfiguration
                do { configuration = try options.configuration(for: image.registry, credentials: credentials) } catch {
                    return .denied("cannot be verified: \(error)")
                }
                let verifier = RegistryVerifier(
                    client: RegistryClient(httpClient: http, configuration: configuration),
                    policies: policies, cache: cache)
                do throws(SupplyChainError) {
                    let results = try await verifier.verify(image, now: Date())
                    let reasons = results.flatMap(\.reasons)
                    return reasons.isEmpty ? .approved : .denied("is rejected: " + reasons.joined(separator: "; "))
                } catch {
                    return .denied("cannot be verified: \(error.reason)")
                }
            }
            response = await AdmissionController(approver: approver).review(Array(body))
        } else {
            let known = verifications
            let approver = ClosureApprover { image, digest, _ in
                AdmissionReviewCommand.approval(image, digest, policies: policies, verifications: known)
            }
            response = await AdmissionController(approver: approver).review(Array(body))
        }
        try await http.shutdown()
        print(response.reviewJSON)
        throw ExitCode(response.allowed ? 0 : (response.code == 400 ? 1 : 3))
    }

    /// Approved when every covering policy's newest verification of `digest` — made under the policy's definition
    /// in force and, when it matches the repository, in the image's repository — is verified.
    static func approval(
        _ image: ImageReference, _ digest: Digest, policies: [VerificationPolicy], verifications: [ArtifactVerification]
    ) -> ImageApproval {
        let covering = policies.filter { $0.covers(image) }
        guard !covering.isEmpty else { return .denied("is not covered by any ArtifactPolicy") }
        for policy in covering {
            let latest = verifications.filter {
                $0.digest == digest.description && $0.policy == policy.name && $0.policyHash == policy.policyHash
                    && (!policy.policy.matchDockerReference || $0.repository == image.name)
            }
            .max { $0.at < $1.at }
            guard let latest else {
                return .denied(
                    "has no verification under ArtifactPolicy \(policy.name) as defined now"
                        + (policy.policy.matchDockerReference ? " in \(image.name)" : ""))
            }
            guard latest.verified else {
                return .denied("was rejected under ArtifactPolicy \(policy.name): \(latest.details ?? "no details")")
            }
        }
        return .approved
    }
}
