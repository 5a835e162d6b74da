internal import CountersignEncoding

/// The part of a Kubernetes `AdmissionReview` (`admission.k8s.io/v1`) request the image gate needs: who to answer
/// (`uid`), what kind of object, where, and every container image in it.
///
/// The kind is compared as Kubernetes compares it: group and kind, byte for byte (`pod` is not `Pod`, and a `Pod`
/// of another API group is another kind). Recognised kinds have their pod spec where Kubernetes puts it — Pods in
/// `spec`; Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and Argo Rollouts in
/// `spec.template.spec`; PodTemplates in `template.spec`; CronJobs in `spec.jobTemplate.spec.template.spec` — and
/// a recognised kind without it is malformed. Whatever the kind, every pod spec anywhere in the object (any mapping
/// holding a `containers`, `initContainers` or `ephemeralContainers` list) is read too, so a pod template tucked
/// into a custom resource is checked rather than waved through. Containers, init containers and ephemeral
/// containers all count: an image that runs is an image that is checked.
public struct AdmissionRequest: Sendable {
    public struct Container: Sendable, Hashable {
        public enum Kind: String, Sendable { case container, initContainer, ephemeralContainer }
        public let kind: Kind
        public let name: String
        public let image: String
        /// Where the pod spec holding it sits in the object, e.g. `spec.template.spec`.
        public let path: String
    }

    /// What Countersign knows about the object's kind.
    public enum Recognition: Sendable, Hashable {
        /// A workload kind; its pod spec is at `path`.
        case podSpec(path: String)
        /// A built-in kind that runs no containers (a ConfigMap, a Service, …).
        case noPods
        /// Not a kind Countersign knows: what it makes a controller run cannot be known, so it is not trusted.
        case unknown
    }

    public let uid: String
    /// `request.kind`: the group (empty for the core group), version and kind the API server names.
    public let group: String
    public let version: String
    public let kind: String
    public let namespace: String
    public let operation: String
    /// A `--dry-run=server` request: answered as any other, but nothing may be recorded for it (the webhook's
    /// `sideEffects: NoneOnDryRun`). Anything but an absent or `false` field counts as a dry run.
    public let dryRun: Bool
    /// Who applied the object (`userInfo.username`), as the API server authenticated them.
    public let user: String?
    public let name: String?
    public let recognition: Recognition
    /// Every container of every pod spec found in the object, the recognised pod spec's first.
    public let containers: [Container]
    /// Containers found without a readable image outside a recognised pod spec (nothing to check; reported).
    public let imageless: [String]

    /// `apiVersion` and kind as `kubectl` writes them: `v1 Pod`, `argoproj.io/v1alpha1 Rollout`.
    public var typeName: String { (group.isEmpty ? version : "\(group)/\(version)") + " " + kind }

    /// Kinds whose pod spec is known, with the path to it, keyed by the UTF-8 bytes of `group/kind` (so nothing
    /// Unicode-equivalent to a listed kind passes for it). `optional`: the kind may lack a pod spec and run nothing
    /// of its own (a Rollout with a `workloadRef` points at a Deployment, which is admitted itself).
    static let podSpecKinds: [[UInt8]: (path: [String], optional: Bool)] = {
        let template = ["spec", "template", "spec"]
        let kinds: [(String, String, [String], Bool)] = [
            ("", "Pod", ["spec"], false), ("", "PodTemplate", ["template", "spec"], false),
            ("", "ReplicationController", template, false), ("apps", "Deployment", template, false),
            ("apps", "StatefulSet", template, false), ("apps", "DaemonSet", template, false),
            ("apps", "ReplicaSet", template, false), ("batch", "Job", template, false),
            ("batch", "CronJob", ["spec", "jobTemplate", "spec", "template", "spec"], false),
            ("argoproj.io", "Rollout", template, true),
        ]
        var table: [[UInt8]: (path: [String], optional: Bool)] = [:]
        for (group, kind, path, optional) in kinds { table[Array("\(group)/\(kind)".utf8)] = (path, optional) }
        return table
    }()

    /// Built-in kinds that run no containers, keyed like ``podSpecKinds``. Everything else is unknown.
    static let noPodKinds: Set<[UInt8]> = Set(
        [
            "/ConfigMap", "/Secret", "/Service", "/ServiceAccount", "/Endpoints", "/PersistentVolumeClaim",
            "/PersistentVolume", "/LimitRange", "/ResourceQuota", "/Event", "/Namespace", "/Binding",
            "/PodExecOptions", "/PodAttachOptions", "/PodPortForwardOptions", "/PodProxyOptions",
            "autoscaling/Scale", "autoscaling/HorizontalPodAutoscaler", "policy/PodDisruptionBudget",
            "policy/Eviction", "networking.k8s.io/Ingress", "networking.k8s.io/IngressClass",
            "networking.k8s.io/NetworkPolicy", "rbac.authorization.k8s.io/Role",
            "rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRole",
            "rbac.authorization.k8s.io/ClusterRoleBinding", "coordination.k8s.io/Lease",
            "discovery.k8s.io/EndpointSlice", "events.k8s.io/Event",
        ].map { Array($0.utf8) })

    /// The largest review body accepted (the API server's own request limit is 3 MiB).
    public static let maxBytes = 3 << 20

    /// Decodes an AdmissionReview body.
    public init(review bytes: [UInt8]) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the AdmissionReview \(why)")
        }
        guard bytes.count <= AdmissionRequest.maxBytes else { throw fail("is larger than 3 MiB") }
        let json = try JSONValue.document(bytes, what: "the AdmissionReview", maxDepth: 100)
        guard json["apiVersion"]?.stringValue == "admission.k8s.io/v1", json["kind"]?.stringValue == "AdmissionReview"
        else {
            throw fail("is not admission.k8s.io/v1 AdmissionReview")
        }
        guard let request = json["request"], request.objectMembers != nil else { throw fail("has no request") }
        guard let uid = request["uid"]?.stringValue, !uid.isEmpty else { throw fail("request has no uid") }
        guard let kind = request["kind"]?["kind"]?.stringValue else { throw fail("request has no kind.kind") }
        self.uid = uid
        self.kind = kind
        group = request["kind"]?["group"]?.stringValue ?? ""
        version = request["kind"]?["version"]?.stringValue ?? ""
        namespace = request["namespace"]?.stringValue ?? ""
        operation = request["operation"]?.stringValue ?? ""
        dryRun = request["dryRun"].map { $0.boolValue != false && !$0.isNull } ?? false
        user = request["userInfo"]?["username"]?.stringValue
        let object = request["object"]
        name = object?["metadata"]?["name"]?.stringValue ?? request["name"]?.stringValue
        let key = Array("\(group)/\(kind)".utf8)
        let known = AdmissionRequest.podSpecKinds[key]
        if let known {
            recognition = .podSpec(path: known.path.joined(separator: "."))
        } else {
            recognition = AdmissionRequest.noPodKinds.contains(key) ? .noPods : .unknown
        }
        guard let object, !object.isNull else {
            // DELETE carries no object; nothing will run.
            guard operation == "DELETE" else { throw fail("request has no object") }
            containers = []
            imageless = []
            return
        }
        var found: [Container] = []
        var imageless: [String] = []
        var knownPath: [Step]?
        if let known {
            var spec: JSONValue? = object
            for step in known.path { spec = spec?[step] }
            let path = known.path.map(Step.key)
            if let spec, spec.objectMembers != nil {
                knownPath = path
                found += try Self.containers(in: spec, at: Self.render(path), strict: true, imageless: &imageless)
            } else if !known.optional || !(spec?.isNull ?? true) {
                throw fail("\(kind) has no \(Self.render(path))")
            }
        }
        // Every other pod spec in the object, wherever it sits: iterative, and bounded by the parser's depth limit.
        // Paths are compared step by step, so a key such as "template.spec" is not mistaken for the known spec.
        var pending: [(path: [Step], value: JSONValue)] = [([], object)]
        while let (path, value) = pending.popLast() {
            switch value {
            case .object(let fields):
                if path != knownPath, Self.isPodSpec(value) {
                    found += try Self.containers(in: value, at: Self.render(path), strict: false, imageless: &imageless)
                }
                for (key, child) in fields.reversed() { pending.append((path + [.key(key)], child)) }
            case .array(let items):
                for (n, child) in items.enumerated().reversed() { pending.append((path + [.index(n)], child)) }
            default: continue
            }
        }
        containers = found
        self.imageless = imageless
    }

    /// One step into a JSON document: a key of an object or an index into an array.
    enum Step: Hashable {
        case key(String)
        case index(Int)
    }

    /// `spec.workers[0].template.spec`; the object itself is `.`; a key that could be misread as a path
    /// (`template.spec`) is written `["template.spec"]`, so no two places render alike.
    static func render(_ path: [Step]) -> String {
        var out = ""
        for step in path {
            switch step {
            case .index(let n): out += "[\(n)]"
            case .key(let key) where key.isEmpty || key.contains(where: { ".[]\"\\".contains($0) }):
                out += "[\"" + key.flatMap { $0 == "\"" || $0 == "\\" ? ["\\", $0] : [$0] } + "\"]"
            case .key(let key): out += out.isEmpty ? key : "." + key
            }
        }
        return out.isEmpty ? "." : out
    }

    static let containerLists: [(String, Container.Kind)] = [
        ("initContainers", .initContainer), ("containers", .container), ("ephemeralContainers", .ephemeralContainer),
    ]

    /// A mapping holding a list of containers of any of the three sorts is a pod spec.
    static func isPodSpec(_ value: JSONValue) -> Bool {
        containerLists.contains { value[$0.0]?.arrayValue != nil }
    }

    /// The containers of the pod spec `spec` at `path`. In a recognised pod spec (`strict`) a malformed list or a
    /// container without an image makes the review unreadable; elsewhere such an entry is noted in `imageless`.
    static func containers(
        in spec: JSONValue, at path: String, strict: Bool, imageless: inout [String]
    ) throws(SupplyChainError) -> [Container] {
        var found: [Container] = []
        for (field, kind) in containerLists {
            guard let list = spec[field] else { continue }
            guard let items = list.arrayValue else {
                guard strict else { continue }
                throw SupplyChainError(.malformedDocument, "the AdmissionReview \(field) is not a list")
            }
            for (n, item) in items.enumerated() {
                let name = item["name"]?.stringValue ?? "#\(n + 1)"
                guard let image = item["image"]?.stringValue else {
                    if strict {
                        throw SupplyChainError(.malformedDocument, "the AdmissionReview \(field) \(name) has no image")
                    }
                    imageless.append("\(kind.rawValue) \(name) at \(path)")
                    continue
                }
                found.append(Container(kind: kind, name: name, image: image, path: path))
            }
        }
        return found
    }
}
