import AsyncHTTPClient
import CountersignCore
import CountersignEncoding
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

@testable import CountersignControl
@testable import CountersignServer

/// Each API operation appends everything it implies in one batch: a deploy request with its first decision and
/// the notifications that decision queues; a review with the decision it leads to.
@Suite struct AtomicOperationTests {
    /// `kill -9` of `countersign serve` while eight clients request deploys: every request on the ledger has its
    /// decision and the decision its notification, each request's batch is contiguous, every acknowledged request
    /// is there, and the ledger verifies. (Before, a request and its decision were two transactions, and a kill
    /// or a store failure between them left a request no decision was ever recorded for.)
    @Test func aKilledServerLeavesNoRequestWithoutItsDecision() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("ledger.db").path
        let policy = dir.appendingPathComponent("policy.yaml").path
        try ServerFixture.policy.write(toFile: policy, atomically: true, encoding: .utf8)
        let deployer = try ScaleOutTests.token("deploy-bot", "deployer", database: database, policy: policy)
        let before = try await SQLiteLedger(path: database).size()
        let server = try ScaleOutTests.Server(
            database: database, policy: policy, ["--notify", "http://127.0.0.1:9/"],
            environment: ["COUNTERSIGN_NOTIFY_SECRET": String(repeating: "s", count: 32)])
        let url = "http://127.0.0.1:\(server.port)/api/v1/deploy-requests"

        let answered = Counter()
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    while let (status, body) = try? await ScaleOutTests.post(
                        url, token: deployer, body: ServerFixture.requestBody()), status == 201
                    {
                        let answer = try JSONValue(parsing: body)
                        if let id = answer["request"]?["id"]?.stringValue { ids.append(id) }
                        answered.value.withLock { $0 += 1 }
                    }
                    return ids
                }
            }
            // Kill once the clients are in full flow (a loaded machine may take a while to get there).
            for _ in 0..<600 where answered.value.withLock({ $0 }) < 40 { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<200)))
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(acknowledged.count > 20, "the clients got \(acknowledged.count) requests through before the kill")

        let ledger = try SQLiteLedger(path: database)
        let size = try await ledger.size()
        let entries = try await ledger.entries(from: before, count: size - before)
        var requests: [String: Int] = [:]  // request id → position of its deploy.requested entry
        for (i, entry) in entries.enumerated() where entry.type.rawValue == "deploy.requested" {
            requests[entry.payload["id"]?.stringValue ?? ""] = i
        }
        #expect(Set(acknowledged).isSubset(of: Set(requests.keys)), "an acknowledged request is missing")
        let decided = Set(
            entries.filter { $0.type.rawValue == "gate.decided" }.compactMap { $0.payload["request"]?.stringValue })
        #expect(Set(requests.keys).subtracting(decided).isEmpty, "requests without a decision")
        for (id, i) in requests {
            // The batch: the request, its decision, the decision's notification — consecutive.
            let batch = entries[i..<min(i + 3, entries.count)].map(\.type.rawValue)
            #expect(batch == ["deploy.requested", "gate.decided", "notification.queued"], "\(id): \(batch)")
            #expect(entries[i + 1].payload["request"]?.stringValue == id)
        }
        let verify = try CommandRunner.run(["ledger", "verify", "--database", database])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// A review and the decision it leads to are one batch, the decision taken on the evidence as the projection
    /// will hold it once the review is recorded: checked here against the projection itself, for a grant, its
    /// withdrawal, a rejection and a grant again.
    @Test func aReviewIsRecordedWithItsDecisionOnTheEvidenceTheProjectionHolds() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let request = try await f.control.deployRequest(id: id).request
            for decision in ["approve", "withdraw", "reject", "approve"] {
                let evidence = try await f.control.evidence(for: request, digest: ServerFixture.digest)
                let before = try await f.ledgerSize()
                let answer = try await client.call(
                    .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "\#(decision)"}"#
                )
                #expect(answer.status == .ok, "\(decision): \(String(buffer: answer.body))")
                let written = try await f.control.store.entries(from: before, count: 10)
                #expect(written.first?.type.rawValue.hasPrefix("approval.") == true)
                #expect(written.dropFirst().allSatisfy { $0.type.rawValue != "approval.granted" })
                let review = try #require(written.first)
                let approval = Approval(
                    id: review.payload["id"]?.stringValue ?? "", approver: "alice",
                    digest: review.payload["digest"]?.stringValue ?? "",
                    environment: review.payload["environment"]?.stringValue ?? "",
                    state: Approval.State(action: decision)!,
                    comment: nil, at: review.at)
                let projected = try await f.control.evidence(for: request, digest: ServerFixture.digest)
                #expect(
                    evidence.applying(approval).approvals == projected.approvals,
                    "after \(decision): \(evidence.applying(approval).approvals) vs \(projected.approvals)")
            }
        }
    }

    /// An approval row in a state the gate does not know is an error, never an approval (it was read as granted).
    @Test func anUnknownApprovalStateFailsClosed() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            _ = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "reject"}"#)
            try f.rewriteProjection("UPDATE approvals SET state = 'grantd'")
            let decision = try await client.call(.post, "/api/v1/deploy-requests/\(id)/decide", f.headers("deployer"))
            #expect(decision.status == .internalServerError, "\(String(buffer: decision.body))")
            #expect(String(buffer: decision.body).contains("a row of approvals cannot be read"))
        }
    }
}

/// A count shared by concurrent clients.
final class Counter: Sendable {
    let value = Mutex(0)
}
