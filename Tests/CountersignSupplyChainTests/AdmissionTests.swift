import CountersignSupplyChain
import CountersignTesting
import Foundation
import Testing

@Suite struct AdmissionTests {
    static let approved = Fixtures.digest
    let controller = AdmissionController(
        approver: ClosureApprover { _, digest, namespace in
            digest == AdmissionTests.approved && namespace == "prod"
                ? .approved : .denied("has no approved decision for namespace \(namespace)")
        })

    static func review(kind: String, namespace: String = "prod", object: String) -> [UInt8] {
        Array(
            """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-1","kind":{"group":"apps","version":"v1","kind":"\(kind)"},"namespace":"\(namespace)","operation":"CREATE","object":\(object)}}
            """.utf8)
    }

    static func podSpec(_ images: [String], init initImages: [String] = [], ephemeral: [String] = []) -> String {
        func list(_ xs: [String], _ prefix: String) -> String {
            "["
                + xs.enumerated().map { #"{"name":"\#(prefix)\#($0.offset)","image":"\#($0.element)"}"# }.joined(
                    separator: ",") + "]"
        }
        return
            #"{"containers":\#(list(images, "c")),"initContainers":\#(list(initImages, "i")),"ephemeralContainers":\#(list(ephemeral, "e"))}"#
    }

    /// The recorded Pod CREATE from ../shared/testdata/webhooks: a `:latest` container and tag-pinned init
    /// containers, all of which must be named.
    @Test func theRecordedPodReviewIsDeniedNamingEveryImage() async throws {
        let url = CommandRunner.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/testdata/webhooks/k8s.admissionreview.v1.pod-create.request.json")
        let body = try Data(contentsOf: url)
        let response = await controller.review(Array(body))
        #expect(response.uid == "e94a7790-a4fc-11e9-a276-42010a3e0104")
        #expect(!response.allowed)
        #expect(response.code == 403)
        let message = try #require(response.message)
        #expect(
            message.contains(
                "container keymaker-original: image gcr.io/gsf-mgmt-devmvp-spinnaker/dva/keymaker-client:latest is not pinned by digest"
            ))
        #expect(message.contains("initContainer ca-populator-original"))
        #expect(message.contains("initContainer madkub-init-original"))
        #expect(
            response.warnings.contains("container keymaker-original uses a mutable tag; pin by digest (@sha256:...)"))
        // The response has the shape of the example deny response.
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(response.reviewJSON.utf8)) as? [String: Any])
        #expect(json["apiVersion"] as? String == "admission.k8s.io/v1")
        #expect(json["kind"] as? String == "AdmissionReview")
        let r = try #require(json["response"] as? [String: Any])
        #expect(r["uid"] as? String == "e94a7790-a4fc-11e9-a276-42010a3e0104")
        #expect(r["allowed"] as? Bool == false)
        #expect((r["status"] as? [String: Any])?["code"] as? Int == 403)
        #expect((r["warnings"] as? [String])?.count == 3)
    }

    @Test(arguments: [
        ("Pod", "{\"spec\":SPEC}"),
        ("Deployment", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
        ("StatefulSet", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
        ("DaemonSet", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
        ("ReplicaSet", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
        ("Job", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
        ("CronJob", "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":SPEC}}}}}"),
    ])
    func everyWorkloadKindIsChecked(kind: String, shape: String) async throws {
        let pinned = "registry.example.com/team/app@\(Self.approved)"
        let ok = shape.replacingOccurrences(of: "SPEC", with: Self.podSpec([pinned], init: [pinned]))
        let allowed = await controller.review(Self.review(kind: kind, object: ok))
        #expect(allowed.allowed, "\(allowed.message ?? "")")
        #expect(allowed.uid == "uid-1")
        let other = "registry.example.com/team/app@\(Fixtures.otherDigest)"
        let bad = shape.replacingOccurrences(
            of: "SPEC", with: Self.podSpec([pinned], init: ["registry.example.com/team/init:v1"], ephemeral: [other]))
        let denied = await controller.review(Self.review(kind: kind, object: bad))
        #expect(!denied.allowed)
        #expect(denied.code == 403)
        let message = try #require(denied.message)
        #expect(message.contains("initContainer i0: image registry.example.com/team/init:v1 is not pinned by digest"))
        #expect(
            message.contains(
                "ephemeralContainer e0: image registry.example.com/team/app@\(Fixtures.otherDigest) has no approved decision for namespace prod"
            ))
        #expect(!message.contains("container c0"))
    }

    @Test func theNamespaceIsPassedToTheApprover() async {
        let pinned = "registry.example.com/team/app@\(Self.approved)"
        let response = await controller.review(
            Self.review(kind: "Pod", namespace: "dev", object: "{\"spec\":\(Self.podSpec([pinned]))}"))
        #expect(!response.allowed)
        #expect(response.message?.contains("namespace dev") == true)
    }

    @Test func kindsWithoutPodsAreAllowedWithAWarningAndGarbageIsDenied() async {
        let cm = await controller.review(Self.review(kind: "ConfigMap", object: "{\"data\":{}}"))
        #expect(cm.allowed)
        #expect(cm.warnings.count == 1)
        for garbage in ["", "{}", "[1,2]", #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#] {
            let r = await controller.review(Array(garbage.utf8))
            #expect(!r.allowed)
            #expect(r.code == 400)
        }
        let noImage = await controller.review(
            Self.review(kind: "Pod", object: #"{"spec":{"containers":[{"name":"x"}]}}"#))
        #expect(!noImage.allowed)
        #expect(noImage.uid == "uid-1")
    }
}
