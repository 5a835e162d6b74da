import CountersignControl
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Break-glass, incidents, artifacts, canary judgements and the audit reports over the API.
@Suite struct EvidenceTests {
    @Test func breakGlassLiftsTheFreezeAndIsReviewedOnce() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"),
                ServerFixture.requestBody(environment: "frozen"))
            let body = try object(created)
            let id = try #require((body["request"] as? [String: Any])?["id"] as? String)
            #expect((body["decision"] as? [String: Any])?["verdict"] as? String == "denied")

            let incident = try await openIncident(client, f)
            func breakGlass(_ who: String, _ fields: String) async throws -> TestResponse {
                try await client.call(
                    .post, "/api/v1/break-glass", f.headers(who),
                    #"{"freeze": "forever", "environment": "frozen", "reason": "fix", "duration": 3600, "# + fields
                        + "}")
            }
            let outsider = try await breakGlass("alice", #""service": "shop", "incident": "\#(incident)""#)
            #expect(outsider.status == .forbidden)
            #expect(try apiError(outsider).message == "break-glass refused: alice may not break glass for forever")
            let tooLong = try await client.call(
                .post, "/api/v1/break-glass", f.headers("bob"),
                #"{"freeze": "forever", "environment": "frozen", "service": "shop", "reason": "fix", "incident": "\#(incident)", "duration": 86400}"#
            )
            #expect(try apiError(tooLong).message == "break-glass refused: lasts longer than the 4h maximum")
            let noIncident = try await breakGlass("bob", #""service": "shop""#)
            #expect(try apiError(noIncident).message == "break-glass refused: an incident id is required")

            let granted = try await client.call(
                .post, "/api/v1/break-glass", f.headers("bob"),
                #"{"freeze": "forever", "environment": "frozen", "service": "Shop", "reason": "outage fix", "incident": "\#(incident)", "duration": 3600}"#
            )
            #expect(granted.status == .created)
            let grant = try #require(try object(granted)["id"] as? String)
            let decision = try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("alice"))
            let d = try object(decision)
            #expect(d["verdict"] as? String == "pending")
            let controls = try #require(d["controls"] as? [[String: Any]])
            #expect(
                controls.contains { $0["control"] as? String == "freeze" && $0["status"] as? String == "satisfied" })

            let byInvoker = try await client.call(
                .post, "/api/v1/break-glass/\(grant)/reviews", f.headers("bob"), #"{"outcome": "justified"}"#)
            #expect(byInvoker.status == .forbidden)
            let reviewed = try await client.call(
                .post, "/api/v1/break-glass/\(grant)/reviews", f.headers("admin"), #"{"outcome": "justified"}"#)
            #expect(reviewed.status == .noContent)
            let again = try await client.call(
                .post, "/api/v1/break-glass/\(grant)/reviews", f.headers("admin"), #"{"outcome": "unjustified"}"#)
            #expect(again.status == .conflict)
            let listed = try await client.call(.get, "/api/v1/break-glass", f.headers("auditor"))
            let items = try #require(try object(listed)["items"] as? [[String: Any]])
            #expect(items.first?["review_outcome"] as? String == "justified")
        }
    }

    func openIncident(_ client: some TestClientProtocol, _ f: ServerFixture) async throws -> String {
        let opened = try await client.call(
            .post, "/api/v1/incidents", f.headers("bob"), #"{"title": "checkout down", "severity": "sev1"}"#)
        return try #require(try object(opened)["id"] as? String)
    }

    /// A grant names its service and an incident that exists and is open (issue 16, item 7): a grant with no service
    /// would lift the freeze for every service, and an incident id that is only text proves no emergency.
    @Test func breakGlassNamesItsServiceAndAnOpenIncident() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"),
                ServerFixture.requestBody(environment: "frozen"))
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let incident = try await openIncident(client, f)
            let resolved = try await openIncident(client, f)
            _ = try await client.call(.post, "/api/v1/incidents/\(resolved)/resolve", f.headers("bob"))
            func breakGlass(_ fields: String) async throws -> TestResponse {
                try await client.call(
                    .post, "/api/v1/break-glass", f.headers("bob"),
                    #"{"freeze": "forever", "environment": "frozen", "reason": "fix", "duration": 3600, "# + fields
                        + "}")
            }
            let noService = try await breakGlass(#""incident": "\#(incident)""#)
            #expect(noService.status == .forbidden)
            #expect(
                try apiError(noService).message
                    == "break-glass refused: the grant names no service, and forever allows a grant for one service at a time"
            )
            let invented = try await breakGlass(#""service": "shop", "incident": "INC-404""#)
            #expect(invented.status == .badRequest)
            #expect(try apiError(invented).message.hasPrefix("no incident with id INC-404"))
            let over = try await breakGlass(#""service": "shop", "incident": "\#(resolved)""#)
            #expect(over.status == .badRequest)
            #expect(try apiError(over).message.contains("is resolved"))
            let hidden = try await breakGlass(#""service": "sh\u200Bop", "incident": "\#(incident)""#)
            #expect(hidden.status == .badRequest)
            let invoked = try await f.control.store.entries(from: 0, count: 10_000).filter {
                $0.type == .breakGlassInvoked
            }
            #expect(invoked.isEmpty, "a refused grant records no grant")
            // A grant for another service is recorded but does not lift the freeze for this one.
            let other = try await breakGlass(#""service": "billing", "incident": "\#(incident)""#)
            #expect(other.status == .created)
            let decision = try object(
                try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("alice")))
            #expect(decision["verdict"] as? String == "denied")
            // The same request's service, spelt another way, is the same service.
            let same = try await breakGlass(#""service": "SHOP", "incident": "\#(incident)""#)
            #expect(try object(same)["service"] as? String == "shop")
            let after = try object(
                try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("alice")))
            #expect(after["verdict"] as? String == "pending")
        }
    }

    @Test func incidentsArtifactsAndReports() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let unknown = try await client.call(
                .post, "/api/v1/incidents", f.headers("deployer"), #"{"title": "down", "deploys": ["nope"]}"#)
            #expect(unknown.status == .badRequest)
            let opened = try await client.call(
                .post, "/api/v1/incidents", f.headers("deployer"), #"{"title": "checkout down", "severity": "sev1"}"#)
            #expect(opened.status == .created)
            let id = try #require(try object(opened)["id"] as? String)
            #expect(
                try await client.call(.post, "/api/v1/incidents/\(id)/resolve", f.headers("deployer")).status
                    == .noContent)
            #expect(
                try await client.call(.post, "/api/v1/incidents/\(id)/resolve", f.headers("deployer")).status
                    == .conflict)

            let registered = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"),
                #"{"reference": "registry.example.com/shop@\#(ServerFixture.digest)"}"#)
            #expect(registered.status == .created)
            let tagged = try await client.call(
                .post, "/api/v1/artifacts", f.headers("builder"), #"{"reference": "registry.example.com/shop:1.0"}"#)
            #expect(tagged.status == .badRequest)
            #expect(
                try await client.call(
                    .post, "/api/v1/artifacts", f.headers("deployer"),
                    #"{"reference": "registry.example.com/shop@\#(ServerFixture.digest)"}"#
                ).status == .forbidden)

            let noEnvironment = try await client.call(
                .get, "/api/v1/audit/deploys?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", f.headers("auditor"))
            #expect(noEnvironment.status == .badRequest)
            let report = try await client.call(
                .get, "/api/v1/audit/deploys?environment=production&from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z",
                f.headers("auditor"))
            #expect(report.status == .ok)
            #expect((try object(report)["deploys"] as? [Any])?.isEmpty == true)
            #expect(
                try await client.call(
                    .get,
                    "/api/v1/audit/deploys?environment=production&from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z",
                    f.headers("deployer")
                ).status == .forbidden)
        }
    }

    @Test func canaryJudgementsAreRecordedForTheDigest() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let steady = (0..<30).map { String(100 + $0 % 5) }.joined(separator: ", ")
            let slow = (0..<30).map { String(150 + $0 % 5) }.joined(separator: ", ")
            let body = """
                {"digest": "\(ServerFixture.digest)", "environment": "Production", "template": "latency",
                 "config": {"metrics": [{"name": "p99", "groups": ["g"], "query": {},
                            "analysisConfigurations": {"canary": {"direction": "increase"}}}],
                            "classifier": {"groupWeights": {"g": 100}}},
                 "canary": {"p99": [\(slow)]}, "baseline": {"p99": [\(steady)]}}
                """
            // The deployer may not judge its own canary: its samples are its word.
            let own = try await client.call(.post, "/api/v1/canary/judgements", f.headers("deployer"), body)
            #expect(own.status == .forbidden)
            let judged = try await client.call(.post, "/api/v1/canary/judgements", f.headers("builder"), body)
            #expect(judged.status == .created)
            #expect(try object(judged)["verdict"] as? String == "fail")
            let verdict = try await client.call(
                .get, "/api/v1/canary/verdict?digest=\(ServerFixture.digest)&template=latency", f.headers("deployer"))
            #expect(try object(verdict)["outcome"] as? String == "fail")
            // Judged for production (the name in its canonical form): Argo asking for staging finds nothing.
            #expect(try object(verdict)["environment"] as? String == "production")
            let staging = try await client.call(
                .get, "/api/v1/canary/verdict?digest=\(ServerFixture.digest)&template=latency&environment=staging",
                f.headers("deployer"))
            #expect(staging.status == .notFound)
            // Samples that say not whose canary they are, or name no environment of the policy, judge nothing.
            for (environment, message) in [
                ("", "environment"), (#", "environment": "prod""#, "environment: 'prod' is not an environment"),
            ] {
                let unbound = try await client.call(
                    .post, "/api/v1/canary/judgements", f.headers("builder"),
                    body.replacingOccurrences(of: #", "environment": "Production""#, with: environment))
                #expect(unbound.status == .badRequest)
                #expect(try apiError(unbound).message.contains(message))
            }
            let none = try await client.call(
                .get, "/api/v1/canary/verdict?digest=\(ServerFixture.digest)&template=other", f.headers("deployer"))
            #expect(none.status == .notFound)
            let unverifiable = try await client.call(
                .post, "/api/v1/artifacts/verify", f.headers("builder"),
                #"{"reference": "registry.example.com/shop@\#(ServerFixture.digest)"}"#)
            #expect(unverifiable.status == .notFound)
            let listed = try await client.call(.get, "/api/v1/canary/judgements", f.headers("auditor"))
            let items = try #require(try object(listed)["items"] as? [[String: Any]])
            #expect(items.first?["outcome"] as? String == "fail")
            #expect(items.first?["digest"] as? String == ServerFixture.digest)
            let bad = try await client.call(
                .post, "/api/v1/canary/judgements", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "environment": "production", "template": "t", "config": {}, "canary": {}, "baseline": {}}"#
            )
            #expect(bad.status == .badRequest)
            #expect(try apiError(bad).message.hasPrefix("config: metrics"))
        }
    }

    /// A ratio over a zero baseline mean is not a finite number, which JSONEncoder refuses: the judgement used to be
    /// recorded and then answered 500. It is answered 201, the number spelled out, and recorded once.
    @Test func aJudgementWithANonFiniteRatioIsAnswered() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let points = (0..<20).map { String(100 + $0 % 5) }.joined(separator: ", ")
            let zeros = Array(repeating: "0", count: 20).joined(separator: ", ")
            let body = """
                {"digest": "\(ServerFixture.digest)", "environment": "production", "template": "gaps",
                 "config": {"metrics": [{"name": "p99", "groups": ["g"], "query": {},
                                         "analysisConfigurations": {"canary": {"direction": "increase"}}},
                                        {"name": "errors", "groups": ["g"], "query": {},
                                         "analysisConfigurations": {"canary": {"direction": "increase"}}}],
                            "classifier": {"groupWeights": {"g": 100}}},
                 "canary": {"p99": [\(points)], "errors": [\(points)]},
                 "baseline": {"p99": [\(points)], "errors": [\(zeros)]}}
                """
            let before = try await f.control.store.size()
            let judged = try await client.call(.post, "/api/v1/canary/judgements", f.headers("builder"), body)
            #expect(judged.status == .created, "\(String(buffer: judged.body))")
            let text = String(buffer: judged.body)
            #expect(text.contains(#""ratio":"Infinity""#) || text.contains(#""ratio":"NaN""#), "\(text)")
            #expect(try await f.control.store.size() == before + 1, "one canary.judged, and nothing else")
        }
    }
}
