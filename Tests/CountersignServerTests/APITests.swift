import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The API through the router: the deploy-request flow, authentication, roles, separation of duties, bad input.
@Suite struct APITests {
    @Test func deployRequestFlowToAllowed() async throws {
        let f = try await ServerFixture()
        try await f.recordChangeFacts()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(created.status == .created)
            let body = try object(created)
            let request = try #require(body["request"] as? [String: Any])
            let id = try #require(request["id"] as? String)
            #expect(request["requester"] as? String == "deploy-bot")
            #expect((body["decision"] as? [String: Any])?["verdict"] as? String == "pending")

            // bob wrote the change: refused, and the attempt is on the ledger.
            let before = try await f.ledgerSize()
            let refused = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("bob"), #"{"decision": "approve"}"#)
            #expect(refused.status == .forbidden)
            #expect(try apiError(refused).message == "bob may not review this request: they are the change's author")
            #expect(try await f.ledgerSize() == before + 1)
            let last = try await f.control.store.entries(from: before, count: 1)
            #expect(last.first?.type.rawValue == "approval.refused")

            let approved = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"),
                #"{"decision": "approve", "comment": "looks right"}"#)
            #expect(approved.status == .ok)
            #expect(try object(approved)["verdict"] as? String == "pending")

            let check = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            #expect(check.status == .created)

            let decision = try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("auditor"))
            #expect(try object(decision)["verdict"] as? String == "allowed")
            let listed = try await client.call(.get, "/api/v1/deploy-requests?verdict=allowed", f.headers("auditor"))
            let items = try #require(try object(listed)["items"] as? [[String: Any]])
            #expect(items.map { $0["request_id"] as? String } == [id])
        }
        // Every state change is an entry; the ledger verifies.
        let types = try await f.control.store.entries(from: 0, count: 100).map(\.type.rawValue)
        #expect(types.filter { $0 == "gate.decided" }.count == 3)
        #expect(
            types.contains("deploy.requested") && types.contains("approval.granted") && types.contains("check.reported")
        )
        let report = try await f.control.store.verify(verifier: nil) { _, _ in }
        #expect(report.isValid)
    }

    @Test func missingAndBadTokensAre401() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let none = try await client.call(.get, "/api/v1/whoami", [:])
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate] == "Bearer realm=\"countersign\"")
            #expect(try apiError(none).code == "unauthenticated")
            let forged = "cst_" + String(repeating: "A", count: 43)
            let bad = try await client.call(.get, "/api/v1/whoami", [.authorization: "Bearer \(forged)"])
            #expect(bad.status == .unauthorized)
            let basic = try await client.call(.get, "/api/v1/whoami", [.authorization: "Basic YWxpY2U6eA=="])
            #expect(basic.status == .unauthorized)
            let ok = try await client.call(.get, "/api/v1/whoami", f.headers("alice"))
            #expect(try object(ok)["identity"] as? String == "alice")
            #expect(try await client.call(.get, "/health", [:]).status == .ok)
        }
    }

    @Test func wrongRoleIs403AndRecordsOnlyTheRefusal() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let before = try await f.ledgerSize()
            let cases: [(String, HTTPRequest.Method, String, String?)] = [
                ("builder", .post, "/api/v1/deploy-requests", ServerFixture.requestBody()),
                ("auditor", .post, "/api/v1/deploy-requests", ServerFixture.requestBody()),
                (
                    "alice", .post, "/api/v1/checks",
                    #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#
                ),
                ("deployer", .post, "/api/v1/tokens", #"{"identity": "alice", "role": "approver"}"#),
                ("auditor", .post, "/api/v1/ledger/checkpoint", nil),
                ("deployer", .post, "/api/v1/audit/query", #"{"sql": "SELECT 1"}"#),
            ]
            for (who, method, uri, body) in cases {
                let r = try await client.call(method, uri, f.headers(who), body)
                // Auditors are read-only: even signing a checkpoint is refused.
                #expect(r.status == .forbidden, "\(who) \(uri)")
                #expect(try apiError(r).code == "forbidden")
            }
            // Nothing but the trace of each refusal (RefusalTests).
            #expect(try await f.ledgerSize() == before + cases.count)
            let added = try await f.control.store.entries(from: before, count: cases.count + 1)
            #expect(added.map(\.type) == Array(repeating: .accessRefused, count: cases.count))
        }
    }

    @Test func theDeployerRoleCannotReview() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let asDeployer = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("deployer"), #"{"decision": "approve"}"#)
            #expect(asDeployer.status == .forbidden)
            #expect(try apiError(asDeployer).message == "the deployer role may not approve or reject deploys")
        }
    }

    @Test func badInputIsAClearError() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let before = try await f.ledgerSize()
            let malformed = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), "{not json")
            #expect(malformed.status == .badRequest)
            let missing = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), #"{"service": "shop"}"#)
            #expect(missing.status == .badRequest)
            #expect(try apiError(missing).message.contains("is missing"), "names the missing field")
            let tagOnly = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"),
                ServerFixture.requestBody(artifact: "registry.example.com/shop:latest"))
            #expect(tagOnly.status == .badRequest)
            #expect(try apiError(tagOnly).message.contains("approve the digest, never the tag"))
            let huge = "{\"service\": \"" + String(repeating: "x", count: 2 << 20) + "\"}"
            let tooLarge = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try apiError(tooLarge).code == "payload_too_large")
            let unknown = try await client.call(.get, "/api/v1/nothing-here", f.headers("alice"))
            #expect(unknown.status == .notFound)
            #expect(try apiError(unknown).code == "not_found")
            let wrongMethod = try await client.call(.delete, "/api/v1/checks", f.headers("alice"))
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "POST")
            let noRequest = try await client.call(.get, "/api/v1/deploy-requests/dr_missing", f.headers("alice"))
            #expect(noRequest.status == .notFound)
            let badVerdict = try await client.call(.get, "/api/v1/deploy-requests?verdict=maybe", f.headers("alice"))
            #expect(badVerdict.status == .badRequest)
            #expect(try await f.ledgerSize() == before)
        }
    }

    @Test func tokensAreIssuedOnceAndRevocable() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let issued = try await client.call(
                .post, "/api/v1/tokens", f.headers("admin"), #"{"identity": "github-actions[bot]", "role": "builder"}"#)
            #expect(issued.status == .created)
            let body = try object(issued)
            let secret = try #require(body["token"] as? String)
            let id = try #require(body["id"] as? String)
            #expect(body["identity"] as? String == "ci")
            // Only the hash is stored anywhere.
            let dump = try await f.control.store.entries(from: 0, count: 100).map(\.json.canonicalString).joined()
            #expect(!dump.contains(secret))
            #expect(dump.contains(APIToken.hash(secret)))

            let headers: HTTPFields = [.authorization: "Bearer \(secret)"]
            #expect(try await client.call(.get, "/api/v1/whoami", headers).status == .ok)
            let revoked = try await client.call(.delete, "/api/v1/tokens/\(id)", f.headers("admin"))
            #expect(revoked.status == .noContent)
            #expect(try await client.call(.get, "/api/v1/whoami", headers).status == .unauthorized)

            let wrongRole = try await client.call(
                .post, "/api/v1/tokens", f.headers("admin"), #"{"identity": "ci", "role": "approver"}"#)
            #expect(wrongRole.status == .badRequest)
            #expect(try apiError(wrongRole).message.contains("does not hold the approver role"))
        }
    }

    @Test func ledgerProofsAndQueriesOverTheAPI() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let size = try await f.ledgerSize()
            let entries = try await client.call(.get, "/api/v1/ledger/entries?from=0&count=2", f.headers("auditor"))
            #expect(try object(entries)["size"] as? Int == size)
            #expect((try object(entries)["entries"] as? [Any])?.count == 2)
            let proof = try await client.call(.get, "/api/v1/ledger/proofs/inclusion?seq=1", f.headers("auditor"))
            let p = try object(proof)
            #expect(p["tree_size"] as? Int == size)
            let expectedRoot = try await f.control.store.root()
            #expect(p["root_hash"] as? String == expectedRoot.map { String(format: "%02x", $0) }.joined())
            let beyond = try await client.call(.get, "/api/v1/ledger/proofs/inclusion?seq=999", f.headers("auditor"))
            #expect(beyond.status == .badRequest)
            let query = try await client.call(
                .post, "/api/v1/audit/query", f.headers("auditor"), #"{"sql": "SELECT COUNT(*) AS n FROM api_tokens"}"#)
            #expect((try object(query)["rows"] as? [[Int]]) == [[7]])
            let write = try await client.call(
                .post, "/api/v1/audit/query", f.headers("auditor"), #"{"sql": "DELETE FROM api_tokens"}"#)
            #expect(write.status == .forbidden)
        }
    }
}
