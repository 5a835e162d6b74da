import CountersignControl
import CountersignCore
import CountersignEncoding
import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CountersignServer

/// Any CI records the deploys it carries out (issue 17, item 4): started for a request that is allowed now, by the
/// deployer the request names, then how it ended, once.
@Suite struct DeployLifecycleTests {
    @Test func aCIRecordsADeployFromStartToFinish() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let request = try await f.requestAndAllow(client)
            let started = try await client.call(
                .post, "/api/v1/deploys", f.headers("deployer"), #"{"request": "\#(request)", "id": "jenkins-42"}"#)
            #expect(started.status == .created, "\(String(buffer: started.body))")
            let deploy = try object(started)
            #expect(deploy["id"] as? String == "jenkins-42")
            #expect(deploy["status"] as? String == "started")
            #expect(deploy["started_by"] as? String == "deploy-bot")
            #expect(deploy["digest"] as? String == ServerFixture.digest)

            // The same id twice is one deploy.
            let again = try await client.call(
                .post, "/api/v1/deploys", f.headers("deployer"), #"{"request": "\#(request)", "id": "jenkins-42"}"#)
            #expect(again.status == .conflict)

            let finished = try await client.call(
                .post, "/api/v1/deploys/jenkins-42/finish", f.headers("deployer"), #"{"outcome": "rolled_back"}"#)
            #expect(finished.status == .ok, "\(String(buffer: finished.body))")
            #expect(try object(finished)["status"] as? String == "rolled_back")
            #expect(try object(finished)["finished_at"] is String)
            let twice = try await client.call(
                .post, "/api/v1/deploys/jenkins-42/finish", f.headers("deployer"), #"{"outcome": "succeeded"}"#)
            #expect(twice.status == .conflict)
            let read = try await client.call(.get, "/api/v1/deploys/jenkins-42", f.headers("auditor"))
            #expect(try object(read)["status"] as? String == "rolled_back")

            // The deploy records see it, as they see GitHub's deployments.
            let from = "2000-01-01T00:00:00Z"
            let records = try await client.call(
                .get, "/api/v1/audit/deploys?environment=production&from=\(from)&to=2100-01-01T00:00:00Z",
                f.headers("auditor"))
            #expect(String(buffer: records.body).contains("jenkins-42"), "\(String(buffer: records.body))")
        }
    }

    @Test func onlyTheRequestsDeployerStartsAnAllowedRequest() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            // Pending: not deployable, and the reason is the decision's.
            try await f.recordChangeFacts()
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let pending = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let early = try await client.call(
                .post, "/api/v1/deploys", f.headers("deployer"), #"{"request": "\#(pending)"}"#)
            #expect(early.status == .conflict)
            #expect(try apiError(early).message.contains("is pending, not allowed"))

            let allowed = try await f.requestAndAllow(client)
            for (who, status) in [
                ("builder", HTTPResponse.Status.forbidden), ("alice", .forbidden), (nil, .unauthorized),
            ] {
                let refused = try await client.call(
                    .post, "/api/v1/deploys", f.headers(who), #"{"request": "\#(allowed)"}"#)
                #expect(refused.status == status, "\(who ?? "nobody")")
            }
            for (body, status) in [
                (#"{"request": "dr_nope"}"#, HTTPResponse.Status.notFound),
                (#"{"request": "\#(allowed)", "id": "../etc"}"#, .badRequest),
                (#"{"request": "\#(allowed)", "id": ""}"#, .badRequest),
                (#"{"request": "\#(allowed)", "id": "GH-4242"}"#, .badRequest),
                (#"{"id": "x"}"#, .badRequest),
            ] {
                let refused = try await client.call(.post, "/api/v1/deploys", f.headers("deployer"), body)
                #expect(refused.status == status, "\(body)")
            }
            // Another deployer than the one the request names may not record its deploy.
            await #expect(throws: ControlError.self) {
                _ = try await f.control.startDeploy(
                    request: allowed, deploy: nil,
                    by: Principal(identity: "ci", role: .deployer, kind: .automation, tokenID: "t"))
            }
            let started = try object(
                try await client.call(.post, "/api/v1/deploys", f.headers("deployer"), #"{"request": "\#(allowed)"}"#))
            let id = try #require(started["id"] as? String)
            #expect(id.hasPrefix("dep_"))
            let badOutcome = try await client.call(
                .post, "/api/v1/deploys/\(id)/finish", f.headers("deployer"), #"{"outcome": "done"}"#)
            #expect(badOutcome.status == .badRequest)
            let unknown = try await client.call(
                .post, "/api/v1/deploys/dep_nope/finish", f.headers("deployer"), #"{"outcome": "failed"}"#)
            #expect(unknown.status == .notFound)
            await #expect(throws: ControlError.self) {
                _ = try await f.control.finishDeploy(
                    id: id, outcome: .succeeded,
                    by: Principal(identity: "ci", role: .deployer, kind: .automation, tokenID: "t"))
            }
        }
    }
}
