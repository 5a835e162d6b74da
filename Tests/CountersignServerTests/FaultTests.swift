import CountersignCanary
import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignSQLite
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// A ledger whose database is gone: every call fails as a lost connection would.
struct UnreachableStore: LedgerStore {
    static let failure = LedgerError(.storage, "connection refused (127.0.0.1:5432)")
    func append(_ drafts: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry] { throw Self.failure }
    func size() async throws(LedgerError) -> Int { throw Self.failure }
    func entries(from: Int, count: Int) async throws(LedgerError) -> [LedgerEntry] { throw Self.failure }
    func entries(between from: Date, and to: Date) async throws(LedgerError) -> [LedgerEntry] { throw Self.failure }
    func snapshot(_ nodes: @escaping @Sendable (Int) throws(LedgerError) -> Set<MerkleNode>) async throws(LedgerError)
        -> (
            size: Int, hashes: [MerkleNode: [UInt8]]
        )
    { throw Self.failure }
    func storeCheckpoint(size: Int, rootHash: [UInt8], note: String) async throws(LedgerError) { throw Self.failure }
    func latestCheckpoint() async throws(LedgerError) -> String? { throw Self.failure }
    func verify(verifier: NoteVerifier?, progress: @Sendable (Int, Int) -> Void) async throws(LedgerError)
        -> VerificationReport
    { throw Self.failure }
    func replayProjections() async throws(LedgerError) -> Int { throw Self.failure }
    func audit(_ sql: String) async throws(LedgerError) -> QueryResult { throw Self.failure }
    func lookup(_ sql: String, _ arguments: [SQLValue]) async throws(LedgerError) -> QueryResult { throw Self.failure }
    func probeWrite() async throws(LedgerError) { throw Self.failure }
}

@Suite struct FaultTests {
    /// With the database gone nothing can be authenticated or decided: 503 with the reason, never an allow.
    @Test func databaseGoneIs503WithTheReason() async throws {
        let f = try await ServerFixture(store: UnreachableStore())
        try await f.application().test(.router) { client in
            let token = "cst_" + String(repeating: "A", count: 43)
            let r = try await client.call(
                .post, "/api/v1/deploy-requests", [.authorization: "Bearer \(token)"], ServerFixture.requestBody())
            #expect(r.status == .serviceUnavailable)
            let error = try apiError(r)
            #expect(error.code == "unavailable")
            #expect(error.message == "the ledger is unavailable: connection refused (127.0.0.1:5432)")
            #expect(try await client.call(.get, "/health", [:]).status == .ok)
        }
    }

    /// The control plane itself, past authentication: a protected environment's request is not decided.
    @Test func requestsAreNotDecidedWithoutTheLedger() async throws {
        let f = try await ServerFixture(store: UnreachableStore())
        let principal = Principal(identity: "deploy-bot", role: .deployer, kind: .automation, tokenID: "tok_x")
        let input = try JSONDecoder().decode(DeployRequestInput.self, from: Data(ServerFixture.requestBody().utf8))
        await #expect(throws: ControlError(.unavailable, "")) {
            _ = try await f.control.requestDeploy(input, by: principal)
        }
    }
}

/// Argo's Kayenta provider through the server: the token rides in the address.
@Suite struct KayentaRouteTests {
    struct FixedSource: KayentaMetricSource {
        func series(
            of metric: CanaryMetricConfiguration, in config: CanaryConfiguration, scope: KayentaScope
        ) async throws(CanaryError) -> [Double] {
            (0..<30).map { 10 + Double($0 % 3) }
        }
    }

    @Test func argoCallsThroughTheServer() async throws {
        let f = try await ServerFixture()
        let config = try CanaryConfiguration.decode(
            json: Data(
                #"{"id": "c1", "name": "latency", "metrics": [{"name": "p99", "groups": ["g"], "query": {}}], "classifier": {"groupWeights": {"g": 100}}}"#
                    .utf8))
        let service = try KayentaService(configurations: [config], source: FixedSource())
        Task { await service.run() }
        let components = ServerComponents(control: f.control, kayenta: KayentaAPI(service: service))
        let deployer = try #require(f.tokens["deployer"])
        let alice = try #require(f.tokens["alice"])
        try await f.application(components: components).test(.router) { client in
            let list = try await client.call(.get, "/kayenta/\(deployer)/canaryConfig", [:])
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains(#""name":"latency""#))
            let body = """
                {"scopes": {"default": {"controlScope": {"scope": "a", "start": 0, "end": 1740},
                 "experimentScope": {"scope": "b", "start": 0, "end": 1740}}}, "thresholds": {"pass": 90, "marginal": 75}}
                """
            let started = try await client.call(.post, "/kayenta/\(deployer)/canary/c1", [:], body)
            #expect(started.status == .ok)
            let id = try #require(try object(started)["canaryExecutionId"] as? String)
            _ = try await service.completed(id: id)
            let status = try await client.call(.get, "/kayenta/\(deployer)/canary/\(id)", [:])
            #expect(try object(status)["complete"] as? Bool == true)
            #expect(try await client.call(.get, "/kayenta/\(alice)/canaryConfig", [:]).status == .forbidden)
            #expect(try await client.call(.get, "/kayenta/cst_nope/canaryConfig", [:]).status == .unauthorized)
        }
    }
}

/// The same application over real HTTP on a free port.
@Suite struct LiveServerTests {
    @Test func liveRequestAndDecision() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.live) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(created.status == .created)
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let got = try await client.call(.get, "/api/v1/deploy-requests/\(id)", f.headers("alice"))
            #expect(got.status == .ok)
            #expect((try object(got)["decision"] as? [String: Any])?["verdict"] as? String == "pending")
        }
    }
}

/// A real SQLite ledger whose writes fail while `failing` is set, as on a full disk, counting readiness's probes.
final class FailingWritesStore: LedgerStore, Sendable {
    let base: SQLiteLedger
    let failing = Mutex(false)
    let probes = Mutex(0)
    static let failure = LedgerError(.storage, "database or disk is full")

    init(path: String) throws { base = try SQLiteLedger(path: path) }

    func append(_ drafts: [EntryDraft]) async throws(LedgerError) -> [LedgerEntry] {
        if failing.withLock({ $0 }) { throw Self.failure }
        return try await base.append(drafts)
    }
    func probeWrite() async throws(LedgerError) {
        probes.withLock { $0 += 1 }
        if failing.withLock({ $0 }) { throw Self.failure }
        try await base.probeWrite()
    }
    func size() async throws(LedgerError) -> Int { try await base.size() }
    func entries(from: Int, count: Int) async throws(LedgerError) -> [LedgerEntry] {
        try await base.entries(from: from, count: count)
    }
    func entries(between from: Date, and to: Date) async throws(LedgerError) -> [LedgerEntry] {
        try await base.entries(between: from, and: to)
    }
    func snapshot(_ nodes: @escaping @Sendable (Int) throws(LedgerError) -> Set<MerkleNode>) async throws(LedgerError)
        -> (size: Int, hashes: [MerkleNode: [UInt8]])
    { try await base.snapshot(nodes) }
    func storeCheckpoint(size: Int, rootHash: [UInt8], note: String) async throws(LedgerError) {
        try await base.storeCheckpoint(size: size, rootHash: rootHash, note: note)
    }
    func latestCheckpoint() async throws(LedgerError) -> String? { try await base.latestCheckpoint() }
    func verify(verifier: NoteVerifier?, progress: @escaping @Sendable (Int, Int) -> Void) async throws(LedgerError)
        -> VerificationReport
    { try await base.verify(verifier: verifier, progress: progress) }
    func replayProjections() async throws(LedgerError) -> Int { try await base.replayProjections() }
    func audit(_ sql: String) async throws(LedgerError) -> QueryResult { try await base.audit(sql) }
    func lookup(_ sql: String, _ arguments: [SQLValue]) async throws(LedgerError) -> QueryResult {
        try await base.lookup(sql, arguments)
    }
}

@Suite struct ReadinessProbeTests {
    /// `/readyz` is open to anyone: hammered while writes fail, it still writes its probe at most once a second
    /// (it wrote one per call), answering 503 with the last probe's reason in between.
    @Test func readinessProbesAtMostOnceASecond() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FailingWritesStore(path: dir.appendingPathComponent("ledger.db").path)
        let f = try await ServerFixture(store: store, tokens: true)
        try await f.application().test(.router) { client in
            store.failing.withLock { $0 = true }
            let failed = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(failed.status == .serviceUnavailable)
            let started = ContinuousClock.now
            for _ in 0..<200 {
                let ready = try await client.call(.get, "/readyz", [:])
                #expect(ready.status == .serviceUnavailable)
                #expect(String(buffer: ready.body).contains("database or disk is full"))
            }
            // One probe per started second (the calls take well under one on a quiet machine).
            let seconds = Int((ContinuousClock.now - started).components.seconds) + 2
            #expect(store.probes.withLock { $0 } <= seconds, "probes: \(store.probes.withLock { $0 }) in \(seconds) s")
            store.failing.withLock { $0 = false }
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await client.call(.get, "/readyz", [:]).status == .ok)
            #expect(try await client.call(.get, "/readyz", [:]).status == .ok)
        }
    }
}
