import CountersignTesting
import Foundation
import Testing

/// `countersign artifact verify-bundle`, as a script runs it: cosign's flag names, exit 0 verified, 3 rejected with
/// the reason, 1 for what cannot be judged (an unreadable trusted root or bundle file), 64 for a usage error.
@Suite struct VerifyBundleCommandTests {
    static let cases = KeylessConformanceTests.directory
    static let identity = KeylessConformanceTests.defaultIdentity
    static let issuer = KeylessConformanceTests.defaultIssuer
    static let digest = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"

    static func path(_ file: String) -> String { cases.appendingPathComponent(file).path }

    @Test func verifiedRejectedAndErrorsEachHaveTheirStatus() throws {
        // Keyless against the public-good root, by file and by digest.
        let byFile = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("happy-path-v0.1/bundle.sigstore.json"), "--artifact",
            Self.path("a.txt"), "--certificate-identity", Self.identity, "--certificate-oidc-issuer", Self.issuer,
        ])
        #expect(byFile.status == 0, "\(byFile.stdout)\(byFile.stderr)")
        #expect(byFile.stdout.hasPrefix("verified: signed by \(Self.identity) (issuer \(Self.issuer))"))
        #expect(byFile.stdout.contains("logged in rekor.sigstore.dev"))
        #expect(byFile.stdout.contains("sourceRepositoryRef: refs/heads/main"))
        // A staging (Rekor v2) bundle with its own root and a pattern, as JSON.
        let json = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("rekor2-happy-path/bundle.sigstore.json"), "--digest", Self.digest,
            "--trusted-root", Self.path("rekor2-happy-path/trusted_root.json"), "--certificate-identity-regexp",
            #"https://github\.com/sigstore-conformance/.*"#, "--certificate-oidc-issuer", Self.issuer, "--output",
            "json",
        ])
        #expect(json.status == 0, "\(json.stdout)\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "verified")
        #expect(object["logs"] as? [String] == ["log2025-alpha1.rekor.sigstage.dev"])
        #expect((object["signedAt"] as? [String])?.count == 1)
        // Rejected, with the reason: another identity; the staging bundle under the public-good root.
        let other = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("happy-path-v0.1/bundle.sigstore.json"), "--digest", Self.digest,
            "--certificate-identity", "mallory@example.com", "--certificate-oidc-issuer", Self.issuer,
        ])
        #expect(other.status == 3)
        #expect(other.stdout.hasPrefix("rejected: the certificate names \(Self.identity)"), "\(other.stdout)")
        let wrongRoot = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("rekor2-happy-path/bundle.sigstore.json"), "--digest", Self.digest,
            "--certificate-identity", Self.identity, "--certificate-oidc-issuer", Self.issuer, "--output", "json",
        ])
        #expect(wrongRoot.status == 3)
        #expect(wrongRoot.stdout.contains(#""verdict":"rejected""#), "\(wrongRoot.stdout)")
        // A bundle that is not one is a rejection (it proves nothing); a trusted root that cannot be read is an error.
        let garbage = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("bundle-malformed-json_fail/bundle.sigstore.json"), "--digest",
            Self.digest, "--certificate-identity", Self.identity, "--certificate-oidc-issuer", Self.issuer,
        ])
        #expect(garbage.status == 3)
        #expect(garbage.stdout.contains("is not valid JSON"))
        let badRoot = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("happy-path-v0.1/bundle.sigstore.json"), "--digest", Self.digest,
            "--trusted-root", Self.path("trust-root-tlog-missing-validity-start_fail/trusted_root.json"),
            "--certificate-identity", Self.identity, "--certificate-oidc-issuer", Self.issuer,
        ])
        #expect(badRoot.status == 1)
        #expect(badRoot.stderr.contains("has no validFor.start"), "\(badRoot.stderr)")
        // A managed-key bundle by its key.
        let key = try CommandRunner.run([
            "artifact", "verify-bundle", Self.path("managed-key-happy-path/bundle.sigstore.json"), "--digest",
            Self.digest, "--key", Self.path("managed-key-happy-path/key.pub"),
        ])
        #expect(key.status == 0, "\(key.stdout)\(key.stderr)")
        // Usage errors.
        for arguments in [
            ["--digest", Self.digest, "--certificate-identity", Self.identity],
            ["--certificate-identity", Self.identity, "--certificate-oidc-issuer", Self.issuer],
            ["--digest", Self.digest, "--key", "k.pub", "--certificate-oidc-issuer", Self.issuer],
        ] {
            let usage = try CommandRunner.run(
                ["artifact", "verify-bundle", Self.path("happy-path-v0.1/bundle.sigstore.json")] + arguments)
            #expect(usage.status == 64, "\(arguments): \(usage.stderr)")
        }
    }
}
