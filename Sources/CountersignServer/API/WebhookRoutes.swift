public import CountersignControl
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
public import Hummingbird

/// `POST /webhooks/github`: authenticated by the delivery's HMAC signature, not a token. Before a byte of the body
/// is read, a delivery without a well-formed signature header is 401, one whose Content-Length exceeds GitHub's
/// 25 MB cap is 413, and one beyond the deliveries being read at once is 429; the body is then read within
/// `JSONBody.timeout` and the signature checked as it streams. A bad signature is 401 and nothing is processed; a
/// delivery seen before (by id, or by the digest of its body) is 200 and processed once.
public struct WebhookRoutes: Sendable {
    let control: ControlPlane
    let reading: ConcurrencyLimit
    /// The PagerDuty v3 webhook subscription's signing secret; `nil` leaves `/webhooks/pagerduty` answering 404.
    let pagerDutySecret: String?
    /// The secret the Opsgenie webhook integration sends as `Authorization: Bearer …`; `nil` leaves
    /// `/webhooks/opsgenie` answering 404.
    let opsgenieSecret: String?

    public init(
        control: ControlPlane, limits: ServerLimits = ServerLimits(), pagerDutySecret: String? = nil,
        opsgenieSecret: String? = nil
    ) {
        self.control = control
        reading = ConcurrencyLimit(limits.webhookBodies, of: "webhook deliveries")
        self.pagerDutySecret = pagerDutySecret
        self.opsgenieSecret = opsgenieSecret
    }

    public func add(to router: Router<ServerRequestContext>) {
        // Incidents from PagerDuty: a signed delivery opens or resolves `pd:<id>`; an unsigned one is 401.
        router.post("webhooks/pagerduty") { request, _ in
            guard let secret = pagerDutySecret else {
                throw ControlError(.notFound, "PagerDuty webhooks are not configured on this server")
            }
            let header = request.headers[.init("X-PagerDuty-Signature")!]
            guard header?.contains("v1=") == true else {
                throw ControlError(.unauthenticated, "X-PagerDuty-Signature is missing or has no v1= signature")
            }
            do throws(LedgerError) { try reading.enter() } catch { throw ControlError(ledger: error) }
            defer { reading.leave() }
            let body = try await JSONBody.bytes(request, limit: 1 << 20)
            guard PagerDutySignature.isValid(header, body: body, secret: secret) else {
                throw ControlError(.unauthenticated, "no X-PagerDuty-Signature signature matches the body")
            }
            return JSONBody.response(.object([("outcome", .string(try await control.handlePagerDuty(body: body)))]))
        }
        // Alerts from Opsgenie, which signs nothing: its integration sends the shared secret as a custom header.
        router.post("webhooks/opsgenie") { request, _ in
            guard let secret = opsgenieSecret else {
                throw ControlError(.notFound, "Opsgenie webhooks are not configured on this server")
            }
            let given = request.headers[.authorization].map { Array($0.utf8) } ?? []
            guard APIToken.constantTimeEquals(given, Array("Bearer \(secret)".utf8)) else {
                throw ControlError(
                    .unauthenticated, "the Opsgenie webhook's Authorization header does not carry the secret")
            }
            do throws(LedgerError) { try reading.enter() } catch { throw ControlError(ledger: error) }
            defer { reading.leave() }
            let body = try await JSONBody.bytes(request, limit: 1 << 20)
            return JSONBody.response(.object([("outcome", .string(try await control.handleOpsgenie(body: body)))]))
        }
        // Approve and Reject clicked in Slack messages: signed by Slack, within five minutes, processed once.
        router.post("webhooks/slack/interactions") { request, _ in
            do throws(LedgerError) { try reading.enter() } catch { throw ControlError(ledger: error) }
            defer { reading.leave() }
            let body = try await JSONBody.bytes(request, limit: 1 << 20)
            let outcome = try await control.handleSlackInteraction(
                timestamp: request.headers[.init("X-Slack-Request-Timestamp")!],
                signature: request.headers[.init("X-Slack-Signature")!], body: body)
            return JSONBody.response(
                .object([
                    ("response_type", "ephemeral"), ("replace_original", .bool(false)), ("text", .string(outcome)),
                ]))
        }
        router.post("webhooks/github") { request, _ in
            guard let github = control.github else {
                throw ControlError(.notFound, "GitHub webhooks are not configured on this server")
            }
            guard
                var check = WebhookSignature.Check(
                    header: request.headers[.init("X-Hub-Signature-256")!], secret: github.webhookSecret)
            else {
                throw ControlError(.unauthenticated, "X-Hub-Signature-256 is missing or is not sha256=<64 hex digits>")
            }
            let limit = ControlPlane.maxWebhookBytes
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
                throw ControlError(.payloadTooLarge, "the delivery's \(declared) bytes exceed GitHub's cap of \(limit)")
            }
            do throws(LedgerError) { try reading.enter() } catch { throw ControlError(ledger: error) }
            defer { reading.leave() }
            let body = try await JSONBody.read(request, limit: limit) { chunk in
                chunk.withUnsafeReadableBytes { check.update($0) }
            }
            guard check.isValid else {
                throw ControlError(.unauthenticated, "the X-Hub-Signature-256 signature does not match the body")
            }
            let outcome = try await control.handleVerifiedGitHub(
                event: request.headers[.init("X-GitHub-Event")!],
                delivery: request.headers[.init("X-GitHub-Delivery")!], body: body)
            return JSONBody.response(.object([("outcome", .string(outcome))]))
        }
    }
}
