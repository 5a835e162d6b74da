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

    /// The API group Kubernetes serves each recognised kind from.
    static let groups = [
        "Pod": "", "PodTemplate": "", "ReplicationController": "", "ConfigMap": "", "Deployment": "apps",
        "StatefulSet": "apps", "DaemonSet": "apps", "ReplicaSet": "apps", "Job": "batch", "CronJob": "batch",
        "Rollout": "argoproj.io",
    ]

    static func review(
        kind: String, group: String? = nil, namespace: String = "prod", operation: String = "CREATE", object: String
    ) -> [UInt8] {
        let group = group ?? groups[kind] ?? "example.com"
        return Array(
            """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-1","kind":{"group":"\(group)","version":"v1","kind":"\(kind)"},"namespace":"\(namespace)","operation":"\(operation)","object":\(object)}}
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
        ("PodTemplate", "{\"template\":{\"spec\":SPEC}}"),
        ("ReplicationController", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
        ("Rollout", "{\"spec\":{\"template\":{\"spec\":SPEC}}}"),
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

    // MARK: The attacker's tests: what admission does not know, it does not trust.

    static let pinned = "registry.example.com/team/app@\(approved)"
    static let unapproved = "registry.example.com/team/app@\(Fixtures.otherDigest)"

    /// Kinds are compared as Kubernetes compares them — group and kind, byte for byte — so nothing that merely
    /// looks like a Pod is read as one, and an object of an unrecognised kind is refused in a protected namespace
    /// even when every image in it is approved: its controller may run images from fields no one checked.
    @Test(arguments: [
        ("", "pod"), ("", "POD"), ("", "Pod "), ("", " Pod"), ("", "P\u{03BF}d"), ("", "\u{FF30}\u{FF4F}\u{FF44}"),
        ("", "Pod\u{200B}"), ("", "Po\u{0301}d"), ("evil.example.com", "Pod"), ("apps", "Pod"), ("Apps", "Deployment"),
        ("apps", "deployment"), ("batch", "cronjob"), ("batch", "CronJobs"), ("apps", "CronJob"),
        ("argoproj.io", "rollout"), ("argoproj.io.evil.example", "Rollout"), ("", "Deployment"),
    ])
    func lookalikeKindsAreNotTrustedInAProtectedNamespace(group: String, kind: String) async throws {
        let object = "{\"spec\":\(Self.podSpec([Self.pinned])),\"template\":{\"spec\":\(Self.podSpec([Self.pinned]))}}"
        let r = await controller.review(Self.review(kind: kind, group: group, object: object))
        #expect(!r.allowed, "\(group)/\(kind)")
        #expect(r.code == 403)
        #expect(r.message?.contains("is not one Countersign recognises") == true, "\(r.message ?? "")")
    }

    @Test func aLowercasePodStillHasEveryImageNamed() async throws {
        let r = await controller.review(
            Self.review(kind: "pod", group: "", object: "{\"spec\":\(Self.podSpec([Self.unapproved], init: ["x:1"]))}"))
        #expect(!r.allowed)
        let message = try #require(r.message)
        #expect(message.contains("container c0 (at spec): image \(Self.unapproved) has no approved decision"))
        #expect(message.contains("initContainer i0 (at spec): image x:1 is not pinned by digest"))
        #expect(message.contains("kind v1 pod is not one Countersign recognises"))
    }

    /// A custom resource with a pod template anywhere has every image in it checked, wherever the template sits.
    @Test(arguments: [
        #"{"spec":{"containers":[{"name":"w","image":"IMG"}]}}"#,
        #"{"spec":{"template":{"spec":{"containers":[{"name":"w","image":"IMG"}]}}}}"#,
        #"{"spec":{"workers":[{"replicas":2},{"template":{"spec":{"containers":[],"initContainers":[{"name":"w","image":"IMG"}]}}}]}}"#,
        #"{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"ephemeralContainers":[{"name":"w","image":"IMG"}]}}}}}}"#,
        #"{"spec":{"template":{"spec":{"containers":[{"name":"ok","image":"OK"}]}},"canary":{"template":{"spec":{"containers":[{"name":"w","image":"IMG"}]}}}}}"#,
    ])
    func anUnknownResourceHasEveryPodTemplateChecked(shape: String) async throws {
        let bad = shape.replacingOccurrences(of: "IMG", with: Self.unapproved).replacingOccurrences(
            of: "OK", with: Self.pinned)
        let unprotected = AdmissionController(
            approver: ClosureApprover(scope: { _ in AdmissionScope(protected: false, enforced: true) }) {
                _, digest, _ in digest == Self.approved ? .approved : .denied("has no approved decision")
            })
        for controller in [controller, unprotected] {
            let r = await controller.review(Self.review(kind: "Widget", group: "example.com", object: bad))
            #expect(!r.allowed)
            #expect(r.message?.contains("w (at spec") == true, "\(r.message ?? "")")
            #expect(r.message?.contains("image \(Self.unapproved) has no approved decision") == true)
        }
        // Outside protected namespaces an unknown kind whose images are all approved is admitted, with a warning.
        let good = shape.replacingOccurrences(of: "IMG", with: Self.pinned).replacingOccurrences(
            of: "OK", with: Self.pinned)
        let admitted = await unprotected.review(Self.review(kind: "Widget", group: "example.com", object: good))
        #expect(admitted.allowed)
        #expect(
            admitted.warnings.contains { $0.contains("kind example.com/v1 Widget is not one Countersign recognises") })
        let refused = await controller.review(Self.review(kind: "Widget", group: "example.com", object: good))
        #expect(!refused.allowed)
    }

    /// A recognised workload with a second pod template tucked in elsewhere (or under a key that spells the known
    /// path with a dot) has that one checked too.
    @Test func aPodTemplateHiddenBesideTheKnownOneIsChecked() async throws {
        let good = Self.podSpec([Self.pinned])
        let bad = Self.podSpec([Self.unapproved])
        for hidden in [
            #"{"spec":{"template":{"spec":\#(good)},"sidecarTemplate":{"spec":\#(bad)}}}"#,
            #"{"spec":{"template":{"spec":\#(good)},"template.spec":\#(bad)}}"#,
            #"{"spec":{"template":{"spec":\#(good),"metadata":{"x":[\#(bad)]}}}}"#,
        ] {
            let r = await controller.review(Self.review(kind: "Deployment", object: hidden))
            #expect(!r.allowed, "\(hidden)")
            #expect(r.message?.contains("image \(Self.unapproved) has no approved decision") == true)
            #expect(r.message?.contains("container c0:") != true)  // the known spec's approved image is fine
        }
    }

    /// The request says ConfigMap (or any kind that runs nothing) but the object holds a pod spec: it is checked.
    @Test func aKindThatRunsNothingCannotSmuggleAPodSpec() async throws {
        let r = await controller.review(
            Self.review(kind: "ConfigMap", object: #"{"kind":"Pod","spec":\#(Self.podSpec([Self.unapproved]))}"#))
        #expect(!r.allowed)
        #expect(r.message?.contains("container c0 (at spec): image \(Self.unapproved)") == true)
    }

    @Test func aRolloutPointingAtADeploymentRunsNothingOfItsOwn() async throws {
        let r = await controller.review(
            Self.review(
                kind: "Rollout",
                object: #"{"spec":{"workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"shop"}}}"#))
        #expect(r.allowed)
        let deployment = await controller.review(
            Self.review(kind: "Deployment", object: #"{"spec":{"replicas":1}}"#))
        #expect(!deployment.allowed)
        #expect(deployment.code == 400)
    }

    @Test func deletionsRunNothing() async throws {
        let body = Array(
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"example.com","version":"v1","kind":"Widget"},"namespace":"prod","operation":"DELETE","object":null}}"#
                .utf8)
        #expect(await controller.review(body).allowed)
    }

    /// Audit mode admits what enforcement would refuse, and says so: to the user as a warning, and to the API
    /// server's audit log as an annotation. An unreadable review is still denied.
    @Test func auditModeReportsWhatEnforcementWouldRefuse() async throws {
        let audited = AdmissionController(
            approver: ClosureApprover(scope: { _ in AdmissionScope(protected: true, enforced: false) }) {
                _, digest, _ in digest == Self.approved ? .approved : .denied("has no approved decision")
            })
        let widget = await audited.review(
            Self.review(kind: "Widget", group: "example.com", object: #"{"spec":{"size":3}}"#))
        #expect(widget.allowed)
        #expect(widget.code == 200)
        let reported = try #require(widget.auditAnnotations[AdmissionController<ClosureApprover>.auditAnnotation])
        #expect(reported.contains("would have denied Widget in namespace prod"))
        #expect(reported.contains("kind example.com/v1 Widget is not one Countersign recognises"))
        #expect(widget.warnings.first == reported)
        #expect(widget.reviewJSON.contains(#""auditAnnotations":{"would-deny":"#))
        let pod = await audited.review(
            Self.review(kind: "Pod", object: "{\"spec\":\(Self.podSpec([Self.unapproved]))}"))
        #expect(pod.allowed)
        #expect(pod.warnings.first?.contains("image \(Self.unapproved) has no approved decision") == true)
        let garbage = await audited.review(Array("{}".utf8))
        #expect(!garbage.allowed)
        #expect(garbage.code == 400)
    }

    @Test func imagelessContainersOutsideAKnownSpecAreReportedNotFatal() async throws {
        let unprotected = AdmissionController(
            approver: ClosureApprover(scope: { _ in AdmissionScope(protected: false, enforced: true) }) { _, _, _ in
                .approved
            })
        let r = await unprotected.review(
            Self.review(kind: "Widget", object: #"{"spec":{"containers":[{"name":"x"}],"initContainers":"nope"}}"#))
        #expect(r.allowed)
        #expect(r.warnings.contains("countersign: container x at spec has no image; nothing to check"))
    }
}
