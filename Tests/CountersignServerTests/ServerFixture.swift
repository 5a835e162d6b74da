import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignSQLite
import CountersignTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import CountersignServer

/// A server over a fresh SQLite ledger and a small policy written for the tests, with a token per role.
struct ServerFixture {
    static let policy = """
        apiVersion: countersign.dev/v1alpha1
        kind: Environment
        metadata: { name: production }
        spec:
          rank: 30
          protected: true
          deployers: [deploy-bot]
          sourceRefs: ["refs/heads/main"]
          namespaces: [shop-prod]
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: alice }
        spec: { kind: human, roles: [approver], aliases: [alice-gh] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: bob }
        spec: { kind: human, roles: [approver] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: deploy-bot }
        spec: { kind: automation, roles: [deployer] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: ci }
        spec: { kind: automation, roles: [builder], aliases: ["github-actions[bot]"] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: erin }
        spec: { kind: human, roles: [admin, approver] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: grace }
        spec: { kind: human, roles: [admin] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: frank }
        spec: { kind: human, roles: [auditor] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Team
        metadata: { name: owners }
        spec: { members: [alice, bob] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Environment
        metadata: { name: frozen }
        spec: { rank: 30, protected: true, deployers: [deploy-bot], sourceRefs: ["refs/heads/main"] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Team
        metadata: { name: oncall }
        spec: { members: [bob] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Team
        metadata: { name: managers }
        spec: { members: [erin, grace] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Freeze
        metadata: { name: forever }
        spec:
          environments: [frozen]
          windows:
            - { start: "2000-01-01T00:00:00Z", end: "2100-01-01T00:00:00Z" }
          breakGlass:
            allowed: [team:oncall]
            requires: [reason, incident]
            maxDuration: 4h
            review: { within: 48h, team: managers }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: standard }
        spec:
          priority: 10
          match: "true"
          controls:
            checks: [unit]
            approvals:
              - { team: owners, count: 1 }
        """

    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// A request body: bob wrote the change, so bob may not approve it.
    static func requestBody(
        artifact: String = "registry.example.com/shop@\(digest)", environment: String = "production"
    ) -> String {
        """
        {"service": "shop", "environment": "\(environment)", "artifact": "\(artifact)",
         "change": {"repository": "acme/shop", "commit": "\(commit)", "ref": "refs/heads/main",
                    "kind": "code", "reversible": true,
                    "pullRequest": {"number": 7, "author": "bob", "committers": ["bob"]}}}
        """
    }

    let control: ControlPlane
    let tokens: [String: String]
    let directory: URL

    /// The origin the fixture's server is configured to be reached at (its public URL).
    static let publicURL = "https://countersign.example"

    init(
        store: (any LedgerStore)? = nil, github: GitHubConfiguration? = nil,
        notifications: NotificationSettings = .init(), policy: String = ServerFixture.policy, clock: TestClock? = nil,
        tokens makeTokens: Bool? = nil
    ) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("countersign-server-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let policyFile = directory.appendingPathComponent("policy.yaml")
        try policy.write(to: policyFile, atomically: true, encoding: .utf8)
        let bundle = try PolicyLoader.load(path: policyFile.path)
        let ledger = try store ?? SQLiteLedger(path: directory.appendingPathComponent("ledger.db").path)
        let now: @Sendable () -> Date
        if let clock { now = { clock.now } } else { now = { Date() } }
        control = ControlPlane(
            store: ledger, policy: PolicyHolder(bundle, path: policyFile.path), github: github,
            notifications: notifications, now: now)
        var tokens: [String: String] = [:]
        // A store of the test's own may be one that cannot be written: tokens only when asked.
        if makeTokens ?? (store == nil) {
            for (name, identity, role) in [
                ("deployer", "deploy-bot", Identity.Role.deployer), ("builder", "ci", .builder),
                ("alice", "alice", .approver), ("bob", "bob", .approver), ("admin", "erin", .admin),
                ("auditor", "frank", .auditor), ("admin2", "grace", .admin),
            ] {
                // People mint their own tokens, signed in; the host issues the automations'.
                let human = control.policy.bundle.identity(identity)?.kind == .human
                tokens[name] =
                    try await control.createToken(
                        identity: identity, role: role,
                        issuer: human ? .themselves(Self.person(identity, role)) : .host(user: "test")
                    ).secret
            }
        }
        self.tokens = tokens
    }

    /// The server as configured in production: reached at ``publicURL``, so forms must come from its origin.
    static var configuration: ServerConfiguration {
        var configuration = ServerConfiguration(port: 0)
        configuration.publicURL = try! PublicURL(parsing: publicURL)
        return configuration
    }

    func application(
        components: ServerComponents? = nil, configuration: ServerConfiguration = ServerFixture.configuration
    ) -> some ApplicationProtocol {
        // Without TLS nothing in building an application throws.
        do {
            return try buildApplication(
                configuration: configuration, components: components ?? ServerComponents(control: control))
        } catch {
            fatalError("the test application did not build: \(error)")
        }
    }

    func headers(_ who: String?) -> HTTPFields {
        var h: HTTPFields = [.contentType: "application/json"]
        if let who, let token = tokens[who] { h[.authorization] = "Bearer \(token)" }
        return h
    }

    func ledgerSize() async throws -> Int { try await control.store.size() }

    /// `name` signed in as a person (as the identity provider's sign-in makes them), to mint their own tokens.
    static func person(_ name: String, _ role: Identity.Role = .approver) -> Principal {
        Principal(identity: name, role: role, kind: .human, tokenID: "sign-in")
    }

    /// A signed-in browser: a session started for `who` as signing in starts one, its cookie, the form content
    /// type and the server's own Origin; and the session's CSRF token for forms.
    func browser(_ who: String) async throws -> (headers: HTTPFields, csrf: String) {
        let principal = try await control.authenticate(secret: tokens[who]!)
        let started = try await control.startSession(for: principal, lifetime: WebSession.lifetime)
        let session = WebSession(id: started.id, principal: principal, secret: started.secret)
        return (
            [
                .cookie: "\(WebSession.cookie)=\(started.secret)", .contentType: "application/x-www-form-urlencoded",
                .origin: ServerFixture.publicURL,
            ], session.csrf
        )
    }

    /// Runs `sql` on the fixture's SQLite file from outside the server, as someone with the file could.
    func rewriteProjection(_ sql: String) throws {
        let python = try ChildProcess(
            "/usr/bin/python3",
            [
                "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                directory.appendingPathComponent("ledger.db").path, sql,
            ], standardOutput: .discard, standardError: .discard)
        guard python.terminationStatus == 0 else { throw CommandRunner.RunnerError(message: "python3: \(sql)") }
    }

    /// What GitHub records about the fixture's commit — bob's pull request #7 into main — and ci's registration of
    /// the digest as built from it: the facts a protected environment decides on. Recorded as the server records
    /// them (a `change.recorded` by `github`, an `artifact.registered` by the builder); the tests of how they
    /// arrive — deliveries, API reads — are GitHubTests and ChangeFactsTests.
    func recordChangeFacts(digest: String = ServerFixture.digest) async throws {
        let change = Change(
            repository: "acme/shop", commit: Self.commit, ref: "refs/heads/main",
            pullRequest: .init(number: 7, author: "bob", url: "https://github.com/acme/shop/pull/7"), kind: "code",
            reversible: true)
        try await control.record(
            ChangeRecorded(change: change, repository: "acme/shop", source: .githubAPI), actor: "github")
        _ = try await control.registerArtifact(
            reference: "registry.example.com/shop@\(digest)", commit: Self.commit, repository: "acme/shop",
            by: Principal(identity: "ci", role: .builder, kind: .automation, tokenID: "test"))
    }

    /// The standard flow to an allowed request: GitHub's record of the change, then requested by the deployer, unit
    /// check passed, approved by alice. Returns the request id.
    func requestAndAllow(_ client: some TestClientProtocol) async throws -> String {
        try await recordChangeFacts()
        let created = try await client.call(.post, "/api/v1/deploy-requests", headers("deployer"), Self.requestBody())
        let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
        _ = try await client.call(
            .post, "/api/v1/checks", headers("builder"),
            #"{"digest": "\#(Self.digest)", "name": "unit", "status": "passed"}"#)
        let approved = try await client.call(
            .post, "/api/v1/deploy-requests/\(id)/reviews", headers("alice"), #"{"decision": "approve"}"#)
        #expect(try object(approved)["verdict"] as? String == "allowed")
        return id
    }
}

/// A clock the test moves by hand (the control plane reads "now" from it).
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The JSON object of a response body.
func object(_ response: TestResponse) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
}

/// `error.code` and `error.message` of an error response.
func apiError(_ response: TestResponse) throws -> (code: String, message: String) {
    let error = try #require(try object(response)["error"] as? [String: Any])
    return (error["code"] as? String ?? "", error["message"] as? String ?? "")
}

extension TestClientProtocol {
    func call(
        _ method: HTTPRequest.Method, _ uri: String, _ headers: HTTPFields, _ body: String? = nil
    ) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}
