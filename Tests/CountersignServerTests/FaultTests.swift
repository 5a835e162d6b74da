import CountersignCanary
import CountersignCore
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
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
        await #expect(throws: APIError(.unavailable, "")) {
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
