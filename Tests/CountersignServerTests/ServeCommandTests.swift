import AsyncHTTPClient
import CountersignTesting
import Foundation
import NIOCore
import Testing

/// `countersign serve` as users run it: configuration from a file, the listening line, SIGTERM.
@Suite struct ServeCommandTests {
    @Test func configurationFileAndGracefulShutdown() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("countersign.yaml")
        try "database: \(dir.path)/ledger.db\nport: 0\norigin: test.example/ledger\n".write(
            to: config, atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            try CommandRunner.binary().path, ["serve", "--config", config.path], standardError: .discard)
        let line = String(decoding: CommandRunner.readSome(process.standardOutput!), as: UTF8.self)
        #expect(line.contains("countersign: listening on http://127.0.0.1:"))
        #expect(line.contains("ledger \(dir.path)/ledger.db"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/ledger.db"))

        try "database: x\nsecret: hunter2\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["serve", "--config", config.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown setting secret (secrets belong in the environment)"))
    }

    /// Signing in through an identity provider is configured by flags, the file and one secret in the environment;
    /// a configuration that would weaken sign-in stops the server before it listens.
    @Test func identityProviderSettingsAreCheckedAtStart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serve-oidc-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let base = ["serve", "--database", dir.path + "/ledger.db", "--port", "0"]
        let secret = ["COUNTERSIGN_OIDC_CLIENT_SECRET": "s3cret"]
        for (arguments, environment, message) in [
            (["--oidc-issuer", "https://idp.example.com"], [:], "--oidc-issuer needs --oidc-client-id"),
            (
                ["--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "cs"], [:],
                "needs COUNTERSIGN_OIDC_CLIENT_SECRET"
            ),
            (["--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "cs"], secret, "needs --public-url"),
            (
                [
                    "--oidc-issuer", "http://idp.example.com", "--oidc-client-id", "cs", "--public-url",
                    "https://countersign.example.com",
                ], secret, "must be https"
            ),
            (
                [
                    "--oidc-issuer", "http://127.0.0.1:9/demo-idp", "--oidc-client-id", "cs", "--public-url",
                    "https://countersign.example.com",
                ], secret, "the demo's development identity provider"
            ),
        ] as [([String], [String: String], String)] {
            let run = try CommandRunner.run(base + arguments, environment: environment)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        // Configured in full (issuer and client id from the file): the sign-in page offers the provider.
        let config = dir.appendingPathComponent("countersign.yaml")
        try "oidcIssuer: https://login.example.com/oauth2\noidcClientID: countersign\n".write(
            to: config, atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            try CommandRunner.binary().path,
            base + ["--config", config.path, "--public-url", "https://countersign.example.com"], environment: secret,
            standardError: .discard)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let line = String(decoding: CommandRunner.readSome(process.standardOutput!), as: UTF8.self)
        let port = try #require(
            line.range(of: "127.0.0.1:").map { line[$0.upperBound...].prefix { $0.isNumber } }.flatMap { Int($0) })
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/ui/sign-in"), timeout: .seconds(10))
        let page = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(page.contains("Sign in with login.example.com"), "\(page)")
    }
}
