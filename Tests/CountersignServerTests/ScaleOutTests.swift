import AsyncHTTPClient
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Two `countersign serve` processes sharing one PostgreSQL, hammered concurrently, leave one consistent ledger:
/// no gap, no fork, every acknowledged request and decision present, the projections equal to a replay.
@Suite struct ScaleOutTests {
    final class Server {
        let process: ChildProcess
        let port: Int

        init(database: String, policy: String, _ more: [String] = [], environment: [String: String] = [:]) throws {
            process = try ChildProcess(
                try CommandRunner.binary().path,
                ["serve", "--database", database, "--policy", policy, "--port", "0"] + more, environment: environment,
                standardError: .discard)
            var line = ""
            let handle = process.standardOutput!
            while !line.contains("\n") {
                let chunk = CommandRunner.readSome(handle)
                guard !chunk.isEmpty else { break }
                line += String(decoding: chunk, as: UTF8.self)
            }
            guard let range = line.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
                let port = Int(line[range].split(separator: ":")[1])
            else { throw CommandRunner.RunnerError(message: "serve printed no address: \(line)") }
            self.port = port
        }

        /// SIGTERM, then the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func token(_ identity: String, _ role: String, database: String, policy: String) throws -> String {
        let run = try CommandRunner.run([
            "tokens", "create", "--identity", identity, "--role", role, "--database", database, "--policy", policy,
        ])
        guard run.status == 0 else { throw CommandRunner.RunnerError(message: run.stderr) }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func post(_ url: String, token: String, body: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// A SELECT-only audit role for `database`, made as an operator would: CREATE ROLE, then the grants
    /// `ledger audit-grants` prints, run with psql. Returns the URL audits log in with.
    static func auditRole(_ database: String) throws -> String {
        let role = "a_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let grants = try CommandRunner.run(["ledger", "audit-grants", "--database", database, "--role", String(role)])
        guard grants.status == 0 else { throw CommandRunner.RunnerError(message: grants.stderr) }
        let plain = database.components(separatedBy: "&schema=")[0]
        let psql = try ChildProcess(
            "/usr/bin/psql",
            [plain, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE ROLE \(role) LOGIN", "-c", grants.stdout],
            standardOutput: .discard, standardError: .discard)
        guard psql.terminationStatus == 0 else { throw CommandRunner.RunnerError(message: "psql failed") }
        return database.replacingOccurrences(of: "://postgres@", with: "://\(role)@")
    }

    @Test func twoServersOneLedger() async throws {
        let database = try TestPostgres.freshLedgerURL()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scale-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let policy = dir.appendingPathComponent("policy.yaml").path
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let deployer = try Self.token("deploy-bot", "deployer", database: database, policy: policy)
        let builder = try Self.token("ci", "builder", database: database, policy: policy)

        let servers = [try Server(database: database, policy: policy), try Server(database: database, policy: policy)]
        let perServer = 25
        let codes = try await withThrowingTaskGroup(of: [Int].self) { group in
            for (s, port) in servers.map(\.port).enumerated() {
                for i in 0..<perServer {
                    group.addTask {
                        let n = s * perServer + i
                        let digest = "sha256:" + String(format: "%064x", n + 1)
                        let base = "http://127.0.0.1:\(port)/api/v1"
                        let (created, _) = try await Self.post(
                            base + "/deploy-requests", token: deployer,
                            body: ServerFixture.requestBody(artifact: "registry.example.com/shop@\(digest)"))
                        let (checked, _) = try await Self.post(
                            base + "/checks", token: builder,
                            body: #"{"digest": "\#(digest)", "name": "unit", "status": "passed"}"#)
                        return [created, checked]
                    }
                }
            }
            var all: [Int] = []
            for try await c in group { all += c }
            return all
        }
        #expect(codes.filter { $0 == 201 }.count == 2 * 2 * perServer)
        for server in servers { #expect(server.stop() == 0) }

        let verify = try CommandRunner.run(["ledger", "verify", "--database", database])
        #expect(verify.status == 0, "\(verify.stderr)")
        let audit = try Self.auditRole(database)
        func count(_ sql: String) throws -> String {
            let run = try CommandRunner.run([
                "audit", "query", sql, "--database", database, "--audit-database", audit, "--output", "csv",
            ])
            return run.stdout.split(whereSeparator: \.isNewline).last.map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            } ?? ""
        }
        let requests = 2 * perServer
        #expect(try count("SELECT COUNT(*) FROM entries WHERE type = 'deploy.requested'") == "\(requests)")
        #expect(try count("SELECT COUNT(*) FROM deploy_requests") == "\(requests)")
        #expect(try count("SELECT COUNT(*) FROM checks") == "\(requests)")
        let decided = try count("SELECT COUNT(*) FROM entries WHERE type = 'gate.decided'")
        #expect(try count("SELECT COUNT(*) FROM decisions") == decided)
        #expect(Int(decided) ?? 0 >= 2 * requests)
        let before = try count("SELECT COUNT(*) || ':' || SUM(seq) FROM decisions")
        let replay = try CommandRunner.run(["ledger", "replay", "--database", database])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(try count("SELECT COUNT(*) || ':' || SUM(seq) FROM decisions") == before)
    }
}
