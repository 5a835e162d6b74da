public import CountersignCanary
public import CountersignControl
internal import CountersignEncoding
public import CountersignLedger
public import CountersignSupplyChain
internal import Foundation
public import Hummingbird
internal import HummingbirdCore
internal import HummingbirdTLS
internal import Logging
internal import NIOCore
public import ServiceLifecycle

/// The parts a running server is built from; `countersign serve` and the tests build exactly this.
public struct ServerComponents: Sendable {
    public var control: ControlPlane
    /// Signs ledger checkpoints; `nil` disables `POST /api/v1/ledger/checkpoint`.
    public var signer: NoteSigner?
    /// Where each signed checkpoint is published outside the database (`--publish-checkpoints`); `nil`: nowhere.
    public var publication: CheckpointPublication?
    /// Serves the Kayenta API; `nil` leaves `/kayenta` unmounted.
    public var kayenta: KayentaAPI?
    /// Verifies artifacts against their registries (`POST /api/v1/artifacts/verify`); `nil` answers 404.
    public var verifier: RegistryVerifier?
    /// The organisation's identity provider the web UI signs people in through; `nil`: API-token sign-in only.
    public var identityProvider: OIDCProvider?
    /// The PagerDuty v3 webhook secret; `nil` leaves `/webhooks/pagerduty` unconfigured.
    public var pagerDutySecret: String?
    /// The shared secret of `/webhooks/opsgenie` (Opsgenie's integration sends it as `Authorization: Bearer …`).
    public var opsgenieSecret: String?
    /// The development identity provider of `serve --demo`, mounted at `/demo-idp`; `nil` everywhere else.
    public var demoIdentityProvider: DemoIdentityProvider?

    public init(
        control: ControlPlane, signer: NoteSigner? = nil, kayenta: KayentaAPI? = nil, verifier: RegistryVerifier? = nil,
        identityProvider: OIDCProvider? = nil, pagerDutySecret: String? = nil
    ) {
        self.pagerDutySecret = pagerDutySecret
        self.control = control
        self.signer = signer
        self.kayenta = kayenta
        self.verifier = verifier
        self.identityProvider = identityProvider
    }
}

/// The router: `/health` open, `/api/v1` behind bearer tokens, `/kayenta/{token}` for Argo.
public func buildRouter(
    configuration: ServerConfiguration, components: ServerComponents
) -> Router<ServerRequestContext> {
    let router = Router(context: ServerRequestContext.self)
    let control = components.control
    // Outermost: a span per request (continuing a caller's `traceparent`), then its access-log line and metrics,
    // written inside the span, so the line carries its trace id.
    router.add(middleware: TracingMiddleware())
    router.add(middleware: AccessLogMiddleware(metrics: control.metrics))
    router.add(middleware: ErrorShapeMiddleware())
    router.add(middleware: StoreBudgetMiddleware(limit: configuration.limits.storeDeadline))
    // Liveness: the process answers. `/health` is the older name of the same probe; readiness is `/readyz`.
    for path in ["health", "livez"] {
        router.get(RouterPath(path)) { _, _ in
            JSONBody.response(.object([("status", .string("ok")), ("version", .string(BuildInfo.version))]))
        }
    }
    // Ready when the store answers a read within its deadline and takes writes: a full disk or read-only file fails
    // writes while reads still work, so after an append failed for the store's sake a probe write must succeed
    // (not a real append, which a node taken out of service would never get). /health stays the liveness probe.
    router.get("readyz") { _, _ in
        do throws(LedgerError) {
            let size = try await control.store.size()
            if let failure = control.health.lastWriteFailure {
                let unavailable = { (reason: String) in
                    JSONBody.response(
                        .object([
                            ("status", .string("unavailable")), ("reason", .string("writes fail: \(reason)")),
                            ("since", .string(RFC3339.string(failure.at, fraction: .milliseconds))),
                        ]), status: .serviceUnavailable)
                }
                let (allowed, lastFailure) = control.health.mayProbe(at: Date())
                guard allowed else { return unavailable(lastFailure ?? failure.message) }
                do throws(LedgerError) {
                    try await control.store.probeWrite()
                    control.health.probed(nil, at: Date())
                } catch {
                    control.health.probed(error, at: Date())
                    return unavailable(error.message)
                }
            }
            return JSONBody.response(.object([("status", .string("ready")), ("size", .number(Double(size)))]))
        } catch {
            return JSONBody.response(
                .object([("status", .string("unavailable")), ("reason", .string(error.message))]),
                status: .serviceUnavailable)
        }
    }
    router.get("openapi.yaml") { _, _ in
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = FileManager.default.contents(atPath: url.path)
        else { throw ControlError(.internal, "the OpenAPI document is missing from the build") }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    router.get("metrics") { _, _ in
        if let size = try? await control.store.size() { control.metrics.ledgerSize(size) }
        if let backlog = try? await control.read({ r throws(LedgerError) in try await r.outboxBacklog() }) {
            control.metrics.outbox(pending: backlog.pending, abandoned: backlog.abandoned)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: control.metrics.exposition())))
    }
    let api = router.group("api/v1").add(middleware: TokenAuthenticator(control: control))
        .add(middleware: RefusalMiddleware(control: control))
        .add(middleware: IdempotencyMiddleware(control: control))
    TokenRoutes(control: control).add(to: api)
    DeployRequestRoutes(control: control).add(to: api)
    DeployRoutes(control: control).add(to: api)
    CheckRoutes(control: control).add(to: api)
    EvidenceRoutes(control: control, verifier: components.verifier).add(to: api)
    PolicyRoutes(control: control).add(to: api)
    MetricsRoutes(control: control).add(to: api)
    let checkpoints = components.signer.map {
        CheckpointSigner(
            store: control.store, signer: $0, origin: configuration.origin, publication: components.publication,
            interval: nil, metrics: control.metrics)
    }
    LedgerRoutes(control: control, checkpoints: checkpoints).add(to: api)
    WebhookRoutes(
        control: control, limits: configuration.limits, pagerDutySecret: components.pagerDutySecret,
        opsgenieSecret: components.opsgenieSecret
    ).add(
        to: router)
    AdmissionRoutes(control: control).add(to: router)
    WebPages(control: control, configuration: configuration, provider: components.identityProvider).add(to: router)
    if let demo = components.demoIdentityProvider {
        DemoIdentityProviderRoutes(provider: demo, control: control).add(to: router)
    }
    if let kayenta = components.kayenta {
        KayentaRoutes(control: control, api: kayenta).add(to: router)
    }
    return router
}

/// The application: the router on `configuration`'s address, with `services` (a PostgreSQL client, say) run
/// beside it in one service group and shut down gracefully with it on SIGTERM or SIGINT.
/// With `tls`, it serves HTTPS (a Kubernetes admission webhook is called over HTTPS only), the certificate followed
/// as it is rotated.
public func buildApplication(
    configuration: ServerConfiguration, components: ServerComponents, services: [any Service] = [],
    tls: CertificateReloader? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let logger = Logger(label: "countersign")
    let limits = configuration.limits
    let connections = ConnectionLimiter.Count(limit: limits.maxConnections)
    let (seconds, attoseconds) = limits.idleTimeout.components
    let idle = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    let http: HTTPServerBuilder = .http1(
        configuration: .init(additionalChannelHandlers: [ConnectionLimiter(connections)], idleTimeout: idle))
    // A TLS configuration swift-nio-ssl cannot build is an error, never a fallback to plain HTTP.
    let server = try tls.map { try HTTPServerBuilder.tls(http, tlsConfiguration: $0.configuration) } ?? http
    return Application(
        router: buildRouter(configuration: configuration, components: components),
        server: server,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "countersign"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
