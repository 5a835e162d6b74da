import CountersignSupplyChain
import Foundation
import Testing

/// Keyless verification attacked beyond what the conformance suite asks: a near-miss identity or issuer, a pattern
/// that would match unanchored, another artifact, a trusted root that does not trust the log, the CA, the CT log or
/// the time, an extra forged log entry, a certificate from another bundle. Each starts from a real bundle that
/// verifies (the suite's Rekor v1 and Rekor v2 happy paths) and changes one thing.
@Suite struct KeylessAttackTests {
    static let cases = KeylessConformanceTests.directory
    static let identity = KeylessConformanceTests.defaultIdentity
    static let issuer = KeylessConformanceTests.defaultIssuer

    static func json(_ path: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
    }

    static func bytes(_ object: [String: Any]) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object))
    }

    /// The Rekor v1 happy path (public-good root, signed entry timestamp) or the Rekor v2 one (its staging root,
    /// an RFC 3161 timestamp).
    struct Fixture {
        var bundle: [String: Any]
        var root: [String: Any]?
        let artifact: Digest

        static func v1() throws -> Fixture {
            Fixture(
                bundle: try json(cases.appendingPathComponent("happy-path-v0.3/bundle.sigstore.json")), root: nil,
                artifact: Digest.of(try Data(contentsOf: cases.appendingPathComponent("a.txt"))))
        }

        static func v2() throws -> Fixture {
            Fixture(
                bundle: try json(cases.appendingPathComponent("rekor2-happy-path/bundle.sigstore.json")),
                root: try json(cases.appendingPathComponent("rekor2-happy-path/trusted_root.json")),
                artifact: Digest.of(try Data(contentsOf: cases.appendingPathComponent("a.txt"))))
        }

        func verify(
            _ identities: [CertificateIdentity] = [CertificateIdentity(issuer: issuer, subject: identity)],
            artifact: Digest? = nil
        ) async throws -> BundleVerifier.Verdict {
            let trusted =
                try root.map { try TrustedRoot(json: try KeylessAttackTests.bytes($0), source: "test") }
                ?? TrustedRoot.publicGood.get()
            let parsed = try SigstoreBundle(parsing: try KeylessAttackTests.bytes(bundle))
            return await BundleVerifier(root: trusted).verify(
                parsed, artifact: artifact ?? self.artifact, identities: identities)
        }

        /// The reason it is rejected, or nil when it verifies.
        func rejection(
            _ identities: [CertificateIdentity] = [CertificateIdentity(issuer: issuer, subject: identity)],
            artifact: Digest? = nil
        ) async throws -> String? {
            if case .rejected(let reason) = try await verify(identities, artifact: artifact) { return reason }
            return nil
        }
    }

    @Test func theUntouchedBundlesVerifyAndSayWhatTheCertificateSays() async throws {
        for fixture in [try Fixture.v1(), try Fixture.v2()] {
            guard case .verified(let verified) = try await fixture.verify() else {
                Issue.record("the happy path does not verify: \(try await fixture.rejection() ?? "")")
                continue
            }
            #expect(verified.subject == Self.identity)
            #expect(verified.issuer == Self.issuer)
            #expect(!verified.signedAt.isEmpty)
            // GitHub's claims about the run, as Fulcio wrote them into the certificate.
            #expect(
                verified.claims["sourceRepositoryURI"]
                    == "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon")
            #expect(verified.claims["sourceRepositoryRef"] == "refs/heads/main")
            #expect(verified.claims["buildTrigger"] != nil)
        }
    }

    @Test func aNearMissIdentityOrIssuerIsAnotherSigner() async throws {
        let fixture = try Fixture.v1()
        for (subject, issuer) in [
            (Self.identity.uppercased(), Self.issuer), (Self.identity + "/", Self.issuer),
            (String(Self.identity.dropLast()), Self.issuer),
            (Self.identity.replacingOccurrences(of: "refs/heads/main", with: "refs/heads/dev"), Self.issuer),
            (Self.identity, Self.issuer + "/"), (Self.identity, "https://token.actions.githubusercontent.com.evil"),
            // Unicode look-alikes: a Cyrillic а in github, a fullwidth solidus, a trailing zero-width space.
            (Self.identity.replacingOccurrences(of: "github", with: "g\u{0456}thub"), Self.issuer),
            (Self.identity.replacingOccurrences(of: "/.github/", with: "/.github\u{FF0F}"), Self.issuer),
            (Self.identity + "\u{200B}", Self.issuer),
            (Self.identity, Self.issuer.replacingOccurrences(of: "a", with: "\u{0430}")),
            (Self.identity, "https://accounts.google.com"),
        ] {
            let reason = try await fixture.rejection([CertificateIdentity(issuer: issuer, subject: subject)])
            #expect(
                reason?.contains("the certificate names \(Self.identity) (issuer \(Self.issuer)), not") == true,
                "\(subject) \(issuer): \(reason ?? "verified")")
        }
    }

    @Test func aPatternMustMatchTheWholeIdentity() async throws {
        let fixture = try Fixture.v1()
        func pattern(_ p: String, _ issuer: String = Self.issuer) throws -> [CertificateIdentity] {
            [try CertificateIdentity(issuer: issuer, subjectPattern: p)]
        }
        #expect(try await fixture.rejection(try pattern(#"https://github\.com/sigstore-conformance/.*"#)) == nil)
        // Unanchored, these would match inside the identity; anchored, they do not.
        for partial in ["sigstore-conformance", #"https://github\.com/sigstore-conformance/"#, "refs/heads/main"] {
            #expect(try await fixture.rejection(try pattern(partial)) != nil, "\(partial)")
        }
        // The issuer is compared exactly whatever the subject pattern.
        #expect(try await fixture.rejection(try pattern(".*", "https://accounts.google.com")) != nil)
        // Any of several identities may admit it.
        let several =
            try pattern("nobody@example.com") + [CertificateIdentity(issuer: Self.issuer, subject: Self.identity)]
        #expect(try await fixture.rejection(several) == nil)
        #expect(throws: SupplyChainError.self) { try CertificateIdentity(issuer: Self.issuer, subjectPattern: "(") }
    }

    @Test func anotherArtifactIsNotSigned() async throws {
        for fixture in [try Fixture.v1(), try Fixture.v2()] {
            let reason = try await fixture.rejection(artifact: Digest.of(Array("another artifact".utf8)))
            #expect(reason != nil)
        }
    }

    @Test func aRootThatDoesNotTrustTheLogCAOrCTLogRejects() async throws {
        var fixture = try Fixture.v2()
        let root = try #require(fixture.root)
        // No log the root knows.
        fixture.root = root.merging(["tlogs": [Any]()]) { $1 }
        #expect(
            try await fixture.rejection()?.contains("no transparency-log entry is from a log the trusted root knows")
                == true)
        // The CA trusted only until before the signing time.
        var cas = try #require(root["certificateAuthorities"] as? [[String: Any]])
        for i in cas.indices { cas[i]["validFor"] = ["start": "2020-01-01T00:00:00Z", "end": "2025-06-01T00:00:00Z"] }
        fixture.root = root.merging(["certificateAuthorities": cas]) { $1 }
        #expect(try await fixture.rejection()?.contains("does not chain to a certificate authority") == true)
        // No CT log: the certificate's SCT proves nothing.
        fixture.root = root.merging(["ctlogs": [Any]()]) { $1 }
        #expect(
            try await fixture.rejection()?.contains("no SCT from a certificate-transparency log the root trusts")
                == true)
        // No timestamp authority: the bundle's timestamp cannot be trusted, and Rekor v2 gives no time of its own.
        fixture.root = root.merging(["timestampAuthorities": [Any]()]) { $1 }
        #expect(try await fixture.rejection()?.contains("the trusted root has no timestamp authority") == true)
    }

    @Test func aLogKeyTrustedOnlyLaterDoesNotVouchForTheIntegratedTime() async throws {
        var fixture = try Fixture.v1()
        var root = try #require(try JSONSerialization.jsonObject(with: Data(PublicGoodRoot.bytes)) as? [String: Any])
        var tlogs = try #require(root["tlogs"] as? [[String: Any]])
        for i in tlogs.indices {
            var key = try #require(tlogs[i]["publicKey"] as? [String: Any])
            key["validFor"] = ["start": "2025-01-01T00:00:00Z"]
            tlogs[i]["publicKey"] = key
        }
        root["tlogs"] = tlogs
        fixture.root = root
        #expect(try await fixture.rejection()?.contains("outside the log key's trusted period") == true)
    }

    @Test func aForgedExtraEntryRejectsAndAnUnknownLogsEntryIsIgnored() async throws {
        var fixture = try Fixture.v1()
        var material = try #require(fixture.bundle["verificationMaterial"] as? [String: Any])
        var entries = try #require(material["tlogEntries"] as? [[String: Any]])
        var unknown = entries[0]
        unknown["logId"] = ["keyId": Data(repeating: 7, count: 32).base64EncodedString()]
        material["tlogEntries"] = entries + [unknown]
        fixture.bundle["verificationMaterial"] = material
        #expect(
            try await fixture.rejection() == nil, "an entry of a log the root does not know is not evidence either way")
        // The same log, another logIndex: its signed entry timestamp no longer verifies, and that rejects.
        var forged = entries[0]
        forged["logIndex"] = String((Int(forged["logIndex"] as? String ?? "0") ?? 0) + 1)
        entries.append(forged)
        material["tlogEntries"] = entries
        fixture.bundle["verificationMaterial"] = material
        #expect(
            try await fixture.rejection()?.contains(
                "entry 2 (rekor.sigstore.dev): its signed entry timestamp does not verify") == true)
    }

    @Test func aCertificateFromAnotherBundleDoesNotFit() async throws {
        var fixture = try Fixture.v1()
        let other = try Self.json(
            Self.cases.appendingPathComponent("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"))
        var material = try #require(fixture.bundle["verificationMaterial"] as? [String: Any])
        material["certificate"] = (other["verificationMaterial"] as? [String: Any])?["certificate"]
        fixture.bundle["verificationMaterial"] = material
        #expect(try await fixture.rejection() != nil)
    }
}

/// The public-good root's bytes, for tests that change it.
enum PublicGoodRoot {
    static var bytes: [UInt8] {
        (try? [UInt8](
            Data(
                contentsOf: KeylessConformanceTests.directory.deletingLastPathComponent().appendingPathComponent(
                    "sigstore-roots/production_trusted_root.json")))) ?? []
    }
}
