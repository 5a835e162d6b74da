import CountersignControl
import CountersignEncoding
import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CountersignServer

/// Refusals leave a trace: an authenticated caller refused an action is on the ledger with identity, role, action
/// and reason — a few a minute per identity, the rest counted.
@Suite struct RefusalTests {
    static func refusals(_ f: ServerFixture) async throws -> [AccessRefused] {
        try await f.control.store.entries(from: 0, count: 10_000).filter { $0.type == .accessRefused }
            .map { try $0.event(AccessRefused.self) }
    }

    @Test func aWrongRoleAttemptIsRecorded() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let answer = try await client.call(
                .post, "/api/v1/tokens", f.headers("deployer"), #"{"identity": "alice", "role": "approver"}"#)
            #expect(answer.status == .forbidden)
            let recorded = try await Self.refusals(f)
            #expect(recorded.count == 1)
            #expect(recorded.first?.identity == "deploy-bot")
            #expect(recorded.first?.role == "deployer")
            #expect(recorded.first?.action == "POST /api/v1/tokens")
            #expect(recorded.first?.reason.contains("may not issue tokens") == true, "\(recorded)")
            // An unknown token names nobody: refused, and nothing recorded.
            let unknown = try await client.call(.post, "/api/v1/tokens", [.authorization: "Bearer cst_nobody"], "{}")
            #expect(unknown.status == .unauthorized)
            #expect(try await Self.refusals(f).count == 1)
        }
    }

    /// A separation-of-duties refusal is recorded once, as `approval.refused`, not twice.
    @Test func aSelfApprovalIsRecordedOnceAsApprovalRefused() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let pending = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let own = try await client.call(
                .post, "/api/v1/deploy-requests/\(pending)/reviews", f.headers("bob"), #"{"decision": "approve"}"#)
            #expect(own.status == .forbidden)
            let entries = try await f.control.store.entries(from: 0, count: 10_000)
            #expect(entries.filter { $0.type == .approvalRefused }.count >= 1)
            #expect(try await Self.refusals(f).isEmpty)
        }
    }

    /// A caller retrying a forbidden call in a loop leaves ten entries a minute; the next one after the minute
    /// says how many were not recorded.
    @Test func aRefusalLoopIsRateLimitedAndCounted() async throws {
        let clock = TestClock()
        let f = try await ServerFixture(clock: clock)
        try await f.application().test(.router) { client in
            for _ in 0..<15 {
                let answer = try await client.call(.post, "/api/v1/policy/proposals", f.headers("deployer"), "{}")
                #expect(answer.status == .forbidden)
            }
            #expect(try await Self.refusals(f).count == 10)
            clock.advance(61)
            _ = try await client.call(.post, "/api/v1/policy/proposals", f.headers("deployer"), "{}")
            let recorded = try await Self.refusals(f)
            #expect(recorded.count == 11)
            #expect(recorded.last?.suppressed == 5)
            // Another identity has its own allowance.
            _ = try await client.call(.post, "/api/v1/tokens", f.headers("auditor"), "{}")
            #expect(try await Self.refusals(f).last?.identity == "frank")
        }
    }

    /// The web UI's refusals too: a deployer's browser asking for the audit console.
    @Test func aRefusedPageIsRecorded() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let page = try await client.call(.get, "/ui/audit", try await f.browser("deployer").headers)
            #expect(page.status == .forbidden)
            let recorded = try await Self.refusals(f)
            #expect(recorded.map(\.action) == ["GET /ui/audit"])
            #expect(recorded.first?.identity == "deploy-bot")
        }
    }
}

/// Only the reviewing team reviews a break-glass grant, and only with a role that decides — through the API and
/// the web form alike: an auditor in the team is read-only and cannot end a grant's review.
@Suite struct BreakGlassReviewerTests {
    static let policy = ServerFixture.policy.replacingOccurrences(
        of: "metadata: { name: managers }\nspec: { members: [erin, grace] }",
        with: "metadata: { name: managers }\nspec: { members: [erin, grace, frank] }")

    @Test func anAuditorInTheReviewTeamMayNotReview() async throws {
        #expect(Self.policy != ServerFixture.policy)
        let f = try await ServerFixture(policy: Self.policy)
        try await f.application().test(.router) { client in
            let opened = try await client.call(.post, "/api/v1/incidents", f.headers("bob"), #"{"title": "down"}"#)
            let incident = try #require(try object(opened)["id"] as? String)
            let invoked = try await client.call(
                .post, "/api/v1/break-glass", f.headers("bob"),
                #"{"freeze": "forever", "environment": "frozen", "service": "shop", "reason": "outage", "incident": "\#(incident)", "duration": 3600}"#
            )
            #expect(invoked.status == .created, "\(String(buffer: invoked.body))")
            let grant = try #require(try object(invoked)["id"] as? String)

            let api = try await client.call(
                .post, "/api/v1/break-glass/\(grant)/reviews", f.headers("auditor"), #"{"outcome": "justified"}"#)
            #expect(api.status == .forbidden)
            #expect(try apiError(api).message == "the auditor role may not review break-glass grants")

            let frank = try await f.browser("auditor")
            let form = try await client.call(
                .post, "/ui/break-glass/\(grant)/review", frank.headers, "csrf=\(frank.csrf)&outcome=justified")
            #expect(form.status == .forbidden)

            let grants = try await f.control.store.entries(from: 0, count: 10_000).filter {
                $0.type == .breakGlassReviewed
            }
            #expect(grants.isEmpty)
            // The team's admin still reviews.
            let erin = try await client.call(
                .post, "/api/v1/break-glass/\(grant)/reviews", f.headers("admin"), #"{"outcome": "justified"}"#)
            #expect(erin.status == .noContent)
        }
    }
}

/// Requests are recorded in the names' canonical form, and a name with characters no name has is refused.
@Suite struct NameIntakeTests {
    @Test func aRequestIsRecordedWithCanonicalNamesAndUnsafeNamesAreRefused() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let shouting = ServerFixture.requestBody(environment: "Production")
                .replacingOccurrences(of: #""service": "shop""#, with: #""service": "ＳＨＯＰ""#)
                .replacingOccurrences(of: #""kind": "code""#, with: #""kind": "Code""#)
            let created = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), shouting)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let request = try #require(try object(created)["request"] as? [String: Any])
            #expect(request["service"] as? String == "shop")
            #expect(request["environment"] as? String == "production")
            #expect((request["change"] as? [String: Any])?["kind"] as? String == "code")

            let before = try await f.ledgerSize()
            let hidden = ServerFixture.requestBody().replacingOccurrences(
                of: #""service": "shop""#, with: #""service": "sh\u200Bop""#)
            let refused = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), hidden)
            #expect(refused.status == .badRequest)
            #expect(try apiError(refused).message.contains("service 'sh\u{200B}op' has characters a name may not have"))
            #expect(try await f.ledgerSize() == before)
        }
    }
}
