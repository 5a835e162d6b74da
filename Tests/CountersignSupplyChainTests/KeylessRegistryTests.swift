import AsyncHTTPClient
import CountersignCore
import CountersignSupplyChain
import Foundation
import Testing

/// Issue 18 item 2: keyless signatures where registries keep them, in a real registry (distribution 2.8), made by a
/// private Sigstore instance (scripts/sigstore-fixture.py: a Fulcio-like CA, a Rekor v1 log, a CT log; its bundles
/// verify with sigstore-python too): a legacy `.sig` layer with cosign's certificate and Rekor bundle annotations,
/// and a GitHub-style artifact attestation — a Sigstore bundle holding DSSE SLSA provenance — as a referrer (the
/// tag fallback). The policy names the release workflow and the instance's trusted root; its provenance condition
/// reads the certificate's claims.
@Suite(.serialized) struct KeylessRegistryTests {
    static let workflow = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"

    func verify(_ name: String, policies: [VerificationPolicy]? = nil) async throws -> VerificationResult {
        let fixture = try await RegistryFixture.get()
        let reference = try ImageReference(parsing: try fixture.reference(name))
        let all = try policies ?? fixture.policies()
        let results = try await withHTTPClient { http in
            try await RegistryVerifier(client: RegistryClient(httpClient: http), policies: all)
                .verify(reference, now: Date())
        }
        return try #require(results.first { $0.policy == "keyless-release" })
    }

    @Test func theReleaseWorkflowsSignatureAndAttestationVerify() async throws {
        let result = try await verify("keyless-app")
        #expect(result.verdict == .verified, "\(result.reasons)")
        #expect(result.signers == [Self.workflow])
        #expect(result.builder == "https://github.com/actions/runner/github-hosted")
        let details = result.checks.map(\.detail).joined(separator: "\n")
        #expect(details.contains(".sig layer 1"), "\(details)")
        #expect(details.contains("(bundle referrer)"), "\(details)")
    }

    /// The older `cosign attest` (a keyless `.att` layer with certificate and Rekor bundle annotations) and cosign
    /// v3 (the signature itself a bundle of the cosign/sign predicate, both bundles referrers).
    @Test(arguments: ["keyless-att", "keyless-v3"])
    func everyPlaceCosignKeepsThemVerifies(_ name: String) async throws {
        let result = try await verify(name)
        #expect(result.verdict == .verified, "\(name): \(result.reasons)")
        #expect(result.signers == [Self.workflow])
        let details = result.checks.map(\.detail).joined(separator: "\n")
        if name == "keyless-att" { #expect(details.contains(".att layer 1"), "\(details)") }
        // The v3 signature bundle counts as the signature, not as a provenance candidate.
        #expect(!details.contains("cosign/sign/v1"), "\(details)")
        #expect(
            details.contains("signature by \(Self.workflow)")
                || details.contains("bundle signature by \(Self.workflow)"), "\(details)")
    }

    @Test func anotherWorkflowSigningTheSameWayIsRefused() async throws {
        let result = try await verify("keyless-mallory")
        #expect(result.verdict == .rejected)
        #expect(
            result.reasons.contains {
                $0.contains("signed by https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main")
                    && $0.contains("not an accepted identity")
            }, "\(result.reasons)")
    }

    @Test func theTrustedRootDecides() async throws {
        // The same policy under Sigstore's public-good root: the private log and CA are nobody's there.
        let fixture = try await RegistryFixture.get()
        let text = try String(contentsOfFile: fixture.policyPath, encoding: .utf8)
            .replacingOccurrences(of: "  trustedRoot: keyless/trusted_root.json\n", with: "")
        let bundle = try PolicyLoader.load(sources: [(file: "policy.yaml", text: text)])
        let policies = try VerificationPolicy.all(in: bundle, keyDirectory: fixture.directory.path)
        let result = try await verify("keyless-app", policies: policies)
        #expect(result.verdict == .rejected)
        #expect(
            result.reasons.contains {
                $0.contains(
                    "keyless verification failed: no transparency-log entry is from a log the trusted root knows")
            },
            "\(result.reasons)")
    }
}
