/// The Kubernetes image gate (DESIGN §7): a Pod — or the pod template of a workload — is admitted only when every
/// image is pinned by digest and approved for the namespace. Every offending image is named in one message, so a
/// user fixes them all at once instead of one per attempt.
public struct AdmissionController<Approver: ImageApprover>: Sendable {
    public let approver: Approver

    public init(approver: Approver) { self.approver = approver }

    /// Answers a raw review body. A body that cannot be read is denied with code 400 (fail closed); its `uid`
    /// is echoed when it can be found.
    public func review(_ body: [UInt8]) async -> AdmissionResponse {
        do {
            return await review(try AdmissionRequest(review: body))
        } catch {
            let uid =
                (try? JSON.parse(Array(body.prefix(AdmissionRequest.maxBytes)), what: "review"))?["request"]?["uid"]?
                .string ?? ""
            return AdmissionResponse(
                uid: uid, allowed: false, code: 400, message: "countersign: \(error.reason)", warnings: [])
        }
    }

    public func review(_ request: AdmissionRequest) async -> AdmissionResponse {
        guard let containers = request.containers else {
            return AdmissionResponse(
                uid: request.uid, allowed: true, code: 200, message: nil,
                warnings: request.operation == "DELETE"
                    ? [] : ["countersign: \(request.kind) carries no pod spec; no images checked"])
        }
        var offences: [String] = []
        var warnings: [String] = []
        for container in containers {
            let label = "\(container.kind.rawValue) \(container.name)"
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
            case .denied(let reason): offences.append("\(label): image \(reference.name)@\(digest) \(reason)")
            }
        }
        if offences.isEmpty {
            return AdmissionResponse(uid: request.uid, allowed: true, code: 200, message: nil, warnings: warnings)
        }
        let subject = request.name.map { "\(request.kind) \($0)" } ?? request.kind
        return AdmissionResponse(
            uid: request.uid, allowed: false, code: 403,
            message: "countersign denied \(subject) in namespace \(request.namespace): "
                + offences.joined(separator: "; "),
            warnings: warnings)
    }
}
