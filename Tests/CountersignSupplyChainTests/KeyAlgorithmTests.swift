import CountersignSupplyChain
import CountersignTesting
import Foundation
import Testing

/// Issue 18 item 8: the keys teams have. Every key and signature here is made by OpenSSL (`/usr/bin/openssl`), not
/// by the code under test: RSA of 2048, 3072 and 4096 bits signing PKCS#1 v1.5 and PSS (with the salt as long as the
/// hash, the longest salt Go and Python default to, and none), ECDSA P-384 signing SHA-384 and SHA-256. And the
/// attacks: a tampered message, a signature under the wrong hash or padding, a weak or oversized RSA key, an
/// unsupported curve.
@Suite struct KeyAlgorithmTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A private key by `openssl genpkey` and its public half as PEM.
    func key(_ name: String, _ options: [String]) throws -> String {
        try Spawn.run("/usr/bin/openssl", ["genpkey"] + options + ["-out", path(name + ".key")])
        return try Spawn.run("/usr/bin/openssl", ["pkey", "-in", path(name + ".key"), "-pubout"])
    }

    /// `openssl dgst -sign` over `message`.
    func sign(_ name: String, _ message: String, _ options: [String]) throws -> [UInt8] {
        try message.write(toFile: path("message"), atomically: true, encoding: .utf8)
        try Spawn.run(
            "/usr/bin/openssl",
            ["dgst"] + options + ["-sign", path(name + ".key"), "-out", path("signature"), path("message")])
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path("signature"))))
    }

    static let message = #"{"critical":{"identity":{"docker-reference":"ghcr.io/acme/app"}}}"#

    /// 2056 and 4000 are not multiples of the machine word: the encoded message's length follows the modulus's bits.
    @Test(arguments: [2048, 2056, 3072, 4000, 4096])
    func rsaKeysVerifyPKCS1AndPSSWithAnySalt(bits: Int) throws {
        let pem = try key("rsa\(bits)", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)"])
        let key = try PublicKey(pem: pem, name: "rsa.pub")
        #expect(key.algorithm == .rsa)
        let pss = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_mgf1_md:sha256"]
        for options in [
            ["-sha256"],
            ["-sha256"] + pss + ["-sigopt", "rsa_pss_saltlen:digest"],
            ["-sha256"] + pss + ["-sigopt", "rsa_pss_saltlen:max"],
            ["-sha256"] + pss + ["-sigopt", "rsa_pss_saltlen:0"],
        ] {
            let signature = try sign("rsa\(bits)", Self.message, options)
            #expect(key.verifies(signature, over: Array(Self.message.utf8)), "\(options)")
            #expect(!key.verifies(signature, over: Array((Self.message + " ").utf8)), "tampered, \(options)")
            var flipped = signature
            flipped[flipped.count / 2] ^= 0x01
            #expect(!key.verifies(flipped, over: Array(Self.message.utf8)), "flipped, \(options)")
            #expect(!key.verifies(Array(signature.dropLast()), over: Array(Self.message.utf8)), "short, \(options)")
            #expect(!key.verifies(signature + [0], over: Array(Self.message.utf8)), "long, \(options)")
        }
        // Another hash than SHA-256 is not accepted, in either padding.
        for options in [["-sha384"], ["-sha384"] + pss + ["-sigopt", "rsa_pss_saltlen:digest"]] {
            let signature = try sign("rsa\(bits)", Self.message, options)
            #expect(!key.verifies(signature, over: Array(Self.message.utf8)), "\(options)")
        }
        // Another key's signature is not this key's.
        _ = try self.key("other\(bits)", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)"])
        #expect(!key.verifies(try sign("other\(bits)", Self.message, ["-sha256"]), over: Array(Self.message.utf8)))
    }

    @Test func rsaKeysOutsideTheAcceptedSizesAreRefusedWithTheirSize() throws {
        for bits in [1024, 2047, 4104, 4608] {
            let pem = try key("rsa\(bits)", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)"])
            let error = #expect(throws: SupplyChainError.self, "\(bits) bits") {
                try PublicKey(pem: pem, name: "weak.pub")
            }
            #expect(
                error?.reason.contains("an RSA key of \(bits) bits; Countersign accepts 2048 to 4096 bits") == true,
                "\(bits): \(String(describing: error))")
        }
    }

    @Test func p384KeysVerifySHA384AndSHA256() throws {
        let pem = try key("p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        let key = try PublicKey(pem: pem, name: "p384.pub")
        #expect(key.algorithm == .ecdsaP384)
        for hash in ["-sha384", "-sha256"] {
            let signature = try sign("p384", Self.message, [hash])
            #expect(key.verifies(signature, over: Array(Self.message.utf8)), "\(hash)")
            #expect(!key.verifies(signature, over: Array((Self.message + " ").utf8)), "tampered, \(hash)")
        }
        // SHA-512 is neither.
        #expect(!key.verifies(try sign("p384", Self.message, ["-sha512"]), over: Array(Self.message.utf8)))
        // A P-256 key's signature over the same bytes is not a P-384 one, and the P-256 key is still P-256.
        let p256 = try PublicKey(
            pem: try self.key("p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]), name: "p256")
        #expect(p256.algorithm == .ecdsaP256)
        #expect(!key.verifies(try sign("p256", Self.message, ["-sha256"]), over: Array(Self.message.utf8)))
    }

    @Test func otherCurvesAreRefusedByName() throws {
        for curve in ["P-521", "secp256k1"] {
            let pem = try key(curve, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)"])
            let error = #expect(throws: SupplyChainError.self) { try PublicKey(pem: pem, name: "\(curve).pub") }
            #expect(error?.reason.contains("not an ECDSA P-256 or P-384, Ed25519 or RSA") == true)
        }
    }

    /// End to end through the verifier: a cosign simple-signing payload signed by an RSA key (PSS, longest salt)
    /// satisfies a policy naming that key, and a threshold counts an RSA and a P-384 key as two.
    @Test func aPolicyCountsRSAAndP384KeysTowardItsThreshold() throws {
        let rsa = try key("release-rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"])
        let p384 = try key("release-p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        let policy = try Fixtures.policy(
            "images: ['*']\nsignatures: { keys: [rsa.pub, p384.pub], threshold: 2 }",
            keys: ["rsa.pub": rsa, "p384.pub": p384])
        let payload = Fixtures.payload()
        let text = String(decoding: payload, as: UTF8.self)
        let pss = [
            "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_mgf1_md:sha256", "-sigopt",
            "rsa_pss_saltlen:max",
        ]
        let bySign = [
            SignatureLayer(
                payload: payload, signature: Data(try sign("release-rsa", text, pss)).base64EncodedString(),
                source: "rsa layer"),
            SignatureLayer(
                payload: payload, signature: Data(try sign("release-p384", text, ["-sha384"])).base64EncodedString(),
                source: "p384 layer"),
        ]
        let both = ArtifactVerifier(policy: policy).verify(
            Fixtures.image, material: ArtifactMaterial(signatures: bySign))
        #expect(both.verdict == .verified, "\(both.reasons)")
        #expect(Set(both.signers) == ["rsa.pub", "p384.pub"])
        let one = ArtifactVerifier(policy: policy).verify(
            Fixtures.image, material: ArtifactMaterial(signatures: [bySign[0]]))
        #expect(one.verdict == .rejected)
    }
}
