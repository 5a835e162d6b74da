import CountersignCanary
import CountersignControl
import CountersignServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17, item 7, end to end: a canary rollout replayed in order, as Argo Rollouts and the API server drive it —
/// the Rollout and its canary pod through admission, the AnalysisRun's Kayenta calls exactly as Argo's provider
/// makes them (scope, location, step, start, end: no extendedScopeParams), the verdict, and the promoted pods. The
/// deploy is allowed for its canary before the verdict, and fully once the verdict passes.
@Suite struct ArgoRolloutReplayTests {
    static let canary = "sha256:" + String(repeating: "c", count: 64)
    static let baseline = "sha256:" + String(repeating: "b", count: 64)
    static let policy = CanaryAdmissionTests.policy(canary: "digest-success")
    /// The canary configuration the AnalysisTemplate names: each build's series selected by `${scope}`, the digest
    /// Argo passes as the scope.
    static let configuration = #"""
        {"id": "digest-success", "name": "digest-success", "applications": ["shop"],
         "metrics": [{"name": "success", "groups": ["health"],
                      "query": {"type": "prometheus", "metricName": "canary_digest_success",
                                "customFilter": "digest=\"${scope}\""},
                      "analysisConfigurations": {"canary": {"direction": "decrease"}}}],
         "classifier": {"groupWeights": {"health": 100}}}
        """#

    /// The Rollout as `kubectl apply` sends it to admission: Argo's canary strategy with an analysis step.
    static func rollout(_ image: String) -> String {
        """
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
         "request": {"uid": "r-1", "kind": {"group": "argoproj.io", "version": "v1alpha1", "kind": "Rollout"},
                     "resource": {"group": "argoproj.io", "version": "v1alpha1", "resource": "rollouts"},
                     "namespace": "shop-prod", "operation": "CREATE",
                     "object": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "shop"},
                                "spec": {"replicas": 5, "selector": {"matchLabels": {"app": "shop"}},
                                         "strategy": {"canary": {"steps": [{"setWeight": 20},
                                             {"analysis": {"templates": [{"templateName": "digest-success"}]}},
                                             {"setWeight": 100}]}},
                                         "template": {"metadata": {"labels": {"app": "shop"}},
                                                      "spec": {"containers": [{"name": "shop", "image": "\(image)"}]}}}}}}
        """
    }

    /// The recorded pod-create review (../shared/testdata/webhooks), as the canary ReplicaSet's pod: its images the
    /// rollout's, in the rollout's namespace.
    static func pod(_ image: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/testdata/webhooks/k8s.admissionreview.v1.pod-create.request.json")
        var review = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: url.standardized)) as? [String: Any])
        var request = try #require(review["request"] as? [String: Any])
        var object = try #require(request["object"] as? [String: Any])
        var spec = try #require(object["spec"] as? [String: Any])
        for key in ["containers", "initContainers"] {
            spec[key] = (spec[key] as? [[String: Any]])?.map { container in
                var c = container
                c["image"] = image
                return c
            }
        }
        object["spec"] = spec
        request["object"] = object
        request["namespace"] = "shop-prod"
        review["request"] = request
        return String(decoding: try JSONSerialization.data(withJSONObject: review), as: UTF8.self)
    }

    @Test func aCanaryRolloutIsAdmittedJudgedAndPromoted() async throws {
        let prometheus = try KayentaPersistenceTests.prometheus()
        let f = try await ServerFixture(policy: Self.policy)
        let kayenta = try f.control.kayenta(
            configurations: [try CanaryConfiguration.decode(json: Data(Self.configuration.utf8))],
            prometheus: prometheus)
        let image = "registry.example.com/shop@\(Self.canary)"
        try await f.recordChangeFacts(digest: Self.canary)
        let app = f.application(components: ServerComponents(control: f.control, kayenta: kayenta))
        try await kayenta.service.whileRunning {
            try await app.test(.router) { client in
                func admit(_ review: String) async throws -> (allowed: Bool, warnings: [String]) {
                    let r = try AdmissionTests.response(
                        try await client.call(.post, "/admission/validate", [:], review))
                    return (r["allowed"] as? Bool ?? false, r["warnings"] as? [String] ?? [])
                }
                let created = try await client.call(
                    .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody(artifact: image))
                let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
                _ = try await client.call(
                    .post, "/api/v1/checks", f.headers("builder"),
                    #"{"digest": "\#(Self.canary)", "name": "unit", "status": "passed"}"#)
                _ = try await client.call(
                    .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"), #"{"decision": "approve"}"#)

                // 1. The Rollout and its canary's pod: admitted for the canary, and said so.
                for review in [Self.rollout(image), try Self.pod(image)] {
                    let (allowed, warnings) = try await admit(review)
                    #expect(allowed)
                    #expect(
                        warnings.contains { $0.contains("admitted for its canary only: deploy request \(id)") },
                        "\(warnings)")
                }

                // 2. The AnalysisRun's Kayenta measurement, call by call as Argo's provider makes them.
                let token = f.tokens["deployer"]!
                let base = "/kayenta/\(token)"
                let configs = try await client.call(
                    .get, base + "/canaryConfig?application=shop&configurationAccountName=countersign", [:])
                let list = try #require(
                    try JSONSerialization.jsonObject(with: Data(configs.body.readableBytesView)) as? [[String: Any]])
                let configID = try #require(list.first { $0["name"] as? String == "digest-success" }?["id"] as? String)
                let window = (from: "2026-01-01T00:10:00Z", to: "2026-01-01T00:30:00Z")
                let started = try await client.call(
                    .post,
                    base
                        + "/canary/\(configID)?application=shop&metricsAccountName=prometheus&configurationAccountName=countersign&storageAccountName=countersign",
                    [.contentType: "application/json"],
                    """
                    {"scopes": {"default": {
                       "controlScope": {"scope": "\(Self.baseline)", "location": "production", "step": 60,
                                        "start": "\(window.from)", "end": "\(window.to)"},
                       "experimentScope": {"scope": "\(Self.canary)", "location": "production", "step": 60,
                                           "start": "\(window.from)", "end": "\(window.to)"}}},
                     "thresholds": {"pass": 90, "marginal": 75}}
                    """)
                #expect(started.status == .ok, "\(String(buffer: started.body))")
                let execution = try #require(try object(started)["canaryExecutionId"] as? String)
                var status: [String: Any] = [:]
                for _ in 0..<100 {
                    status = try object(try await client.call(.get, base + "/canary/\(execution)", [:]))
                    if status["complete"] as? Bool == true { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let score =
                    ((status["result"] as? [String: Any])?["judgeResult"] as? [String: Any])?["score"]
                    as? [String: Any]
                let value = try #require(score?["score"] as? Double, "\(status)")
                #expect(Int(value) >= 90, "Argo truncates the score and reads Successful")

                // 3. The verdict is the deploy's: allowed (decided again just after the judgement is recorded), and the
                // promoted pods run without the canary's warning.
                var decision: [String: Any] = [:]
                for _ in 0..<100 {
                    decision = try object(
                        try await client.call(.get, "/api/v1/deploy-requests/\(id)/decision", f.headers("alice")))
                    if decision["verdict"] as? String == "allowed" { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(decision["verdict"] as? String == "allowed", "\(decision)")
                let (allowed, warnings) = try await admit(try Self.pod(image))
                #expect(allowed)
                #expect(!warnings.contains { $0.contains("canary only") }, "\(warnings)")
            }
        }
    }
}
