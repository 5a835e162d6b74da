import AsyncHTTPClient
import CountersignTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `countersign serve` over a PostgreSQL that is killed and restarted under it. While the database is gone every
/// call that needs it answers within the store deadline — a 503 with a plain reason, admission a denial — and
/// `/readyz` says so while `/health` (liveness) stays up; once it is back, the same process decides again.
/// (Before: calls hung ~67 s and answered `400 bad_request` naming internal types, admission waited ~30 s, and
/// after most restarts no write was accepted until Countersign itself was restarted.)
@Suite struct StoreOutageTests {
    static func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// The status, body and seconds taken of `call`: the fastest of three tries. The suite runs in parallel on two
    /// cores, so one try can wait seconds for this test process to be scheduled after the server has answered; a
    /// server that does not answer in time fails every try. (With the database gone the calls append nothing.)
    static func timed(_ call: () async throws -> (Int, String)) async throws -> (Int, String, Double) {
        var fastest: (Int, String, Double)?
        for _ in 0..<3 {
            let started = ContinuousClock.now
            let (status, body) = try await call()
            let took = ContinuousClock.now - started
            let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            if fastest == nil || seconds < fastest!.2 { fastest = (status, body, seconds) }
        }
        return fastest!
    }

    @Test func aKilledDatabaseIsA503WithinTheDeadlineAndTheServerRecovers() async throws {
        let cluster = try ScratchPostgres()
        let database = cluster.url + "&schema=outage"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outage-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = dir.appendingPathComponent("policy.yaml").path
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let deployer = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        let server = try ScaleOutTests.Server(database: database, policy: policy, ["--store-deadline", "2"])
        let base = "http://127.0.0.1:\(server.port)"
        let request = { try await ScaleOutTests.post(base + "/api/v1/deploy-requests", token: deployer, body: $0) }
        let image = "registry.example.com/shop@\(ServerFixture.digest)"

        #expect(try await request(ServerFixture.requestBody()).0 == 201)
        #expect(try await Self.get(base + "/readyz").0 == 200)

        try cluster.kill()
        let (status, body, took) = try await Self.timed { try await request(ServerFixture.requestBody()) }
        #expect(status == 503, "\(body)")
        // The deadline bounds the request's database waits in all (StoreBudget), not each of its store calls: about
        // 2 s on a quiet machine; the bound leaves room for a loaded one (the whole suite beside it on 2 cores).
        #expect(took < 10, "answered in \(took) s with the store deadline at 2 s")
        for typeName in ["PSQL", "Postgres", "Error(", "NIO", "connectionError"] {
            #expect(!body.contains(typeName), "the reason is plain, not a type name: \(body)")
        }
        let (ready, readyBody, readyTook) = try await Self.timed { try await Self.get(base + "/readyz") }
        #expect(ready == 503 && readyTook < 10, "\(readyBody) in \(readyTook) s")
        #expect(try await Self.get(base + "/health").0 == 200, "liveness does not depend on the database")
        let (admission, answer, admissionTook) = try await Self.timed {
            var review = HTTPClientRequest(url: base + "/admission/validate")
            review.method = .POST
            review.headers.add(name: "Content-Type", value: "application/json")
            review.body = .bytes(ByteBuffer(string: AdmissionTests.review(namespace: "shop-prod", image: image)))
            let response = try await HTTPClient.shared.execute(review, timeout: .seconds(30))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        #expect(admissionTook < 10, "admission answered in \(admissionTook) s; Kubernetes gives a webhook 10 s")
        #expect(admission == 200 && answer.contains(#""allowed":false"#), "fails closed: \(admission) \(answer)")

        try cluster.restart()
        var readyAgain = false
        for _ in 0..<60 where !readyAgain {
            readyAgain = (try? await Self.get(base + "/readyz").0) == 200
            if !readyAgain { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(readyAgain, "/readyz is ready again within 30 s of the restart")
        let again = try await request(ServerFixture.requestBody())
        #expect(again.0 == 201, "the same process accepts writes again: \(again.1)")
        #expect(server.stop() == 0)
        let verify = try CommandRunner.run(["ledger", "verify", "--database", database])
        #expect(verify.status == 0, "\(verify.stderr)")
    }
}

/// `countersign serve` over a SQLite file on a disk that fills up (a small tmpfs of the test's own, so root or
/// CAP_SYS_ADMIN is needed — the test fails, never skips, without). A write that does not fit is a 503 naming the
/// full disk and acknowledges nothing; `/readyz` reports it while `/health` stays up; once space returns, the same
/// process is ready and writes again; and every acknowledged request is in the verified ledger.
@Suite struct DiskFullTests {
    @Test func aFullDiskIsReportedAndRecoveredFrom() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID())").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try Spawn.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint])
        defer {
            _ = try? Spawn.run("/usr/bin/umount", [mountPoint])
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let database = mountPoint + "/ledger.db"
        let policy = mountPoint + "/policy.yaml"
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let deployer = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        let server = try ScaleOutTests.Server(database: database, policy: policy)
        let base = "http://127.0.0.1:\(server.port)"
        var acknowledged = 0
        func request() async throws -> (Int, String) {
            let digest = "sha256:" + String(format: "%064x", acknowledged + 1)
            let answer = try await ScaleOutTests.post(
                base + "/api/v1/deploy-requests", token: deployer,
                body: ServerFixture.requestBody(artifact: "registry.example.com/shop@\(digest)"))
            if answer.0 == 201 { acknowledged += 1 }
            return answer
        }
        #expect(try await request().0 == 201)

        // Fill the disk, then write until a write needs space (the WAL reuses what it already has).
        let filler = mountPoint + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let chunk = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
        var refused: (Int, String)?
        for _ in 0..<500 where refused == nil {
            let answer = try await request()
            if answer.0 != 201 { refused = answer }
        }
        let (status, body) = try #require(refused, "500 requests fitted on a full disk")
        #expect(status == 503 && body.contains("full"), "\(status) \(body)")
        let (readyStatus, readyBody) = try await StoreOutageTests.get(base + "/readyz")
        #expect(readyStatus == 503 && readyBody.contains("full"), "\(readyStatus) \(readyBody)")
        #expect(try await StoreOutageTests.get(base + "/health").0 == 200)
        #expect(try await request().0 == 503, "still full: still refused")

        try FileManager.default.removeItem(atPath: filler)
        // Readiness probes at most once a second (the route is open to anyone), so it may answer from the last
        // probe for up to a second.
        let started = ContinuousClock.now
        var ready = false
        while !ready, ContinuousClock.now - started < .seconds(3) {
            ready = try await StoreOutageTests.get(base + "/readyz").0 == 200
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(ready, "ready within the probe interval once space returns")
        #expect(try await request().0 == 201, "and writes again")
        #expect(server.stop() == 0)

        let verify = try CommandRunner.run(["ledger", "verify", "--database", database])
        #expect(verify.status == 0, "\(verify.stderr)")
        let count = try CommandRunner.run([
            "audit", "query", "SELECT COUNT(*) AS n FROM deploy_requests", "--database", database, "--output", "csv",
        ])
        #expect(count.stdout == "n\r\n\(acknowledged)\r\n", "every acknowledged request, no other: \(count)")
    }

    /// A database file the server may not write is refused at start with the reason — not served read-only, where
    /// every request would be read but none decided. (Run as `nobody`: root writes whatever the file mode says.)
    @Test func aReadOnlyDatabaseIsRefusedAtStart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ro-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/ledger.db"
        let policy = dir + "/policy.yaml"
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        _ = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        for file in [database, policy] {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: file)
        }
        #expect {
            try Spawn.run(
                "/usr/sbin/runuser",
                [
                    "-u", "nobody", "--", try CommandRunner.binary().path, "serve", "--database", database, "--policy",
                    policy, "--port", "0",
                ])
        } throws: { error in
            // Refused when the store opens, or — when opening needs no write (no migration pending, no WAL left
            // over) — at the first write start-up makes, the policy's bootstrap; either way before serving.
            "\(error)".contains("attempt to write a readonly database")
        }
    }
}
