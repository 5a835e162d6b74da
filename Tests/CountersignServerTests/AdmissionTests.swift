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
}
