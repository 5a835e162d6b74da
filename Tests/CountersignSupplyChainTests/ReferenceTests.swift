import CountersignSupplyChain
import Testing

@Suite struct ReferenceTests {
    static let hex = String(repeating: "0123456789abcdef", count: 4)

    @Test(arguments: [
        ("nginx", "docker.io/library/nginx"),
        ("nginx:1.27", "docker.io/library/nginx:1.27"),
        ("library/nginx", "docker.io/library/nginx"),
        ("acme/app:v1", "docker.io/acme/app:v1"),
        ("index.docker.io/acme/app", "docker.io/acme/app"),
        ("ghcr.io/acme/app/sub:v1.2-rc_1", "ghcr.io/acme/app/sub:v1.2-rc_1"),
        ("localhost/app", "localhost/app"),
        ("localhost:5000/app:x", "localhost:5000/app:x"),
        ("127.0.0.1:5000/demo/app@sha256:\(hex)", "127.0.0.1:5000/demo/app@sha256:\(hex)"),
        ("[::1]:5000/demo/app:v1", "[::1]:5000/demo/app:v1"),
        (
            "registry.example.com/a__b/c--d/e.f:tag@sha256:\(hex)",
            "registry.example.com/a__b/c--d/e.f:tag@sha256:\(hex)"
        ),
    ])
    func parsesToCanonicalForm(input: String, canonical: String) throws {
        let reference = try ImageReference(parsing: input)
        #expect(reference.canonical == canonical)
        // The canonical form reads back to the same reference.
        #expect(try ImageReference(parsing: reference.canonical) == reference)
    }

    @Test func splitsRegistryPortTagAndDigest() throws {
        let r = try ImageReference(parsing: "127.0.0.1:5000/demo/app:v1@sha256:\(Self.hex)")
        #expect(r.registry == "127.0.0.1:5000")
        #expect(r.repository == "demo/app")
        #expect(r.tag == "v1")
        #expect(r.digest?.hex == Self.hex)
        #expect(r.manifestReference == "sha256:\(Self.hex)")
        #expect(r.name == "127.0.0.1:5000/demo/app")
        #expect(try ImageReference(parsing: "nginx").apiHost == "registry-1.docker.io")
        #expect(try ImageReference(parsing: "nginx").tag == nil)
        #expect(try ImageReference(parsing: "nginx").manifestReference == "latest")
    }

    @Test(arguments: [
        "", "app/UPPER", "app:", "app:-tag", "app@sha256:abc", "app@md5:\(String(repeating: "a", count: 32))",
        "a//b", "/app", "app/", "-app", "app-", "a...b", "a___b", "host:port/app", "reg.io:99999999/app",
        "app:\(String(repeating: "t", count: 129))", "app@sha256:\(String(repeating: "A", count: 64))",
        "a b", "app@", "registry.example.com/app:tag:again",
    ])
    func rejectsMalformedReferences(input: String) {
        #expect(throws: SupplyChainError.self) { try ImageReference(parsing: input) }
    }

    @Test func digestsAreCanonicalAndChecked() throws {
        let d = try Digest(parsing: "sha256:\(Self.hex)")
        #expect(d.algorithm == .sha256)
        #expect(d.tagForm == "sha256-\(Self.hex)")
        let empty = Digest.of([UInt8]())
        #expect(empty.description == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Digest.of(Array("abc".utf8), algorithm: .sha512)
        #expect(long.hex.hasPrefix("ddaf35a193617aba"))
        #expect(try Digest(parsing: long.description) == long)
        #expect(long.matches(Array("abc".utf8)))
        #expect(!long.matches(Array("abd".utf8)))
        #expect(throws: SupplyChainError.self) { try Digest(parsing: "sha256:\(Self.hex.dropLast())") }
        #expect(throws: SupplyChainError.self) { try Digest(parsing: "sha512:\(Self.hex)") }
        #expect(throws: SupplyChainError.self) { try Digest(parsing: "sha256\(Self.hex)") }
        #expect(throws: SupplyChainError.self) { try Digest(parsing: "sha256:\(Self.hex.uppercased())") }
    }
}
