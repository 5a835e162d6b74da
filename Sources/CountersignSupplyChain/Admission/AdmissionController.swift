internal import CountersignEncoding

/// The Kubernetes image gate (DESIGN §7): a Pod — or any object holding a pod template — is admitted only when
/// every image is pinned by digest and approved for the namespace. Every offending image is named in one message,
/// so a user fixes them all at once instead of one per attempt.
///
/// Strict about what it does not know: an object whose kind is not recognised (``AdmissionRequest/Recognition``)
/// is not trusted — its pod specs are checked wherever they sit, and in a protected namespace it is refused, since
/// what its controller would run cannot be known. In warn mode (``AdmissionScope/enforced`` false) refusals are
/// reported instead: the object is admitted with the reason as a warning and an audit annotation, and the response
/// carries it as ``AdmissionResponse/wouldDeny`` for the caller to record.
public struct AdmissionController<Approver: ImageApprover>: Sendable {
    public let approver: Approver

    /// The audit annotation that carries, in warn mode, what enforcement would have refused.
    public static var auditAnnotation: String { "would-deny" }

    public init(approver: Approver) { self.approver = approver }

    /// Answers a raw review body. A body that cannot be read is denied with code 400 (fail closed, warn mode or
    /// not); its `uid` is echoed when it can be found.
    public func review(_ body: [UInt8]) async -> AdmissionResponse {
        do {
            return await review(try AdmissionRequest(review: body))
        } catch {
            let uid =
                (try? JSONValue.document(Array(body.prefix(AdmissionRequest.maxBytes)), what: "review"))?["request"]?[
                    "uid"]?
                .stringValue ?? ""
            return AdmissionResponse(
                uid: uid, allowed: false, code: 400, message: "countersign: \(error.reason)", warnings: [])
        }
    }

    public func review(_ request: AdmissionRequest) async -> AdmissionResponse {
        // A deletion runs nothing.
        if request.operation == "DELETE" {
            return AdmissionResponse(uid: request.uid, allowed: true, code: 200, message: nil, warnings: [])
        }
        let scope = await approver.scope(of: request.namespace)
        var offences: [String] = []
        var warnings: [String] = []
        let recognisedPath: String?
        switch request.recognition {
        case .podSpec(let path):
            recognisedPath = path
        case .noPods:
            recognisedPath = nil
            if request.containers.isEmpty {
                warnings.append("countersign: \(request.kind) carries no pod spec; no images checked")
            }
        case .unknown:
            recognisedPath = nil
            let found =
                request.containers.isEmpty
                ? "no pod spec was found in it"
                : "the pod specs found at \(Set(request.containers.map(\.path)).sorted().joined(separator: ", ")) "
                    + "are checked, but its controller may run other images"
            if scope.protected {
                offences.append(
                    "kind \(request.typeName) is not one Countersign recognises (kinds are case-sensitive), so what "
                        + "it runs cannot be known: \(found); it is refused in a protected namespace")
            } else {
                warnings.append("countersign: kind \(request.typeName) is not one Countersign recognises: \(found)")
            }
        }
        for entry in request.imageless {
            warnings.append("countersign: \(entry) has no image; nothing to check")
        }
        for container in request.containers {
            var label = "\(container.kind.rawValue) \(container.name)"
            if container.path != recognisedPath { label += " (at \(container.path))" }
            let reference: ImageReference
            do { reference = try ImageReference(parsing: container.image) } catch {
                offences.append("\(label): \(error.reason)")
                continue
            }
            guard let digest = reference.digest else {
                offences.append("\(label): image \(container.image) is not pinned by digest")
                warnings.append("\(label) uses a mutable tag; pin by digest (@sha256:...)")
                continue
            }
            if reference.tag != nil {
                warnings.append("\(label): image \(container.image) has a tag and a digest; the digest is what runs")
            }
            switch await approver.approval(of: reference, digest: digest, namespace: request.namespace) {
            case .approved: continue
            case .canary(let note): warnings.append("countersign: \(label): \(note)")
            case .denied(let reason): offences.append("\(label): image \(reference.name)@\(digest) \(reason)")
            }
        }
        if offences.isEmpty {
            return AdmissionResponse(uid: request.uid, allowed: true, code: 200, message: nil, warnings: warnings)
        }
        let subject = request.name.map { "\(request.kind) \($0)" } ?? request.kind
        let message =
            "countersign denied \(subject) in namespace \(request.namespace): " + offences.joined(separator: "; ")
        guard scope.enforced else {
            let reported =
                "countersign (warn mode, not enforced): would have " + message.dropFirst("countersign ".count)
            return AdmissionResponse(
                uid: request.uid, allowed: true, code: 200, message: nil, warnings: [reported] + warnings,
                auditAnnotations: [Self.auditAnnotation: reported], wouldDeny: message)
        }
        return AdmissionResponse(uid: request.uid, allowed: false, code: 403, message: message, warnings: warnings)
    }
}
