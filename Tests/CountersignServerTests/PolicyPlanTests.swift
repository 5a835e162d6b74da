import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignSupplyChain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Policy changes are changes (issue 16, item 2): the approver reads the diff and the plan — the live requests the
/// proposal would decide differently — and publishing decides them again, so nothing acts on a decision of a policy
/// no longer in force.
@Suite struct PolicyPlanTests {
    /// The fixture's policy without its approval rule: lighter, so a request waiting for approval would be allowed.
    static let lighter = ServerFixture.policy.replacingOccurrences(
        of: "\n    approvals:\n      - { team: owners, count: 1 }", with: "")

    /// A request with its unit check passed: under the fixture's policy it waits for an owner's approval (pending),
    /// under ``lighter`` it is allowed.
    static func checkedRequest(
        _ client: some TestClientProtocol, _ f: ServerFixture, expecting verdict: String = "pending"
    ) async throws -> String {
        try await f.recordChangeFacts()
        let created = try await client.call(
            .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
        let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
        _ = try await client.call(
            .post, "/api/v1/checks", f.headers("builder"),
            #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
        let decision = try object(
            try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("bob")))
        #expect(decision["verdict"] as? String == verdict)
        return id
    }

    @Test func theApproverReadsTheDiffAndThePlanAndPublishingDecidesAgain() async throws {
        #expect(Self.lighter != ServerFixture.policy)
        let f = try await ServerFixture()
        try await f.control.bootstrapPolicy()
        try await f.application().test(.router) { client in
            let id = try await Self.checkedRequest(client, f)
            try Self.lighter.write(
                to: f.directory.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
            let proposed = try await client.call(.post, "/api/v1/policy/proposals", f.headers("admin"))
            let hash = try #require(try object(proposed)["hash"] as? String)

            let plan = try object(try await client.call(.get, "/api/v1/policy/proposals/\(hash)", f.headers("admin2")))
            let diff = try #require(plan["diff"] as? [[String: Any]])
            #expect(diff.count == 1 && diff[0]["change"] as? String == "changed")
            #expect((diff[0]["lines"] as? [String])?.contains("-      - { team: owners, count: 1 }") == true)
            let changes = try #require(plan["changes"] as? [[String: Any]])
            #expect(changes.count == 1)
            #expect(changes.first?["request"] as? String == id)
            #expect(changes.first?["current"] as? String == "pending")
            #expect(changes.first?["proposed"] as? String == "allowed")
            // Auditors read plans too; nobody else.
            #expect(try await client.call(.get, "/api/v1/policy/proposals/\(hash)", f.headers("auditor")).status == .ok)
            #expect(
                try await client.call(.get, "/api/v1/policy/proposals/\(hash)", f.headers("bob")).status == .forbidden)

            let digest = try #require(plan["digest"] as? String)
            let published = try await client.call(
                .post, "/api/v1/policy/proposals/\(hash)/approve", f.headers("admin2"), #"{"plan": "\#(digest)"}"#)
            #expect(published.status == .ok)
            // Decided again at once, under the policy now in force, in the publisher's name.
            let after = try object(
                try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("bob")))
            #expect(after["verdict"] as? String == "allowed")
            #expect(after["policyHash"] as? String == hash)
        }
    }

    /// A plan read before the evidence changed is not the plan that would be published.
    @Test func aPlanThatChangedSinceItWasReadIsRefused() async throws {
        let f = try await ServerFixture()
        try await f.control.bootstrapPolicy()
        try await f.application().test(.router) { client in
            try Self.lighter.write(
                to: f.directory.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
            let hash = try #require(
                try object(try await client.call(.post, "/api/v1/policy/proposals", f.headers("admin")))["hash"]
                    as? String)
            let read = try #require(
                try object(try await client.call(.get, "/api/v1/policy/proposals/\(hash)", f.headers("admin2")))[
                    "digest"] as? String)
            _ = try await Self.checkedRequest(client, f)  // a request the proposal now decides differently
            let stale = try await client.call(
                .post, "/api/v1/policy/proposals/\(hash)/approve", f.headers("admin2"), #"{"plan": "\#(read)"}"#)
            #expect(stale.status == .conflict)
            #expect(f.control.policy.bundle.hash != hash)
        }
    }

    /// Admission never admits on a decision of a policy no longer in force: a node that holds a stricter policy
    /// than the one a request was allowed under decides it again before answering.
    @Test func admissionDecidesAgainUnderThePolicyInForce() async throws {
        let f = try await ServerFixture(policy: Self.lighter)
        let id = try await f.application().test(.router) { client in
            try await Self.checkedRequest(client, f, expecting: "allowed")
        }
        let approver = LedgerImageApprover(control: f.control)
        let image = try ImageReference(parsing: "registry.example.com/shop@\(ServerFixture.digest)")
        let digest = try Digest(parsing: ServerFixture.digest)
        #expect(await approver.approval(of: image, digest: digest, namespace: "shop-prod") == .approved)
        f.control.policy.replace(try PolicyLoader.load(sources: [("policy.yaml", ServerFixture.policy)]))
        let refused = await approver.approval(of: image, digest: digest, namespace: "shop-prod")
        guard case .denied(let reason) = refused else {
            Issue.record("admitted under the stricter policy: \(refused)")
            return
        }
        #expect(reason.contains("allowed under an earlier policy"))
        let status = try await f.control.deployRequest(id: id)
        #expect(status.decision?.verdict == .pending)
    }
}
