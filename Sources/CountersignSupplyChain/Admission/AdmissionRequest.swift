/// The part of a Kubernetes `AdmissionReview` (`admission.k8s.io/v1`) request the image gate needs: who to answer
/// (`uid`), what kind of object, where, and every container image in it.
///
/// Pods are read from `spec`; Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs from
/// `spec.template.spec`; CronJobs from `spec.jobTemplate.spec.template.spec`. Containers, init containers and
/// ephemeral containers all count: an image that runs is an image that is checked.
public struct AdmissionRequest: Sendable {
    public struct Container: Sendable, Hashable {
        public enum Kind: String, Sendable { case container, initContainer, ephemeralContainer }
        public let kind: Kind
        public let name: String
        public let image: String
    }

    public let uid: String
    public let kind: String
    public let namespace: String
    public let operation: String
    public let name: String?
    /// `nil` when the object's kind carries no pod template (nothing to check).
    public let containers: [Container]?

    /// Kinds whose pod spec is known, with the path to it.
    static let podSpecPaths: [String: [String]] = [
        "Pod": ["spec"],
        "Deployment": ["spec", "template", "spec"],
        "StatefulSet": ["spec", "template", "spec"],
        "DaemonSet": ["spec", "template", "spec"],
        "ReplicaSet": ["spec", "template", "spec"],
        "ReplicationController": ["spec", "template", "spec"],
        "Job": ["spec", "template", "spec"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    ]

    /// The largest review body accepted (the API server's own request limit is 3 MiB).
    public static let maxBytes = 3 << 20

    /// Decodes an AdmissionReview body.
    public init(review bytes: [UInt8]) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the AdmissionReview \(why)")
        }
        guard bytes.count <= AdmissionRequest.maxBytes else { throw fail("is larger than 3 MiB") }
        let json = try JSON.parse(bytes, what: "the AdmissionReview", maxDepth: 100)
        guard json["apiVersion"]?.string == "admission.k8s.io/v1", json["kind"]?.string == "AdmissionReview" else {
            throw fail("is not admission.k8s.io/v1 AdmissionReview")
        }
        guard let request = json["request"], request.fields != nil else { throw fail("has no request") }
        guard let uid = request["uid"]?.string, !uid.isEmpty else { throw fail("request has no uid") }
        guard let kind = request["kind"]?["kind"]?.string else { throw fail("request has no kind.kind") }
        self.uid = uid
        self.kind = kind
        namespace = request["namespace"]?.string ?? ""
        operation = request["operation"]?.string ?? ""
        let object = request["object"]
        name = object?["metadata"]?["name"]?.string ?? request["name"]?.string
        guard let path = AdmissionRequest.podSpecPaths[kind] else {
            containers = nil
            return
        }
        guard let object, !object.isNull else {
            // DELETE carries no object; nothing will run.
            containers = operation == "DELETE" ? nil : []
            if operation != "DELETE" { throw fail("request has no object") }
            return
        }
        var spec: JSON? = object
        for step in path { spec = spec?[step] }
        guard let spec, spec.fields != nil else { throw fail("\(kind) has no \(path.joined(separator: "."))") }
        var found: [Container] = []
        for (field, kind) in [
            ("initContainers", Container.Kind.initContainer), ("containers", .container),
            ("ephemeralContainers", .ephemeralContainer),
        ] {
            guard let list = spec[field] else { continue }
            guard let items = list.array else { throw fail("\(field) is not a list") }
            for (n, item) in items.enumerated() {
                let name = item["name"]?.string ?? "#\(n + 1)"
                guard let image = item["image"]?.string else { throw fail("\(field) \(name) has no image") }
                found.append(Container(kind: kind, name: name, image: image))
            }
        }
        containers = found
    }
}
