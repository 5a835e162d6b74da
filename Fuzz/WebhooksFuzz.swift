// libFuzzer harness `webhooks`: the input is an event name, a newline, and a request body — what
// `POST /webhooks/github` (X-GitHub-Event + the delivery) and the JSON API endpoints receive. It drives the
// payload layer the server's handlers call, not the handlers themselves (they write to the ledger on every
// delivery; the lead is rewriting them):
//
// - every body: the X-Hub-Signature-256 check (`WebhookSignature`, compiled from the server's source) over the
//   raw bytes, then `JSONValue(parsing:)` exactly as `ControlPlane.handleGitHub` reads a delivery, and the
//   members it reads (`action`, `repository.full_name`, `pull_request.*`, `review.*`, `deployment.*`);
// - `incident`: the body of `POST /api/v1/incidents` decoded as the server's `IncidentBody` (same shape) with
//   `JSONValueDecoder`, as `PayloadCoding.body` does;
// - `deploy-request`: the body of `POST /api/v1/deploy-requests` as `DeployRequestInput` (compiled from the
//   server's source), then stored and answered the way the server does: `JSONValueEncoder` into a `JSONValue`
//   (`PayloadCoding.encode`) and decoded again (`PayloadCoding.decode`), and once more from its canonical bytes.
//
// Properties: the signature the server would compute verifies and no other header does; a decoded body that the
// server stores encodes to valid JSON and reads back to the same value.

internal import CountersignCore
import CountersignEncoding
internal import CountersignLedger
internal import Foundation

let secret = "It's a Secret to Everybody"

/// `EvidenceRoutes.IncidentBody`.
struct IncidentBody: Decodable {
    var title: String
    var severity: String?
    var deploys: [String]?
}

/// `PayloadCoding.encode` then `PayloadCoding.decode`: what a stored payload reads back as.
func stored<T: Codable>(_ value: T) -> (JSONValue, T)? {
    guard let json = try? JSONValueEncoder().encode(value) else { return nil }
    guard let back = try? JSONValueDecoder().decode(T.self, from: json),
        (try? JSONValueDecoder().decode(T.self, from: json.canonicalBytes)) != nil
    else { return nil }
    return (json, back)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let (head, body) = split(bytes(data, size))
    let event = String(decoding: head, as: UTF8.self)

    let signature = WebhookSignature.sign(body, secret: secret)
    require(WebhookSignature.isValid(signature, body: body, secret: secret), "the server's own signature fails")
    if WebhookSignature.isValid(event, body: body, secret: secret) {
        require(event.lowercased() == signature, "a signature header other than the body's verified: \(event)")
    }

    switch event {
    case "incident":
        _ = try? JSONValueDecoder().decode(IncidentBody.self, from: body)
    case "deploy-request":
        guard let input = try? JSONValueDecoder().decode(DeployRequestInput.self, from: body) else { break }
        guard let (json, back) = stored(input) else {
            fatalError("a deploy request the server accepted cannot be stored: \(input)")
        }
        guard let (again, _) = stored(back) else { fatalError("a stored deploy request cannot be stored again") }
        require(json == again, "a stored deploy request changes when stored again: \(json) → \(again)")
    default:
        guard let payload = try? JSONValue(parsing: body) else { break }
        _ = payload.canonicalBytes
        _ = payload["action"]?.stringValue
        _ = payload["repository"]?["full_name"]?.stringValue
        for key in ["pull_request", "review", "deployment", "deployment_status", "workflow_run"] {
            let member = payload[key]
            _ = member?["number"]?.numberValue
            _ = member?["head"]?["sha"]?.stringValue
            _ = member?["user"]?["login"]?.stringValue
            _ = (member?["labels"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
    }
    return 0
}
