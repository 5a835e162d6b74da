import ArgumentParser
import CountersignControl
internal import CountersignEncoding
import CountersignSupplyChain
import Foundation

/// `countersign artifact verify-bundle BUNDLE (--digest sha256:HEX | --artifact FILE) …`: verifies a Sigstore bundle
/// for a plain file (a release tarball, an SBOM), offline, with cosign's flag names: keyless against a trusted root
/// and an accepted identity, or by a managed key.
struct ArtifactVerifyBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle", abstract: "Verify a Sigstore bundle for a file or digest, offline.",
        discussion: """
            Keyless: --certificate-identity (exact) or --certificate-identity-regexp (RE2, matching the whole \
            identity) with --certificate-oidc-issuer; the trusted root is Sigstore's public-good instance unless \
            --trusted-root names another (staging, a private instance). A managed-key bundle: --key. The bundle's \
            log entries, signed timestamps, certificate chain at the signing time, SCT and signature are all \
            verified; nothing is fetched. Exit status: 0 verified, 3 rejected (with the reason), 1 error.
            """)

    enum Output: String, ExpressibleByArgument { case text, json }

    @Argument(help: "The bundle (bundle.sigstore.json).") var bundle: String
    @Option(help: "The artifact's digest, sha256:<64 hex>.") var digest: String?
    @Option(help: "The artifact file (its SHA-256 is verified), instead of --digest.") var artifact: String?
    @Option(help: "A trusted_root.json (default: Sigstore's public-good instance).") var trustedRoot: String?
    @Option(help: "The signer's identity, exactly (an e-mail or a workflow URI).") var certificateIdentity: String?
    @Option(help: "A pattern (RE2) the whole signer identity must match.") var certificateIdentityRegexp: String?
    @Option(help: "The OIDC issuer that vouched for the signer, exactly.") var certificateOidcIssuer: String?
    @Option(help: "A PEM public key, for a bundle signed by a managed key.") var key: String?
    @Option(help: "text or json.") var output: Output = .text

    /// A usage error is ArgumentParser's 64, as for every command (ExitStatus.swift).
    func validate() throws {
        func usage(_ message: String) -> ValidationError { ValidationError(message) }
        guard (digest == nil) != (artifact == nil) else { throw usage("give --digest or --artifact") }
        if key != nil {
            guard certificateIdentity == nil, certificateIdentityRegexp == nil, certificateOidcIssuer == nil else {
                throw usage("--key and the certificate options are alternatives")
            }
        } else {
            guard (certificateIdentity == nil) != (certificateIdentityRegexp == nil) else {
                throw usage("give --certificate-identity or --certificate-identity-regexp (or --key)")
            }
            guard certificateOidcIssuer != nil else { throw usage("give --certificate-oidc-issuer") }
        }
    }

    func run() async throws {
        let artifactDigest: Digest
        if let digest {
            guard let parsed = try? Digest(parsing: digest), parsed.algorithm == .sha256 else {
                throw ControlError(.badRequest, "--digest must be sha256:<64 lowercase hex>")
            }
            artifactDigest = parsed
        } else {
            let path = artifact ?? ""
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ControlError(.badRequest, "cannot read the artifact \(path)")
            }
            defer { try? handle.close() }
            artifactDigest = try Digest.sha256(reading: handle)
        }
        let root: TrustedRoot
        do throws(SupplyChainError) {
            if let path = trustedRoot {
                root = try TrustedRoot(contentsOf: path)
            } else {
                root = try TrustedRoot.publicGood.get()
            }
        } catch {
            throw ControlError(.badRequest, error.reason)
        }
        var identities: [CertificateIdentity] = []
        var managedKey: PublicKey? = nil
        if let key {
            guard let data = FileManager.default.contents(atPath: key), let pem = String(data: data, encoding: .utf8)
            else { throw ControlError(.badRequest, "cannot read the key \(key)") }
            do { managedKey = try PublicKey(pem: pem, name: URL(fileURLWithPath: key).lastPathComponent) } catch {
                throw ControlError(.badRequest, error.reason)
            }
        } else if let issuer = certificateOidcIssuer {
            if let exact = certificateIdentity {
                identities = [CertificateIdentity(issuer: issuer, subject: exact)]
            } else if let pattern = certificateIdentityRegexp {
                do { identities = [try CertificateIdentity(issuer: issuer, subjectPattern: pattern)] } catch {
                    throw ControlError(.badRequest, error.reason)
                }
            }
        }
        guard let data = FileManager.default.contents(atPath: bundle) else {
            throw ControlError(.badRequest, "cannot read the bundle \(bundle)")
        }
        let verdict: BundleVerifier.Verdict
        do {
            let parsed = try SigstoreBundle(parsing: [UInt8](data))
            verdict = await BundleVerifier(root: root).verify(
                parsed, artifact: artifactDigest, identities: identities, key: managedKey)
        } catch {
            // A bundle that cannot be read proves nothing: a rejection, with why.
            verdict = .rejected(error.reason)
        }
        print(Self.render(verdict, output: output))
        if case .verified = verdict { throw ExitCode(0) }
        throw ExitCode(3)
    }

    static func render(_ verdict: BundleVerifier.Verdict, output: Output) -> String {
        switch (verdict, output) {
        case (.rejected(let reason), .text): return "rejected: \(reason)"
        case (.rejected(let reason), .json):
            return JSONValue.object([("verdict", .string("rejected")), ("reason", .string(reason))]).canonicalString
        case (.verified(let v), .text):
            var lines = ["verified: signed by \(v.subject)" + (v.issuer.map { " (issuer \($0))" } ?? "")]
            lines.append("  signed at " + v.signedAt.map { RFC3339.string($0) }.joined(separator: ", "))
            lines.append("  logged in " + v.logs.joined(separator: ", "))
            for (name, value) in v.claims.sorted(by: { $0.key < $1.key }) { lines.append("  \(name): \(value)") }
            return lines.joined(separator: "\n")
        case (.verified(let v), .json):
            return JSONValue.object([
                ("verdict", .string("verified")), ("subject", .string(v.subject)),
                ("issuer", v.issuer.map(JSONValue.string) ?? .null),
                ("signedAt", .array(v.signedAt.map { .string(RFC3339.string($0)) })),
                ("logs", .array(v.logs.map(JSONValue.string))),
                ("claims", .object(v.claims.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ]).canonicalString
        }
    }

}
