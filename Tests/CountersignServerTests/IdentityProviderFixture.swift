import AsyncHTTPClient
import CountersignControl
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A real OpenID Connect provider on 127.0.0.1 for the sign-in tests: `Tests/IdentityProvider/idp.py` (PyJWT),
/// with control endpoints that rotate its keys or make the next ID token wrong in a chosen way. Needs
/// `COUNTERSIGN_TEST_PYTHON` (scripts/python-deps.sh's venv); without it the tests fail, never skip.
final class IdentityProviderFixture: @unchecked Sendable {
    static let clientID = "countersign-test"
    static let clientSecret = "s3cret/with:odd&chars"
    static let redirectURI = ServerFixture.publicURL + "/ui/sign-in/callback"
    /// The provider's people: alice and bob by subject, dana by email only, and mallory whom no policy names.
    static let users = """
        {"alice": {"sub": "00u-alice", "email": "alice@example.com", "email_verified": true, "name": "Alice",
                   "groups": ["eng-payments", "Everyone"]},
         "bob": {"sub": "00u-bob", "email": "bob@example.com", "email_verified": true},
         "dana": {"sub": "00u-dana", "email": "Dana@Example.com", "email_verified": true},
         "dana-unverified": {"sub": "00u-dana2", "email": "dana@example.com", "email_verified": false},
         "mallory": {"sub": "00u-mallory", "email": "mallory@example.com", "email_verified": true},
         "shop-deploy": {"sub": "repo:acme/shop:environment:production", "repository": "acme/shop",
                         "repository_owner": "acme", "ref": "refs/heads/main", "environment": "production",
                         "job_workflow_ref": "acme/shop/.github/workflows/deploy.yml@refs/heads/main",
                         "event_name": "push"},
         "shop-build": {"sub": "repo:acme/shop:ref:refs/heads/main", "repository": "acme/shop",
                        "ref": "refs/heads/main",
                        "job_workflow_ref": "acme/shop/.github/workflows/build.yml@refs/heads/main"},
         "shop-branch": {"sub": "repo:acme/shop:ref:refs/heads/evil", "repository": "acme/shop",
                         "ref": "refs/heads/evil", "environment": "production",
                         "job_workflow_ref": "acme/shop/.github/workflows/deploy.yml@refs/heads/evil"},
         "fork-deploy": {"sub": "repo:mallory/shop:environment:production", "repository": "mallory/shop",
                         "ref": "refs/heads/main", "environment": "production",
                         "job_workflow_ref": "mallory/shop/.github/workflows/deploy.yml@refs/heads/main"}}
        """

    let process: ChildProcess
    let issuer: String
    let directory: URL
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["COUNTERSIGN_TEST_PYTHON"], !python.isEmpty else {
            throw CommandRunner.RunnerError(
                message: "COUNTERSIGN_TEST_PYTHON is not set: run scripts/python-deps.sh, then "
                    + "COUNTERSIGN_TEST_PYTHON=$PWD/.build/supply-chain-venv/bin/python swift test …")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("idp-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let users = directory.appendingPathComponent("users.json")
        try Self.users.write(to: users, atomically: true, encoding: .utf8)
        process = try ChildProcess(
            python,
            [
                "Tests/IdentityProvider/idp.py", "--port", "0", "--client-id", Self.clientID, "--client-secret",
                Self.clientSecret, "--redirect-uri", Self.redirectURI, "--users", users.path,
            ], standardError: .discard)
        let line = String(decoding: CommandRunner.readSome(process.standardOutput!), as: UTF8.self)
        guard let data = line.split(separator: "\n").first.map({ Data($0.utf8) }),
            let ready = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let issuer = ready["issuer"] as? String
        else { throw CommandRunner.RunnerError(message: "idp.py did not start: \(line)") }
        self.issuer = issuer
    }

    deinit {
        try? client.syncShutdown()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var settings: OIDCSettings {
        get throws {
            try OIDCSettings(
                issuer: issuer, clientID: Self.clientID, clientSecret: Self.clientSecret, redirectURI: Self.redirectURI)
        }
    }

    /// The provider's answer to the browser's authorization request, signing `login` in at once: the redirect back.
    func authorize(_ url: String, as login: String) async throws -> (status: Int, location: String?) {
        let response = try await client.execute(
            HTTPClientRequest(url: url + "&login_hint=" + login), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "location"))
    }

    /// POSTs `body` (JSON) to a control endpoint: `/control/next`, `/control/rotate`.
    func control(_ path: String, _ body: String) async throws {
        var request = HTTPClientRequest(url: issuer + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok, "\(path) \(body)")
    }

    /// A CI job's ID token for `audience`, asked as GitHub Actions asks (`GET /actions/id-token`), `job` being one of
    /// ``users``.
    func ciToken(_ job: String, audience: String) async throws -> String {
        var request = HTTPClientRequest(url: issuer + "/actions/id-token?audience=" + audience)
        request.headers.add(name: "Authorization", value: "Bearer \(job)")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let answer = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return try #require(answer?["value"] as? String, "no token for \(job)")
    }

    /// The requests the provider received, as `GET /control/log` lists them.
    func log() async throws -> [[String: Any]] {
        let response = try await client.execute(HTTPClientRequest(url: issuer + "/control/log"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        return try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]] ?? []
    }
}
