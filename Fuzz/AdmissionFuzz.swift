// libFuzzer harness `admission`: the input is the body of `POST /admission/validate`, taken the way the server's
// AdmissionRoutes take it — the strict reader must see a JSON object, then
// `AdmissionController.review(_:)` answers it — with an approver that allows digests whose hex starts with `a` and
// denies the rest, so both answers are reachable. (The route itself is Hummingbird glue around these two calls;
// the approver the server wires in reads the ledger.)
//
// Properties — admission fails closed: a review that does not parse is denied with code 400, never allowed; an
// allowed review names only images pinned by digest that the approver allowed; the answer is a well-formed
// AdmissionReview that echoes the request's uid; a denial names an image, or a kind Countersign does not know.

import CountersignEncoding
internal import Foundation

@testable internal import CountersignSupplyChain

let controller = AdmissionController(
    approver: ClosureApprover { _, digest, _ in digest.hex.hasPrefix("a") ? .approved : .denied("not approved") })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = bytes(data, size)
    guard case .object? = try? JSONValue(parsing: body) else { return 0 }
    let answer = blocking { await controller.review(body) }
    let request = try? AdmissionRequest(review: body)
    let review = try? JSONValue(parsing: answer.reviewJSON)
    require(review?["response"]?["allowed"] == .bool(answer.allowed), "the answer is not an AdmissionReview")
    require(review?["response"]?["uid"]?.stringValue == answer.uid, "the answer does not carry its uid")
    guard let request else {
        require(!answer.allowed && answer.code == 400, "an unreadable review was answered \(answer.code)")
        return 0
    }
    require(answer.uid == request.uid, "the answer's uid \(answer.uid) is not the request's \(request.uid)")
    if answer.allowed {
        for container in request.containers {
            let reference = try? ImageReference(parsing: container.image)
            require(
                reference?.digest?.hex.hasPrefix("a") == true,
                "\(container.image) was admitted without an approved digest")
        }
    } else {
        require(
            !request.containers.isEmpty || request.recognition == .unknown,
            "a review of a known kind without images was denied: \(answer.message ?? "")")
    }
    return 0
}
