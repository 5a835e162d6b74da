import CountersignControl
import CountersignCore
import CountersignEncoding
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `/admission/validate` wired to the ledger's decisions and the policy's namespace → environment mapping.
@Suite struct AdmissionTests {
    static func review(namespace: String, image: String) -> String {
        """
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
         "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                     "resource": {"group": "", "version": "v1", "resource": "pods"},
                     "namespace": "\(namespace)", "operation": "CREATE",
                     "object": {"kind": "Pod", "metadata": {"name": "shop"},
                                "spec": {"containers": [{"name": "app", "image": "\(image)"}]}}}}
        """
    }

    /// A review of `kind` in `group` whose object is `object`.
    static func review(group: String, kind: String, namespace: String, object: String) -> String {
        """
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
         "request": {"uid": "u-2", "kind": {"group": "\(group)", "version": "v1", "kind": "\(kind)"},
                     "namespace": "\(namespace)", "operation": "CREATE",
                     "object": {"metadata": {"name": "shop"}, "spec": \(object)}}}
        """
    }

    static func podSpec(_ image: String) -> String { #"{"containers": [{"name": "app", "image": "\#(image)"}]}"# }

    /// The fixture's policy with an unprotected environment and one whose admission is in warn mode (under its older
    /// name, `audit`).
    static let policy =
        ServerFixture.policy + """

            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: staging }
            spec: { rank: 20, namespaces: [shop-staging] }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Environment
            metadata: { name: canary }
            spec: { rank: 25, protected: true, admission: audit, namespaces: [shop-canary] }
            """

    static func message(_ r: TestResponse) throws -> String {
        ((try response(r)["status"] as? [String: Any])?["message"] as? String) ?? ""
    }

    static func response(_ r: TestResponse) throws -> [String: Any] {
        let review = try object(r)
        return try #require(review["response"] as? [String: Any])
    }

    @Test func theSharedExampleIsDeniedForItsTags() async throws {
        let f = try await ServerFixture()
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/testdata/webhooks/k8s.admissionreview.v1.pod-create.request.json")
            .standardized
        let body = try String(contentsOf: url, encoding: .utf8)
        try await f.application().test(.router) { client in
            let r = try await client.call(.post, "/admission/validate", [.contentType: "application/json"], body)
            #expect(r.status == .ok)
            let answer = try Self.response(r)
            #expect(answer["uid"] as? String == "e94a7790-a4fc-11e9-a276-42010a3e0104")
            #expect(answer["allowed"] as? Bool == false)
            let message = ((answer["status"] as? [String: Any])?["message"] as? String) ?? ""
            #expect(message.contains("keymaker-client:latest is not pinned by digest"))
            #expect(message.contains("pki_aws_bootstrap:6 is not pinned by digest"))
        }
    }

    @Test func onlyAllowedDigestsRunInTheirEnvironment() async throws {
        let f = try await ServerFixture()
        let image = "registry.example.com/shop@\(ServerFixture.digest)"
        try await f.application().test(.router) { client in
            let unmapped = try await client.call(
                .post, "/admission/validate", [:], Self.review(namespace: "elsewhere", image: image))
            #expect(try Self.response(unmapped)["allowed"] as? Bool == false)
            let before = try await client.call(
                .post, "/admission/validate", [:], Self.review(namespace: "shop-prod", image: image))
            let denied = try Self.response(before)
            #expect(denied["allowed"] as? Bool == false)
            #expect(
                (((denied["status"] as? [String: Any])?["message"] as? String) ?? "")
                    .contains("no deploy of \(ServerFixture.digest) to production has been allowed"))

            _ = try await f.requestAndAllow(client)
            let after = try await client.call(
                .post, "/admission/validate", [:], Self.review(namespace: "shop-prod", image: image))
            #expect(try Self.response(after)["allowed"] as? Bool == true)
            let garbage = try await client.call(.post, "/admission/validate", [:], "{nope")
            #expect(garbage.status == .badRequest)
            let unreadable = try await client.call(.post, "/admission/validate", [:], #"{"request": {"uid": "u-9"}}"#)
            let denied2 = try Self.response(unreadable)
            #expect(denied2["uid"] as? String == "u-9")
            #expect(denied2["allowed"] as? Bool == false)
        }
    }

    // MARK: The attacker's tests: kinds admission does not know.

    /// An allowed digest does not carry an object admission cannot read: a lowercase `pod`, a Pod of another group
    /// or a custom resource are refused in a protected namespace, while the kinds it knows — an Argo Rollout and a
    /// CronJob among them — run the allowed digest and nothing else.
    @Test func protectedNamespacesRefuseKindsAdmissionDoesNotKnow() async throws {
        let f = try await ServerFixture(policy: Self.policy)
        let allowed = "registry.example.com/shop@\(ServerFixture.digest)"
        let other = "registry.example.com/shop@sha256:" + String(repeating: "cd", count: 32)
        try await f.application().test(.router) { client in
            _ = try await f.requestAndAllow(client)
            func review(_ group: String, _ kind: String, _ namespace: String, _ object: String) async throws
                -> TestResponse
            {
                try await client.call(
                    .post, "/admission/validate", [:],
                    Self.review(group: group, kind: kind, namespace: namespace, object: object))
            }
            let template = #"{"template": {"spec": \#(Self.podSpec(allowed))}}"#
            let cron = #"{"jobTemplate": {"spec": {"template": {"spec": \#(Self.podSpec(allowed))}}}}"#
            for (group, kind, object) in [
                ("argoproj.io", "Rollout", template), ("batch", "CronJob", cron), ("apps", "Deployment", template),
                ("", "Pod", Self.podSpec(allowed)),
            ] {
                let r = try await review(group, kind, "shop-prod", object)
                let message = try Self.message(r)
                #expect(try Self.response(r)["allowed"] as? Bool == true, "\(kind): \(message)")
            }
            let rollout = try await review(
                "argoproj.io", "Rollout", "shop-prod", #"{"template": {"spec": \#(Self.podSpec(other))}}"#)
            #expect(try Self.response(rollout)["allowed"] as? Bool == false)
            #expect(try Self.message(rollout).contains("no deploy of sha256:\(String(repeating: "cd", count: 32))"))
            for (group, kind, object) in [
                ("", "pod", Self.podSpec(allowed)), ("evil.example.com", "Pod", Self.podSpec(allowed)),
                ("argoproj.io", "rollout", template), ("example.com", "Widget", #"{"size": 3}"#),
                ("example.com", "Widget", template),
            ] {
                let r = try await review(group, kind, "shop-prod", object)
                #expect(try Self.response(r)["allowed"] as? Bool == false, "\(group)/\(kind)")
                #expect(try Self.message(r).contains("is not one Countersign recognises"))
            }
            // A namespace in no environment is as strict as a protected one.
            let unmapped = try await review("example.com", "Widget", "elsewhere", #"{"size": 3}"#)
            #expect(try Self.response(unmapped)["allowed"] as? Bool == false)
        }
    }

    /// Outside protected environments an unknown kind is admitted with a warning, its pod specs still checked; in
    /// an environment in warn mode what would be refused is admitted and reported (warning and audit annotation).
    @Test func unprotectedAndWarnModeNamespacesReportInstead() async throws {
        let f = try await ServerFixture(policy: Self.policy)
        let image = "registry.example.com/shop@\(ServerFixture.digest)"
        try await f.application().test(.router) { client in
            let staging = try await client.call(
                .post, "/admission/validate", [:],
                Self.review(group: "example.com", kind: "Widget", namespace: "shop-staging", object: #"{"size": 3}"#))
            let admitted = try Self.response(staging)
            #expect(admitted["allowed"] as? Bool == true)
            #expect((admitted["warnings"] as? [String])?.first?.contains("is not one Countersign recognises") == true)
            let stagingPod = try await client.call(
                .post, "/admission/validate", [:],
                Self.review(
                    group: "example.com", kind: "Widget", namespace: "shop-staging", object: Self.podSpec(image)))
            #expect(try Self.response(stagingPod)["allowed"] as? Bool == false)  // no deploy to staging allowed

            let canary = try await client.call(
                .post, "/admission/validate", [:],
                Self.review(group: "", kind: "pod", namespace: "shop-canary", object: Self.podSpec(image)))
            let audited = try Self.response(canary)
            #expect(audited["allowed"] as? Bool == true)
            let annotation = try #require((audited["auditAnnotations"] as? [String: String])?["would-deny"])
            #expect(annotation.contains("kind v1 pod is not one Countersign recognises"))
            #expect(annotation.contains("no deploy of \(ServerFixture.digest) to canary has been allowed"))
            #expect((audited["warnings"] as? [String])?.first == annotation)
        }
    }

    @Test func admissionModeIsAPolicyFieldCheckedAtLoad() throws {
        func load(_ spec: String) throws -> PolicyBundle {
            try PolicyLoader.load(sources: [
                (
                    "env.yaml",
                    "apiVersion: countersign.dev/v1alpha1\nkind: Environment\nmetadata: { name: prod }\nspec: \(spec)\n"
                )
            ])
        }
        for spec in [
            "{ rank: 1, admission: Audit }", "{ rank: 1, admission: WARN }", "{ rank: 1, admission: warn-only }",
            "{ rank: 1, namespaces: [{ name: a }] }", "{ rank: 1, namespaces: [{ name: a, admission: Warn }] }",
            "{ rank: 1, namespaces: [{ name: a, admission: warn, labels: x }] }", "{ rank: 1, namespaces: [a, a] }",
            "{ rank: 1, namespaces: [a, { name: a, admission: warn }] }", "{ rank: 1, namespaces: a }",
        ] {
            #expect(throws: PolicyError.self, "\(spec)") { try load(spec) }
        }
        let environment = try #require(
            try load("{ rank: 1, admission: warn, namespaces: [a, { name: b, admission: enforce }] }")
                .environments["prod"])
        #expect(environment.admission(of: "a") == .warn)
        #expect(environment.admission(of: "b") == .enforce)
        #expect(try load("{ rank: 1, admission: audit }").environments["prod"]?.admission == .warn)
    }

    /// Issue 19 item 4: admission rolled out a namespace at a time. The policy — never the object, never a label a
    /// team sets — says which namespaces warn. Warn mode admits with a warning and records `admission.warned` (who
    /// applied what, and why enforcement would refuse it), never for a dry run, and a few a minute per namespace
    /// so a crash-looping workload cannot flood the ledger.
    @Test func warnModeIsPerNamespaceRecordedAndNeverForADryRun() async throws {
        let policy =
            ServerFixture.policy + """

                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Environment
                metadata: { name: rollout }
                spec: { rank: 30, protected: true, namespaces: [shop-a, { name: shop-b, admission: warn }] }
                """
        let f = try await ServerFixture(policy: policy)
        let image = "registry.example.com/shop@\(ServerFixture.digest)"
        @Sendable func review(_ namespace: String, dryRun: Bool = false, uid: String = "u-9", labels: String = "{}")
            -> String
        {
            """
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
             "request": {"uid": "\(uid)", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                         "namespace": "\(namespace)", "operation": "CREATE", "dryRun": \(dryRun),
                         "userInfo": {"username": "mallory@example.com", "groups": ["shop-devs"]},
                         "object": {"kind": "Pod", "metadata": {"name": "shop", "labels": \(labels),
                                    "annotations": \(labels)},
                                    "spec": {"containers": [{"name": "app", "image": "\(image)"}]}}}}
            """
        }
        @Sendable func warned() async throws -> [[String: Any]] {
            try await f.control.store.entries(from: 0, count: 1000).filter { $0.type == .admissionWarned }.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.payload.canonicalBytes)) as? [String: Any])
            }
        }
        try await f.application().test(.router) { client in
            // The enforced namespace refuses, whatever the object says about itself.
            let forged = #"{"countersign.dev/admission": "warn", "countersign.dev/mode": "warn"}"#
            let enforced = try Self.response(
                try await client.call(.post, "/admission/validate", [:], review("shop-a", labels: forged)))
            #expect(enforced["allowed"] as? Bool == false)

            // A dry run in the warn namespace: the same answer, nothing recorded.
            let dry = try Self.response(
                try await client.call(.post, "/admission/validate", [:], review("shop-b", dryRun: true)))
            #expect(dry["allowed"] as? Bool == true)
            #expect((dry["warnings"] as? [String])?.first?.hasPrefix("countersign (warn mode, not enforced)") == true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await warned().isEmpty)

            // A real one: admitted, warned, recorded with who applied it and why.
            let real = try Self.response(
                try await client.call(.post, "/admission/validate", [:], review("shop-b", uid: "u-real")))
            #expect(real["allowed"] as? Bool == true)
            var entries: [[String: Any]] = []
            for _ in 0..<50 where entries.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                entries = try await warned()
            }
            let entry = try #require(entries.first)
            #expect(entry["namespace"] as? String == "shop-b")
            #expect(entry["user"] as? String == "mallory@example.com")
            #expect(entry["uid"] as? String == "u-real")
            #expect(entry["kind"] as? String == "v1 Pod")
            #expect((entry["reason"] as? String)?.contains("no deploy of \(ServerFixture.digest) to rollout") == true)

            // A loop of 40 more: a few a minute are recorded, not 40.
            for i in 0..<40 {
                _ = try await client.call(.post, "/admission/validate", [:], review("shop-b", uid: "u-\(i)"))
            }
            try await Task.sleep(for: .milliseconds(500))
            let flood = try await warned().count
            #expect(flood <= 10, "\(flood) entries for one namespace in a minute")
            #expect(flood >= 2)
        }
    }
}

/// Issue 17, item 7: a canary's own pods. A deploy that waits for nothing but its canary's verdict is admitted for
/// the canary (the verdict needs it to run), with a warning; a failing verdict denies the deploy, and its pods are
/// refused from then on. A deploy waiting for anything else is refused as before. Admission records nothing, so a
/// `dryRun` review is answered as any other and leaves the ledger as it was.
@Suite struct CanaryAdmissionTests {
    /// Production's deploys need the unit check, an owner's approval and a pass of canary analysis `template`.
    static func policy(canary template: String) -> String {
        ServerFixture.policy + """

            ---
            apiVersion: countersign.dev/v1alpha1
            kind: Tier
            metadata: { name: canaried }
            spec:
              priority: 20
              match: "true"
              environments: [production]
              controls:
                checks: [unit]
                approvals: [{ team: owners, count: 1 }]
                canary: { template: \(template) }
            ---
            apiVersion: countersign.dev/v1alpha1
            kind: AnalysisTemplate
            metadata: { name: \(template) }
            spec: {}
            """
    }

    @Test func aCanaryRunsBeforeItsVerdictAndNotAfterAFailingOne() async throws {
        let f = try await ServerFixture(policy: Self.policy(canary: "latency"))
        let image = "registry.example.com/shop@\(ServerFixture.digest)"
        try await f.application().test(.router) { client in
            func admit(dryRun: Bool = false) async throws -> [String: Any] {
                let body = AdmissionTests.review(namespace: "shop-prod", image: image)
                    .replacingOccurrences(
                        of: #""operation": "CREATE""#, with: #""operation": "CREATE", "dryRun": \#(dryRun)"#)
                return try AdmissionTests.response(try await client.call(.post, "/admission/validate", [:], body))
            }
            try await f.recordChangeFacts()
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            // Waiting for its checks, approval and canary: refused.
            #expect(try await admit()["allowed"] as? Bool == false)
            _ = try await client.call(
                .post, "/api/v1/checks", f.headers("builder"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            #expect(try await admit()["allowed"] as? Bool == false, "still waiting for an approval")
            let approved = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#)
            #expect(try object(approved)["verdict"] as? String == "pending")

            // Waiting for nothing but the canary's verdict: its pods run, with a warning that says so.
            let size = try await f.ledgerSize()
            let canary = try await admit()
            #expect(canary["allowed"] as? Bool == true)
            let warnings = (canary["warnings"] as? [String]) ?? []
            #expect(
                warnings.contains {
                    $0.contains(
                        "admitted for its canary only: deploy request \(id) is waiting for canary analysis latency")
                },
                "\(warnings)")
            let dry = try await admit(dryRun: true)
            #expect(dry["allowed"] as? Bool == true)
            #expect(try await f.ledgerSize() == size, "admission records nothing: a dry run has nothing to leave out")

            // The canary fails: the deploy is denied, and no further pod of the digest is admitted.
            let steady = (0..<30).map { String(100 + $0 % 5) }.joined(separator: ", ")
            let slow = (0..<30).map { String(150 + $0 % 5) }.joined(separator: ", ")
            let judged = try await client.call(
                .post, "/api/v1/canary/judgements", f.headers("builder"),
                """
                {"digest": "\(ServerFixture.digest)", "environment": "production", "template": "latency",
                 "config": {"metrics": [{"name": "p99", "groups": ["g"], "query": {},
                            "analysisConfigurations": {"canary": {"direction": "increase"}}}],
                            "classifier": {"groupWeights": {"g": 100}}},
                 "canary": {"p99": [\(slow)]}, "baseline": {"p99": [\(steady)]}}
                """)
            #expect(judged.status == .created)
            let after = try await admit()
            #expect(after["allowed"] as? Bool == false)
            #expect(
                ((after["status"] as? [String: Any])?["message"] as? String ?? "")
                    .contains("no deploy of \(ServerFixture.digest) to production has been allowed"))
        }
    }
}
