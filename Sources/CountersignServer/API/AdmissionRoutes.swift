public import CountersignControl
internal import CountersignEncoding
internal import CountersignSupplyChain
internal import Foundation
public import Hummingbird
internal import NIOCore

/// `POST /admission/validate`: the Kubernetes ValidatingAdmissionWebhook. The API server calls it with an
/// AdmissionReview v1 and gets one back with the uid echoed; every image of the pod (or pod template) must be
/// pinned by digest and allowed for the namespace's environment. Run it behind TLS (the API server requires
/// HTTPS) and scope the webhook with a namespaceSelector to the namespaces the policy maps.
public struct AdmissionRoutes: Sendable {
    let control: ControlPlane
    let controller: AdmissionController<LedgerImageApprover>

    public init(control: ControlPlane) {
        self.control = control
        controller = AdmissionController(approver: LedgerImageApprover(control: control))
    }

    public func add(to router: Router<ServerRequestContext>) {
        router.post("admission/validate") { request, _ in
            let body = try await JSONBody.bytes(request, limit: 3 << 20)
            // Not a review at all (no body, not a JSON object): an HTTP error. A review that cannot be judged is
            // answered with a denying review instead, which is what the API server acts on.
            guard case .object? = try? JSONValue(parsing: body) else {
                throw ControlError(.badRequest, "the body must be an AdmissionReview JSON object")
            }
            let started = ContinuousClock.now
            let answer: AdmissionResponse
            defer {
                control.metrics.admission(
                    outcome: answer.wouldDeny != nil ? "warned" : answer.allowed ? "allowed" : "denied",
                    duration: ContinuousClock.now - started)
            }
            if let request = try? AdmissionRequest(review: body) {
                answer = await controller.review(request)
                // Warn mode's trace is written after the answer, never in its way: the API server's deadline is
                // for the decision, and warn mode admits whether or not the entry is written.
                if let reason = answer.wouldDeny, !request.dryRun {
                    Task { [control] in await control.recordAdmissionWarning(request, reason: reason) }
                }
            } else {
                answer = await controller.review(body)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer.reviewJSON)))
        }
    }
}
