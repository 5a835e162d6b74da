import AsyncHTTPClient
import CountersignControl
import CountersignTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// A fake GitHub for one App on 127.0.0.1 (`Tests/GitHubApp/github_app.py`): it verifies the App's JWT with PyJWT
/// against the public half of a key openssl made (PKCS#1, as GitHub issues them), issues installation tokens that
/// live `ttl` seconds, and accepts under /repos only an unexpired token of the installation covering the repository.
final class FakeGitHubApp: @unchecked Sendable {
    static let appID = "4242"
    static let installations = [GitHubTests.realRepository: 119_022_551, "acme/shop": 7]

    let process: ChildProcess
    let api: String
    let directory: URL

    init(ttl: Int) throws {
        let python = try #require(
            ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_PYTHON"],
            "COUNTERSIGN_TEST_PYTHON is not set: run scripts/python-deps.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("github-app-\(UUID())")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        for (name, bits) in [("app", "2048"), ("other", "2048"), ("small", "1024")] {
            try Self.openssl(["genrsa", "-traditional", "-out", path(name + ".pem"), bits])
        }
        try Self.openssl(["rsa", "-in", path("app.pem"), "-pubout", "-out", path("app.pub")])
        let installations = String(
            decoding: try JSONSerialization.data(withJSONObject: Self.installations), as: UTF8.self)
        process = try ChildProcess(
            python,
            [
                "Tests/GitHubApp/github_app.py", "--port", "0", "--app-id", Self.appID, "--public-key",
                path("app.pub"), "--installations", installations, "--token-ttl", String(ttl),
            ], standardError: .discard)
        let line = String(decoding: CommandRunner.readSome(process.standardOutput!), as: UTF8.self)
        guard let data = line.split(separator: "\n").first.map({ Data($0.utf8) }),
            let ready = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let api = ready["api"] as? String
        else { throw CommandRunner.RunnerError(message: "github_app.py did not start: \(line)") }
        self.api = api
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The App's clock, which a test moves on instead of sleeping.
    final class Clock: Sendable {
        private let offset = Mutex<TimeInterval>(0)
        func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
        var now: @Sendable () -> Date { { [self] in Date().addingTimeInterval(self.offset.withLock { $0 }) } }
    }
    func key(_ name: String) throws -> String { try String(contentsOfFile: path(name + ".pem"), encoding: .utf8) }

    static func openssl(_ arguments: [String]) throws {
        let run = try ChildProcess("/usr/bin/openssl", arguments, standardOutput: .discard, standardError: .discard)
        run.waitUntilExit()
        guard run.terminationStatus == 0 else {
            throw CommandRunner.RunnerError(message: "openssl \(arguments.joined(separator: " ")) failed")
        }
    }

    /// What the fake received: method, path, who (`app`, `invalid-jwt`, `invalid-token` or the token) and status.
    func log() async throws -> [[String: Any]] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: api + "/control/log"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]])
    }

    func count(_ log: [[String: Any]], _ method: String, _ suffix: String) -> Int {
        log.filter { $0["method"] as? String == method && ($0["path"] as? String)?.hasSuffix(suffix) == true }.count
    }
}

/// Issue 17, item 1: the GitHub App authenticates as GitHub Apps do — its RS256 JWT (jwt-kit) exchanged for
/// installation tokens, kept per installation and made again before they expire.
@Suite struct GitHubAppTests {
    @Test func installationTokensAreKeptPerInstallationAndRefreshedBeforeTheyExpire() async throws {
        // Tokens live 350 s and are refreshed 300 s before they expire: each is kept for about 50 s of the app's
        // clock, which the test moves on by 55 s (its JWTs stay valid by the fake's real clock: iat is 60 s back).
        let github = try FakeGitHubApp(ttl: 350)
        let clock = FakeGitHubApp.Clock()
        let app = try await GitHubApp(
            appID: FakeGitHubApp.appID, privateKeyPEM: try github.key("app"), apiBaseURL: github.api,
            now: clock.now)
        let repository = "ZanieBot/Release-Authenticator-Example"
        let first = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 { group.addTask { try await app.token(installation: 119_022_551) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(first.count == 1, "callers at once share one exchange: \(first)")
        let token = try #require(first.first)
        #expect(token.hasPrefix("ghs_"))
        #expect(try await app.token(installation: 119_022_551) == token, "kept while it has time left")
        #expect(try await app.token(installation: 7) != token, "another installation, another token")
        var log = try await github.log()
        #expect(github.count(log, "POST", "/app/installations/119022551/access_tokens") == 1)
        #expect(log.allSatisfy { $0["who"] as? String == "app" }, "every JWT verified: \(log)")

        clock.advance(55)
        let refreshed = try await app.token(installation: 119_022_551)
        #expect(refreshed != token, "refreshed before it expires")
        log = try await github.log()
        #expect(github.count(log, "POST", "/app/installations/119022551/access_tokens") == 2)

        // The repository's installation is looked up once, in any case, and its token works under /repos.
        let viaRepository = try await GitHubApp(
            appID: FakeGitHubApp.appID, privateKeyPEM: try github.key("app"), apiBaseURL: github.api)
        let commit = GitHubTests.realCommit
        let read = try await viaRepository.token(repository: repository)
        _ = try await viaRepository.token(repository: repository.lowercased())
        log = try await github.log()
        #expect(github.count(log, "GET", "/installation") == 1)
        var request = HTTPClientRequest(url: github.api + "/repos/\(GitHubTests.realRepository)/commits/\(commit)")
        request.headers.add(name: "Authorization", value: "Bearer \(read)")
        #expect(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code == 200)
        request = HTTPClientRequest(url: github.api + "/repos/acme/shop/commits/\(commit)")
        request.headers.add(name: "Authorization", value: "Bearer \(read)")
        #expect(
            try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code == 401,
            "an installation's token covers its own repositories only")
    }

    /// The hostile and the mistaken: another key, another App, a repository the App is not installed on, a key
    /// that is not one — each a clear error, never a token.
    @Test func wrongKeysAppsAndRepositoriesAreRefusedWithTheReason() async throws {
        let github = try FakeGitHubApp(ttl: 3600)
        let forged = try await GitHubApp(
            appID: FakeGitHubApp.appID, privateKeyPEM: try github.key("other"), apiBaseURL: github.api)
        await #expect {
            try await forged.token(installation: 7)
        } throws: { error in
            (error as? ControlError)?.message.contains("A JSON web token could not be decoded") == true
        }
        let otherApp = try await GitHubApp(appID: "9999", privateKeyPEM: try github.key("app"), apiBaseURL: github.api)
        await #expect {
            try await otherApp.token(installation: 7)
        } throws: { error in (error as? ControlError)?.message.contains("Integration not found") == true }
        let app = try await GitHubApp(
            appID: FakeGitHubApp.appID, privateKeyPEM: try github.key("app"), apiBaseURL: github.api)
        await #expect {
            try await app.token(installation: 8)
        } throws: { error in
            (error as? ControlError)?.message.contains("could not make a token for installation 8") == true
        }
        let log = try await github.log()
        #expect(github.count(log, "POST", "access_tokens") == 3)
        #expect(log.filter { $0["who"] as? String == "invalid-jwt" }.count == 2)
        for pem in ["not a key", try github.key("small")] {
            await #expect(throws: ControlError.self) {
                _ = try await GitHubApp(appID: FakeGitHubApp.appID, privateKeyPEM: pem, apiBaseURL: github.api)
            }
        }
    }
}

extension GitHubTests {
    /// The server as an App: the delivery's commit is read and the run called back with installation tokens, and
    /// a callback after the token's time is up carries a new one.
    @Test func theServerCallsGitHubAsAnApp() async throws {
        let github = try FakeGitHubApp(ttl: 350)
        let clock = FakeGitHubApp.Clock()
        let app = try await GitHubApp(
            appID: FakeGitHubApp.appID, privateKeyPEM: try github.key("app"), apiBaseURL: github.api,
            now: clock.now)
        let f = try await ServerFixture(
            github: GitHubConfiguration(
                webhookSecret: Self.secret, apiBaseURL: github.api, credentials: .app(app), deployer: "deploy-bot"),
            policy: Self.releasePolicy)
        var rule = try Self.fixture(Self.realShape)
        rule["deployment_callback_url"] = (rule["deployment_callback_url"] as? String)?.replacingOccurrences(
            of: "https://api.github.com", with: github.api)
        let ruleData = try JSONSerialization.data(withJSONObject: rule)
        // The next run of the same workflow: another callback.
        rule["deployment_callback_url"] = (rule["deployment_callback_url"] as? String)?.replacingOccurrences(
            of: "/runs/23625057533/", with: "/runs/23625057534/")
        let nextRun = try JSONSerialization.data(withJSONObject: rule)
        let deliverer = OutboxDeliverer(control: f.control)
        try await f.application().test(.router) { client in
            var backoff: [String: ContinuousClock.Instant] = [:]
            let registered = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "ghcr.io/zaniebot/app@\#(ServerFixture.digest)", "commit": "\#(Self.realCommit)", "repository": "\#(Self.realRepository)"}"#
            )
            #expect(registered.status == .created)
            let first = try await deliver(client, "deployment_protection_rule", data: ruleData, delivery: "app-1")
            #expect((try object(first)["outcome"] as? String)?.hasSuffix(": pending") == true)
            #expect(try await deliverer.deliverDue(&backoff) == 1)
            clock.advance(55)
            let second = try await deliver(client, "deployment_protection_rule", data: nextRun, delivery: "app-2")
            #expect((try object(second)["outcome"] as? String)?.hasSuffix(": pending") == true)
            #expect(try await deliverer.deliverDue(&backoff) == 1)
        }
        let log = try await github.log()
        let callbacks = log.filter { ($0["path"] as? String)?.hasSuffix("/deployment_protection_rule") == true }
        #expect(callbacks.map { $0["status"] as? Int } == [204, 204], "\(log)")
        let tokens = callbacks.compactMap { $0["who"] as? String }
        #expect(tokens.count == 2 && tokens.allSatisfy { $0.hasPrefix("ghs_") } && tokens[0] != tokens[1], "\(tokens)")
        #expect(github.count(log, "GET", "/installation") == 1)
        let reads = log.filter { ($0["path"] as? String)?.contains("/commits/") == true }
        #expect(
            !reads.isEmpty && reads.allSatisfy { $0["status"] as? Int == 200 }, "the commit read as the App: \(reads)")
    }
}

extension GitHubAppTests {
    /// `countersign serve` configured as the App (`--github-app-id`, `--github-app-key`): a signed delivery is
    /// answered on GitHub with an installation token; credentials that contradict or lack each other stop it with
    /// the reason.
    @Test func serveRunsAsTheApp() async throws {
        let github = try FakeGitHubApp(ttl: 3600)
        let directory = URL(fileURLWithPath: github.path("serve"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let policy = directory.appendingPathComponent("policy.yaml").path
        try GitHubTests.releasePolicy.write(toFile: policy, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("ledger.db").path
        let app = [
            "--github-api", github.api, "--github-app-id", FakeGitHubApp.appID, "--github-app-key",
            github.path("app.pem"),
        ]
        let secret = ["COUNTERSIGN_GITHUB_WEBHOOK_SECRET": GitHubTests.secret]
        for (more, environment, message) in [
            (app, ["COUNTERSIGN_GITHUB_TOKEN": "ghs_fixed"], "use a GitHub App or COUNTERSIGN_GITHUB_TOKEN, not both"),
            (Array(app.prefix(4)), [:], "a GitHub App needs both --github-app-id and --github-app-key"),
            ([], [:], "there are no GitHub credentials"),
            (
                ["--github-app-id", FakeGitHubApp.appID, "--github-app-key", github.path("small.pem")], [:],
                "is not an RSA private key of 2048 bits or more"
            ),
        ] {
            let run = try CommandRunner.run(
                ["serve", "--database", database, "--policy", policy, "--port", "0"] + more,
                environment: secret.merging(environment) { $1 })
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }

        let server = try ScaleOutTests.Server(database: database, policy: policy, app, environment: secret)
        defer { _ = server.stop() }
        var rule = try GitHubTests.fixture(GitHubTests.realShape)
        rule["deployment_callback_url"] = (rule["deployment_callback_url"] as? String)?.replacingOccurrences(
            of: "https://api.github.com", with: github.api)
        let body = try JSONSerialization.data(withJSONObject: rule)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/webhooks/github")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-GitHub-Event", value: "deployment_protection_rule")
        request.headers.add(name: "X-GitHub-Delivery", value: "serve-1")
        request.headers.add(
            name: "X-Hub-Signature-256", value: WebhookSignature.sign(Array(body), secret: GitHubTests.secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        let answer = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(answer.status.code == 200)
        // The outbox answers GitHub within a few seconds: rejected (no build of the commit is known), as the App.
        var callbacks: [[String: Any]] = []
        for _ in 0..<50 where callbacks.isEmpty {
            try await Task.sleep(for: .milliseconds(200))
            callbacks = try await github.log().filter {
                ($0["path"] as? String)?.hasSuffix("/deployment_protection_rule") == true
            }
        }
        #expect(callbacks.count == 1)
        #expect(callbacks.first?["status"] as? Int == 204)
        #expect((callbacks.first?["who"] as? String)?.hasPrefix("ghs_") == true, "\(callbacks)")
    }
}
