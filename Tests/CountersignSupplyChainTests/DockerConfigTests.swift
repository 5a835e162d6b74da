import CountersignSupplyChain
import Foundation
import Testing

/// Registry credentials as Docker and Kubernetes keep them, read strictly: every way a file can hold credentials
/// is read the way `docker login` and kubelet mean it, and every file that cannot give them says why.
@Suite struct DockerConfigTests {
    static func read(_ text: String) throws -> [String: RegistryCredentials] {
        try DockerConfig.credentials(json: Array(text.utf8), source: "test.json")
    }

    static func auth(_ pair: String) -> String { Data(pair.utf8).base64EncodedString() }

    @Test func everyFormReadsAsItsRegistry() throws {
        let config = try Self.read(
            """
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "\(Self.auth("hub:pw:with:colons"))"},
              "ghcr.io": {"username": "octo", "password": "ghp_x"},
              "https://Registry.Example.com:5000/v2/": {"registrytoken": "tok"},
              "127.0.0.1:5000": {"auth": "\(Self.auth("u:p"))", "email": "ignored@example.com"}
            }, "credsStore": "desktop"}
            """)
        #expect(config["docker.io"] == .basic(username: "hub", password: "pw:with:colons"))
        #expect(config["ghcr.io"] == .basic(username: "octo", password: "ghp_x"))
        #expect(config["registry.example.com:5000"] == .token("tok"))
        #expect(config["127.0.0.1:5000"] == .basic(username: "u", password: "p"))
        #expect(config.count == 4)
        // The legacy .dockercfg: the registry map itself.
        let legacy = try Self.read(#"{"quay.io": {"auth": "\#(Self.auth("robot:secret"))"}}"#)
        #expect(legacy == ["quay.io": .basic(username: "robot", password: "secret")])
    }

    @Test(arguments: [
        (#"[]"#, "is not a JSON object"),
        (#"{"auths": []}"#, "'auths' is not an object"),
        (#"{"auths": {"ghcr.io": "x"}}"#, "the entry for ghcr.io is not an object"),
        (#"{"auths": {"ghcr.io": {"auth": "!!!"}}}"#, "not valid base64"),
        (#"{"auths": {"ghcr.io": {"auth": "dXNlcg=="}}}"#, "the auth of ghcr.io is not base64 of user:password"),
        (#"{"auths": {"ghcr.io": {"identitytoken": "r"}}}"#, "ghcr.io has only an identity token"),
        (#"{"auths": {"ghcr.io": {}}}"#, "ghcr.io has no auth, username and password, or registry token"),
        (
            #"{"auths": {}, "credsStore": "osxkeychain"}"#,
            "holds no inline credentials (they are kept by the helper 'osxkeychain')"
        ),
        (#"{"auths": {}}"#, "holds no inline credentials"),
        (#"{"auths": {"https://": {"auth": "dTpw"}}}"#, "'https://' names no registry"),
        (
            #"{"auths": {"ghcr.io": {"auth": "dTpw"}, "https://ghcr.io": {"auth": "djp3"}}}"#,
            "two different credentials for ghcr.io"
        ),
        (#"{"auths": {"ghcr.io": {"auth": "dTpw"}, "ghcr.io": {"auth": "djp3"}}}"#, "duplicate key"),
        (#"{"auths": {"ghcr.io": {"auth": "dTpw"}}} x"#, "not valid JSON"),
    ])
    func aFileThatCannotGiveCredentialsSaysWhy(text: String, message: String) {
        let error = #expect(throws: SupplyChainError.self) { try Self.read(text) }
        #expect(error?.reason.hasPrefix("registry credentials test.json: ") == true, "\(String(describing: error))")
        #expect(error?.reason.contains(message) == true, "\(String(describing: error))")
    }

    @Test func aDirectoryIsReadAsKubernetesMountsASecret() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dockerconfig-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = #expect(throws: SupplyChainError.self) { try DockerConfig.credentials(atPath: directory.path) }
        #expect(empty?.reason.contains("holds no config.json, .dockerconfigjson or .dockercfg") == true)
        try #"{"auths": {"ghcr.io": {"auth": "dTpw"}}}"#.write(
            to: directory.appendingPathComponent(".dockerconfigjson"), atomically: true, encoding: .utf8)
        #expect(
            try DockerConfig.credentials(atPath: directory.path) == ["ghcr.io": .basic(username: "u", password: "p")])
        let huge = directory.appendingPathComponent("huge.json")
        try Data(repeating: 0x20, count: (1 << 20) + 1).write(to: huge)
        let tooLarge = #expect(throws: SupplyChainError.self) { try DockerConfig.credentials(atPath: huge.path) }
        #expect(tooLarge?.reason.contains("larger than 1 MiB") == true)
    }
}
