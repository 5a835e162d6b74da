import CountersignSupplyChain
import Foundation
import Testing

/// Issue 18 item 3: every bundle-verification case of the Sigstore conformance suite (Vectors/sigstore-conformance,
/// provenance in Vectors/SOURCES.md) comes out as the suite says — a case named `…_fail` is rejected, every other one
/// verifies — read the way the suite runs a client: the case's `trusted_root.json` or else the public-good root, its
/// `identity`/`issuer` or else the suite's GitHub workflow identity, its `key.pub` for a managed-key bundle, its
/// `artifact` or else `a.txt`, verified by digest.
@Suite struct KeylessConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/sigstore-conformance")
    static let defaultIdentity =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    static let defaultIssuer = "https://token.actions.githubusercontent.com"

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    /// What one case comes to: verified, or rejected (or unreadable) with the reason.
    static func run(_ name: String) async -> (verified: Bool, reason: String) {
        let dir = directory.appendingPathComponent(name)
        func text(_ file: String) -> String? {
            (try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let rootPath = dir.appendingPathComponent("trusted_root.json").path
        let root: TrustedRoot
        do {
            root =
                FileManager.default.fileExists(atPath: rootPath)
                ? try TrustedRoot(contentsOf: rootPath) : try TrustedRoot.publicGood.get()
        } catch { return (false, "trusted root: \(error.reason)") }
        let artifactPath =
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("artifact").path)
            ? dir.appendingPathComponent("artifact") : directory.appendingPathComponent("a.txt")
        guard let artifact = try? Data(contentsOf: artifactPath),
            let bundleBytes = try? Data(contentsOf: dir.appendingPathComponent("bundle.sigstore.json"))
        else { return (false, "unreadable case files") }
        let bundle: SigstoreBundle
        do { bundle = try SigstoreBundle(parsing: [UInt8](bundleBytes)) } catch { return (false, error.reason) }
        var key: PublicKey? = nil
        var identities: [CertificateIdentity] = []
        if let pem = text("key.pub") {
            do { key = try PublicKey(pem: pem, name: "key.pub") } catch { return (false, "key: \(error.reason)") }
        } else {
            identities = [
                CertificateIdentity(
                    issuer: text("issuer") ?? defaultIssuer, subject: text("identity") ?? defaultIdentity)
            ]
        }
        switch await BundleVerifier(root: root).verify(
            bundle, artifact: Digest.of(artifact), identities: identities, key: key)
        {
        case .verified(let v): return (true, "signed by \(v.subject) at \(v.signedAt)")
        case .rejected(let reason): return (false, reason)
        }
    }

    @Test func theSuiteIsHere() {
        // 70 cases at the recorded commit: a missing directory must fail, never pass with nothing run.
        #expect(Self.cases.count == 70, "\(Self.cases.count) cases")
    }

    @Test(arguments: cases)
    func aCaseComesOutAsTheSuiteSays(_ name: String) async {
        let expected = !name.hasSuffix("_fail")
        let (verified, reason) = await Self.run(name)
        #expect(verified == expected, "\(name): \(verified ? "verified" : "rejected: \(reason)")")
    }
}
