internal import AsyncHTTPClient
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Logging
internal import NIOCore
internal import NIOHTTP1
public import ServiceLifecycle

/// Delivers the outbox: every notification queued in the ledger and not yet delivered or abandoned, in order,
/// retried with exponential backoff (1 s doubling to 5 min) until `maxAttempts`. Each attempt is recorded
/// (`notification.attempted`), so delivery survives restarts: the next process picks up what is still pending.
///
/// GitHub callbacks carry the configured token and count 2xx as delivered; a 4xx other than 408/429 is final
/// (GitHub refused it: retrying cannot help, and the callback is not idempotent). JSON webhooks carry
/// `X-Countersign-Signature-256`.
public struct OutboxDeliverer: Service {
    let control: ControlPlane
    let client: HTTPClient
    let pollInterval: Duration
    let logger = Logger(label: "countersign.outbox")

    public init(control: ControlPlane, pollInterval: Duration = .seconds(1)) {
        self.control = control
        self.client = .shared
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        var nextAttempt: [String: ContinuousClock.Instant] = [:]
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { try await deliverDue(&nextAttempt) } catch {
                logger.warning("outbox delivery paused", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// One pass over the pending notifications whose backoff has elapsed; returns how many were attempted.
    @discardableResult
    public func deliverDue(_ nextAttempt: inout [String: ContinuousClock.Instant]) async throws(ControlError) -> Int {
        let pending = try await control.read({ r throws(LedgerError) in try await r.pendingNotifications(limit: 100) })
        var attempted = 0
        for notification in pending {
            let id = notification.id
            if let due = nextAttempt[id], due > .now { continue }
            let attempts = notification.attempts + 1
            let (outcome, error) = await send(
                kind: notification.kind, target: notification.target, body: Array(notification.body.utf8), id: id)
            var final = outcome
            if outcome == .failed, attempts >= control.notifications.maxAttempts { final = .abandoned }
            control.metrics.outboxAttempt(kind: notification.kind, outcome: final.rawValue)
            try await control.record(
                NotificationAttempted(id: id, outcome: final, attempt: attempts, error: error), actor: "countersign")
            nextAttempt[id] = .now + .seconds(min(300, 1 << min(attempts - 1, 9)))
            attempted += 1
        }
        return attempted
    }

    private func send(kind: String, target: String, body: [UInt8], id: String) async
        -> (NotificationAttempted.Outcome, String?)
    {
        var url = target
        if kind == NotificationQueued.Kind.slack.rawValue || kind == NotificationQueued.Kind.teams.rawValue {
            // The outbox names the route; its URL, a secret, is the configuration's.
            guard let route = control.notifications.chats.first(where: { $0.key == target }) else {
                return (.abandoned, "no \(kind) route \(target) is configured any more")
            }
            url = route.url
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "countersign")
        switch kind {
        case NotificationQueued.Kind.githubCallback.rawValue:
            guard let github = control.github else { return (.abandoned, "GitHub is not configured") }
            // Queued only for a callback URL of the configured API (`deploymentCallback`), which names its repository.
            guard let repository = github.callbackRepository(target) else {
                return (.abandoned, "\(target) is not a protection-rule callback of \(github.apiBaseURL)")
            }
            do {
                request.headers.add(name: "Authorization", value: "Bearer \(try await github.token(for: repository))")
            } catch {
                return (.failed, error.message)
            }
            request.headers.add(name: "Accept", value: "application/vnd.github+json")
            request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        case NotificationQueued.Kind.slack.rawValue, NotificationQueued.Kind.teams.rawValue:
            break
        default:
            request.headers.add(
                name: "X-Countersign-Signature-256",
                value: WebhookSignature.sign(body, secret: control.notifications.secret))
            request.headers.add(name: "X-Countersign-Delivery", value: id)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return (.delivered, nil) }
            if (400..<500).contains(code), code != 408, code != 429 { return (.abandoned, "HTTP \(code)") }
            return (.failed, "HTTP \(code)")
        } catch {
            return (.failed, "\(error)")
        }
    }
}
