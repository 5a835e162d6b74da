internal import CountersignLedger
public import Hummingbird

/// `POST /webhooks/github`: authenticated by the delivery's HMAC signature, not a token. A bad or missing
/// signature is 401 and nothing is processed; a replayed delivery id is 200 and processed once.
public struct WebhookRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    public func add(to router: Router<ServerRequestContext>) {
        router.post("webhooks/github") { request, _ in
            let body = try await JSONBody.bytes(request, limit: ControlPlane.maxWebhookBytes)
            let outcome = try await control.handleGitHub(
                event: request.headers[.init("X-GitHub-Event")!],
                delivery: request.headers[.init("X-GitHub-Delivery")!],
                signature: request.headers[.init("X-Hub-Signature-256")!], body: body)
            return JSONBody.response(.object([("outcome", .string(outcome))]))
        }
    }
}
