import ArgumentParser
import AsyncHTTPClient
import CountersignCanary
import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignPostgres
import CountersignSQLite
import CountersignServer
import CountersignSupplyChain
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Yams

/// `countersign serve`: the control plane's HTTP server, on the embedded default with no flags.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the control plane: the HTTP API, the Kayenta endpoints, the ledger.",
        discussion: """
            Every option can also come from the environment: COUNTERSIGN_DATABASE, COUNTERSIGN_AUDIT_DATABASE, \
            COUNTERSIGN_POLICY, \
            COUNTERSIGN_HOST, COUNTERSIGN_PORT, COUNTERSIGN_ORIGIN, COUNTERSIGN_CHECKPOINT_KEY, \
            COUNTERSIGN_PUBLISH_CHECKPOINTS, COUNTERSIGN_CHECKPOINT_INTERVAL, \
            COUNTERSIGN_PROMETHEUS, COUNTERSIGN_CANARY_CONFIGS, COUNTERSIGN_GITHUB_API, COUNTERSIGN_GITHUB_DEPLOYER, \
            COUNTERSIGN_GITHUB_APP_ID, COUNTERSIGN_GITHUB_APP_KEY_FILE, COUNTERSIGN_NOTIFY (comma-separated URLs), COUNTERSIGN_PUBLIC_URL, COUNTERSIGN_IDLE_TIMEOUT, \
            COUNTERSIGN_MAX_CONNECTIONS, COUNTERSIGN_STORE_DEADLINE, COUNTERSIGN_VERIFICATION_DEADLINE, \
            COUNTERSIGN_DOCKER_CONFIG, COUNTERSIGN_TLS_CERT, COUNTERSIGN_TLS_KEY, COUNTERSIGN_LOG_FORMAT, \
            COUNTERSIGN_LOG_LEVEL (each also as COUNTERSIGN_X_FILE or a file in COUNTERSIGN_SECRETS_DIR); traces go \
            to an OpenTelemetry collector when OTEL_EXPORTER_OTLP_ENDPOINT is set; and from a YAML file (--config or \
            COUNTERSIGN_CONFIG) with the same names in camelCase (database, auditDatabase, policy, host, port, origin, \
            checkpointKey, publishCheckpoints, checkpointInterval, prometheus, canaryConfigs, githubAPI, githubDeployer, githubAppID, githubAppKeyFile, notify, publicURL, oidcIssuer, oidcClientID, idleTimeout, \
            maxConnections, storeDeadline, verificationDeadline, dockerConfig, tlsCert, tlsKey). A flag wins over the environment, which wins over the file. Secrets come \
            from the \
            environment only, never flags: COUNTERSIGN_GITHUB_WEBHOOK_SECRET enables /webhooks/github, with a GitHub \
            App (--github-app-id and --github-app-key: installation tokens made from the App's private key) or \
            COUNTERSIGN_GITHUB_TOKEN (a fixed token); COUNTERSIGN_NOTIFY_SECRET signs outbound notifications; COUNTERSIGN_OIDC_CLIENT_SECRET is \
            the OpenID Connect client's secret; COUNTERSIGN_PAGERDUTY_WEBHOOK_SECRET enables /webhooks/pagerduty; \
            COUNTERSIGN_SLACK_WEBHOOKS and COUNTERSIGN_TEAMS_WEBHOOKS (comma-separated URL, ENVIRONMENT=URL or \
            team:TEAM=URL incoming webhooks) post decisions to chat, and COUNTERSIGN_SLACK_SIGNING_SECRET takes Approve \
            and Reject from Slack at /webhooks/slack/interactions; COUNTERSIGN_OPSGENIE_WEBHOOK_SECRET (32 or more \
            characters, sent by Opsgenie as Authorization: Bearer …) enables /webhooks/opsgenie; COUNTERSIGN_SESSION_KEY (32 or \
            more characters, the same on every node) signs the web UI's sign-in forms.
            The policy in force is the one last published in the ledger (the file is used directly only on a fresh
            ledger); SIGHUP stages a changed file, which takes effect once an admin proposes it
            (POST /api/v1/policy/proposals) and a different person approves it. SIGTERM and SIGINT shut down
            gracefully. Bootstrap the first admin with `countersign tokens create --identity NAME --role admin`.
            """)

    @Option(help: "A YAML configuration file (see the discussion for its keys).") var config: String?
    @Option(help: "The ledger: a SQLite file path or a postgres:// URL (default ./countersign.db).")
    var database: String?
    @Option(help: "PostgreSQL: the URL of the SELECT-only role audit queries log in as (`ledger audit-grants`).")
    var auditDatabase: String?
    @Option(help: "The policy file or directory (default examples/policy).") var policy: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (default 8080).") var port: Int?
    @Option(help: "Checkpoint origin line (default countersign.local/ledger).") var origin: String?
    @Option(help: "A note signing key from `keys generate`, to sign checkpoints.") var checkpointKey: String?
    @Option(
        help: """
            Where each signed checkpoint is published outside the database: a directory or an http(s) URL (PUT; \
            COUNTERSIGN_PUBLISH_TOKEN is its bearer token). Publication refuses a checkpoint that does not extend the \
            published one.
            """)
    var publishCheckpoints: String?
    @Option(
        help:
            "With --checkpoint-key: seconds between checkpoints while the log grows; 0 signs only on request (default 60)."
    )
    var checkpointInterval: Int?
    @Option(help: "Prometheus base URL; enables the Kayenta API at /kayenta/{token}.") var prometheus: String?
    @Option(help: "A directory of Kayenta canary-config JSON files served by the Kayenta API.")
    var canaryConfigs: String?
    @Option(help: "GitHub API root for protection-rule callbacks (default https://api.github.com).")
    var githubAPI: String?
    @Option(help: "The identity that deploys GitHub Actions runs (default: the run's sender).")
    var githubDeployer: String?
    @Option(help: "The GitHub App's id (or client id), with --github-app-key.") var githubAppID: String?
    @Option(help: "The GitHub App's private key, a PEM file as GitHub issues it.") var githubAppKey: String?
    @Option(help: "Seconds a connection may send nothing before it is closed (default 30).") var idleTimeout: Int?
    @Option(help: "Connections open at once; more are closed on accept (default 1024).") var maxConnections: Int?
    @Option(help: "Seconds every store call on the request path may take before it is a 503 (default 5).")
    var storeDeadline: Int?
    @Option(help: "Seconds one artifact verification may take in all, whatever the layers (default 60).")
    var verificationDeadline: Int?
    @Option(
        help: """
            Registry credentials: Docker's config.json or a mounted Kubernetes .dockerconfigjson (the file, or the \
            directory it is mounted in).
            """)
    var dockerConfig: String?
    @Option(help: "Log lines as text or json, on standard error (COUNTERSIGN_LOG_FORMAT; default text).")
    var logFormat: String?
    @Option(
        help:
            "The least severe level logged: trace, debug, info, notice, warning, error, critical (COUNTERSIGN_LOG_LEVEL; default info)."
    )
    var logLevel: String?
    @Option(help: "A PEM certificate chain to serve HTTPS with (with --tls-key); reloaded when the file changes.")
    var tlsCert: String?
    @Option(help: "The certificate's PEM private key.") var tlsKey: String?
    @Option(name: .customLong("notify"), help: "A URL to POST JSON notifications to (repeatable).")
    var notify: [String] = []
    @Option(
        help: """
            The URL people reach the server at, e.g. https://countersign.example.com behind a TLS proxy: the web UI \
            accepts forms only from its origin and marks cookies Secure when it is https (default: loopback only).
            """)
    var publicURL: String?
    @Option(
        help: """
            The organisation's OpenID Connect issuer people sign in through (https; http only on loopback). Needs \
            --oidc-client-id, COUNTERSIGN_OIDC_CLIENT_SECRET and --public-url (the redirect URI is \
            PUBLIC-URL/ui/sign-in/callback).
            """)
    var oidcIssuer: String?
    @Option(help: "This server's client id at the OpenID Connect provider.") var oidcClientId: String?
    @Flag(
        help: """
            Seed an empty ledger with 90 days of demo history for the example policy and print sign-in tokens \
            (an existing ledger is served as it is).
            """)
    var demo = false
    @Option(
        help: """
            With --demo: when the demo's history ends (RFC 3339; default now). Pinned, the demo is the same on every \
            run — its counts and the DORA figures for a fixed period do not move with the date.
            """)
    var demoUntil: String?

    func run() async throws {
        let demoEnd = try demoUntil.map { try parseTime($0, "--demo-until") } ?? Date()
        let resolved = try Settings(config: config)
        // Before anything logs: the format and level of every line, and traces when a collector is configured.
        let formatName = try resolved.value(logFormat, "COUNTERSIGN_LOG_FORMAT") ?? "text"
        guard let format = Telemetry.LogFormat(rawValue: formatName) else {
            throw ValidationError("the log format must be text or json, got \(formatName)")
        }
        let levelName = try resolved.value(logLevel, "COUNTERSIGN_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError(
                "the log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \(levelName)"
            )
        }
        let tracing: (any Service)?
        do {
            tracing = try Telemetry.bootstrap(
                format: format, level: level, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let database = try resolved.value(self.database, "COUNTERSIGN_DATABASE") ?? "./countersign.db"
        let auditDatabase = try resolved.value(self.auditDatabase, "COUNTERSIGN_AUDIT_DATABASE")
        let policyPath = try resolved.value(self.policy, "COUNTERSIGN_POLICY") ?? "examples/policy"
        var configuration = ServerConfiguration()
        configuration.host = try resolved.value(host, "COUNTERSIGN_HOST") ?? configuration.host
        if let raw = try resolved.value(port.map(String.init), "COUNTERSIGN_PORT") {
            guard let p = Int(raw), (0...65535).contains(p) else {
                throw ValidationError("the port must be 0–65535, got \(raw)")
            }
            configuration.port = p
        }
        configuration.origin = try resolved.value(origin, "COUNTERSIGN_ORIGIN") ?? configuration.origin
        func setting(_ flag: Int?, _ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let raw = try resolved.value(flag.map(String.init), name) else { return nil }
            guard let n = Int(raw), range.contains(n) else {
                throw ValidationError(
                    "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(raw)")
            }
            return n
        }
        if let s = try setting(idleTimeout, "COUNTERSIGN_IDLE_TIMEOUT", 1...3600) {
            configuration.limits.idleTimeout = .seconds(s)
        }
        if let n = try setting(maxConnections, "COUNTERSIGN_MAX_CONNECTIONS", 1...1_000_000) {
            configuration.limits.maxConnections = n
        }
        if let s = try setting(storeDeadline, "COUNTERSIGN_STORE_DEADLINE", 1...60) {
            configuration.limits.storeDeadline = .seconds(s)
        }
        var registry = RegistryConfiguration()
        if let s = try setting(verificationDeadline, "COUNTERSIGN_VERIFICATION_DEADLINE", 1...3600) {
            registry.verificationDeadline = .seconds(s)
        }
        var tls: CertificateReloader? = nil
        switch (try resolved.value(tlsCert, "COUNTERSIGN_TLS_CERT"), try resolved.value(tlsKey, "COUNTERSIGN_TLS_KEY"))
        {
        case (let certificate?, let key?):
            // Read now, so a bad pair refuses to start with the file named rather than failing every handshake.
            do { tls = try CertificateReloader(certificatePath: certificate, keyPath: key) } catch {
                throw ValidationError("\(error)")
            }
        case (nil, nil): break
        default: throw ValidationError("TLS needs both --tls-cert and --tls-key")
        }
        let tlsReloader = tls
        if let path = try resolved.value(dockerConfig, "COUNTERSIGN_DOCKER_CONFIG") {
            do { registry.credentials = try DockerConfig.credentials(atPath: path) } catch {
                throw ValidationError(error.reason)
            }
        }
        let registryConfiguration = registry
        if let url = try resolved.value(publicURL, "COUNTERSIGN_PUBLIC_URL") {
            do { configuration.publicURL = try PublicURL(parsing: url) } catch {
                throw ValidationError(error.message)
            }
        }
        if let key = try resolved.secret("COUNTERSIGN_SESSION_KEY") {
            guard key.utf8.count >= 32 else {
                throw ValidationError(
                    "COUNTERSIGN_SESSION_KEY must be at least 32 characters (openssl rand -base64 32)")
            }
            configuration.sessionKey = Array(key.utf8)
        }

        for warning in Self.webWarnings(configuration, database: database) { printError("countersign: \(warning)") }
        var organisationProvider = try Self.identityProvider(
            issuer: try resolved.value(oidcIssuer, "COUNTERSIGN_OIDC_ISSUER"),
            clientID: try resolved.value(oidcClientId, "COUNTERSIGN_OIDC_CLIENT_ID"),
            secret: try resolved.secret("COUNTERSIGN_OIDC_CLIENT_SECRET"), configuration: configuration)

        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(path: policyPath) } catch {
            throw ControlError(.badRequest, "\(policyPath): \(error)")
        }
        // The demo's people sign in through its own development provider, unless an organisation's is configured.
        var demoIdentityProvider: DemoIdentityProvider?
        if demo && organisationProvider == nil {
            let provider = try await DemoIdentityProvider(
                origin: try Self.demoOrigin(configuration), policy: bundle)
            organisationProvider = OIDCProvider(settings: try provider.settings())
            demoIdentityProvider = provider
        }
        let identityProvider = organisationProvider
        let demoProvider = demoIdentityProvider
        let signer = try (try resolved.value(checkpointKey, "COUNTERSIGN_CHECKPOINT_KEY")).map(loadSigner)
        let publication = try (try resolved.value(publishCheckpoints, "COUNTERSIGN_PUBLISH_CHECKPOINTS")).map {
            try CheckpointPublication($0, token: try resolved.secret("COUNTERSIGN_PUBLISH_TOKEN"))
        }
        if publication != nil && signer == nil {
            throw ValidationError("--publish-checkpoints needs --checkpoint-key: only signed checkpoints are published")
        }
        let interval = try setting(checkpointInterval, "COUNTERSIGN_CHECKPOINT_INTERVAL", 0...86_400) ?? 60
        let prometheus = try resolved.value(self.prometheus, "COUNTERSIGN_PROMETHEUS")
        let configsPath = try resolved.value(canaryConfigs, "COUNTERSIGN_CANARY_CONFIGS")
        let configs = try configsPath.map(Self.loadCanaryConfigs) ?? []

        var githubSettings: GitHubConfiguration?
        if let secret = try resolved.secret("COUNTERSIGN_GITHUB_WEBHOOK_SECRET"), !secret.isEmpty {
            let api = try resolved.value(githubAPI, "COUNTERSIGN_GITHUB_API") ?? "https://api.github.com"
            let appID = try resolved.value(githubAppID, "COUNTERSIGN_GITHUB_APP_ID")
            let appKey = try resolved.value(githubAppKey, "COUNTERSIGN_GITHUB_APP_KEY_FILE")
            let token = try resolved.secret("COUNTERSIGN_GITHUB_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
            let credentials: GitHubConfiguration.Credentials
            switch (appID, appKey, token) {
            case (let id?, let key?, nil):
                credentials = .app(
                    try await GitHubApp(appID: id, privateKeyPEM: try readFile(key), apiBaseURL: api))
            case (nil, nil, let token?):
                credentials = .token(token)
            case (nil, nil, nil):
                throw ValidationError(
                    "COUNTERSIGN_GITHUB_WEBHOOK_SECRET is set but there are no GitHub credentials: a GitHub App "
                        + "(--github-app-id and --github-app-key) or COUNTERSIGN_GITHUB_TOKEN")
            case (_, _, .some) where appID != nil || appKey != nil:
                throw ValidationError("use a GitHub App or COUNTERSIGN_GITHUB_TOKEN, not both")
            default:
                throw ValidationError("a GitHub App needs both --github-app-id and --github-app-key")
            }
            githubSettings = GitHubConfiguration(
                webhookSecret: secret, apiBaseURL: api, credentials: credentials,
                deployer: try resolved.value(githubDeployer, "COUNTERSIGN_GITHUB_DEPLOYER"))
        }
        let urls =
            notify.isEmpty
            ? (try resolved.value(nil, "COUNTERSIGN_NOTIFY") ?? "").split(separator: ",").map(String.init) : notify
        let notifySecret = try resolved.secret("COUNTERSIGN_NOTIFY_SECRET") ?? ""
        if !urls.isEmpty && notifySecret.isEmpty {
            throw ValidationError("--notify needs COUNTERSIGN_NOTIFY_SECRET to sign the notifications")
        }
        var chats: [ChatRoute] = []
        for (variable, service) in [
            ("COUNTERSIGN_SLACK_WEBHOOKS", ChatRoute.Service.slack), ("COUNTERSIGN_TEAMS_WEBHOOKS", .teams),
        ] {
            for route in (try resolved.secret(variable) ?? "").split(separator: ",") {
                chats.append(try ChatRoute(route.trimmingCharacters(in: .whitespaces), service: service))
            }
        }
        let notifications = NotificationSettings(
            urls: urls, secret: notifySecret, chats: chats, publicURL: configuration.publicURL?.origin,
            slackSigningSecret: try resolved.secret("COUNTERSIGN_SLACK_SIGNING_SECRET").flatMap {
                $0.isEmpty ? nil : $0
            })
        let pagerDutySecret = try resolved.secret("COUNTERSIGN_PAGERDUTY_WEBHOOK_SECRET").flatMap {
            $0.isEmpty ? nil : $0
        }
        let opsgenieSecret = try resolved.secret("COUNTERSIGN_OPSGENIE_WEBHOOK_SECRET").flatMap {
            $0.isEmpty ? nil : $0
        }
        if let opsgenieSecret, opsgenieSecret.utf8.count < 32 {
            throw ValidationError(
                "COUNTERSIGN_OPSGENIE_WEBHOOK_SECRET must be 32 characters or more: it is the whole credential")
        }
        let github = githubSettings
        let settings = configuration
        let store = StoreOptions(database: database)
        try await store.withStore(audit: auditDatabase, creating: .always) { ledger in
            let control = ControlPlane(
                store: DeadlineStore(ledger, limit: settings.limits.storeDeadline),
                policy: PolicyHolder(bundle, path: policyPath), github: github,
                notifications: notifications)
            var components = ServerComponents(
                control: control, signer: signer,
                verifier: Self.verifier(bundle: bundle, policyPath: policyPath, registry: registryConfiguration),
                identityProvider: identityProvider)
            components.pagerDutySecret = pagerDutySecret
            components.publication = publication
            let checkpoints = signer.map {
                CheckpointSigner(
                    store: control.store, signer: $0, origin: settings.origin, publication: publication,
                    interval: interval == 0 ? nil : .seconds(interval), metrics: control.metrics)
            }
            components.opsgenieSecret = opsgenieSecret
            components.demoIdentityProvider = demoProvider
            if let prometheus {
                do { components.kayenta = try control.kayenta(configurations: configs, prometheus: prometheus) } catch {
                    throw ControlError(.badRequest, "--canary-configs: \(error)")
                }
            }
            do {
                if let note = try await control.bootstrapPolicy() { printError("countersign: \(note)") }
                if demo { try await Self.seedDemo(control, until: demoEnd) }
            } catch let error as LedgerError {
                throw ControlError(ledger: error)
            }
            let scheme = tlsReloader == nil ? "http" : "https"
            let app = try buildApplication(
                configuration: settings, components: components,
                services: (tracing.map { [$0] } ?? []) + [
                    PolicyReloader(control: control), OutboxDeliverer(control: control),
                ]
                    + (components.kayenta.map { [$0.service] } ?? []) + (checkpoints.map { [$0] } ?? []),
                tls: tlsReloader
            ) { port in
                // Written straight to the descriptor so it shows at once even when stdout is a pipe.
                FileHandle.standardOutput.write(
                    Data("countersign: listening on \(scheme)://\(settings.host):\(port) (ledger \(database))\n".utf8))
            }
            try await app.runService()
        }
    }

    /// The identity provider people sign in through, when an issuer is configured: its client id, its secret (from
    /// the environment only) and a redirect URI under the public URL are then required.
    static func identityProvider(
        issuer: String?, clientID: String?, secret: String?, configuration: ServerConfiguration
    ) throws -> OIDCProvider? {
        guard let issuer, !issuer.isEmpty else { return nil }
        guard let clientID, !clientID.isEmpty else { throw ValidationError("--oidc-issuer needs --oidc-client-id") }
        guard let secret, !secret.isEmpty else {
            throw ValidationError("--oidc-issuer needs COUNTERSIGN_OIDC_CLIENT_SECRET (a secret: never a flag)")
        }
        guard let publicURL = configuration.publicURL else {
            throw ValidationError(
                "--oidc-issuer needs --public-url: the provider sends people back to PUBLIC-URL/ui/sign-in/callback")
        }
        return OIDCProvider(
            settings: try OIDCSettings(
                issuer: issuer, clientID: clientID, clientSecret: secret,
                redirectURI: publicURL.origin + "/ui/sign-in/callback"))
    }

    /// Where the demo's identity provider and its one client live: the public URL, else the address served on (a
    /// wildcard address as loopback). The port must be known before the server starts, so it cannot be 0.
    static func demoOrigin(_ configuration: ServerConfiguration) throws -> String {
        if let url = configuration.publicURL { return url.origin }
        guard configuration.port != 0 else {
            throw ValidationError("--demo signs people in at its own address: give a --port other than 0")
        }
        let host = ["0.0.0.0", "::", "[::]"].contains(configuration.host) ? "127.0.0.1" : configuration.host
        return "http://\(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host):\(configuration.port)"
    }

    /// Seeds the demo history on a fresh ledger and prints the deploy bot's token; people sign in through the
    /// demo's identity provider. An existing ledger is left as it is.
    static func seedDemo(_ control: ControlPlane, until end: Date) async throws {
        guard try await control.store.size() <= 1 else {
            printError(
                "countersign: --demo: the ledger already has history; serving it (create tokens with `countersign tokens create`)"
            )
            return
        }
        let needed = ["alice", "bob", "carol", "dave", "erin", "frank", "deploy-bot", "ci-builder"]
        let missing = needed.filter { control.policy.bundle.identity($0) == nil }
        guard missing.isEmpty else {
            throw ControlError(
                .badRequest,
                "--demo needs the example policy (examples/policy); this one lacks \(missing.joined(separator: ", "))")
        }
        printError("countersign: --demo: seeding 90 days of history…")
        let summary = try await DemoHistory(store: control.store, policy: control.policy, end: end).seed()
        printError(
            "countersign: --demo: \(summary.requests) requests, \(summary.deploys) deploys, \(summary.incidents) "
                + "incidents, \(summary.pending) waiting for approval")
        // People sign in through the demo's identity provider and mint their own tokens there; only the automation's
        // token is the host's to issue.
        let token = try await control.createToken(
            identity: "deploy-bot", role: .deployer, issuer: .host(user: "demo-seed"))
        FileHandle.standardOutput.write(
            Data("countersign: demo token for deploy-bot (deployer): \(token.secret)\n".utf8))
        FileHandle.standardOutput.write(
            Data(
                "countersign: people sign in at /ui/sign-in through the demo's identity provider (/demo-idp)\n".utf8))
    }

    /// What an operator should know about the web UI's settings: a server reachable beyond loopback without a
    /// public URL accepts no forms (and so no sign-in), an http public URL sends cookies in the clear, and nodes
    /// sharing PostgreSQL without one session key refuse sign-in forms another node served.
    static func webWarnings(_ configuration: ServerConfiguration, database: String) -> [String] {
        var warnings: [String] = []
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(configuration.host)
        if configuration.publicURL == nil && !loopback {
            warnings.append(
                "listening on \(configuration.host) without --public-url: the web UI accepts forms only from "
                    + "loopback origins, so no one can sign in from elsewhere")
        }
        if let url = configuration.publicURL, !url.isSecure,
            !["127.0.0.1", "localhost", "[::1]"].contains(url.host)
        {
            warnings.append("the public URL \(url) is not https: session cookies cross the network unencrypted")
        }
        if database.hasPrefix("postgres"), configuration.sessionKey == nil {
            warnings.append(
                "COUNTERSIGN_SESSION_KEY is not set: each node signs its own sign-in forms, so behind a load "
                    + "balancer without sticky sessions a sign-in can be refused; set the same key on every node")
        }
        return warnings
    }

    /// Registry verification under the policy's ArtifactPolicies, when their keys can be read. Without it the
    /// server still runs — decisions that need verification stay pending, which fails closed — and says why.
    static func verifier(
        bundle: PolicyBundle, policyPath: String, registry: RegistryConfiguration = RegistryConfiguration()
    ) -> RegistryVerifier? {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: policyPath, isDirectory: &isDirectory)
        let directory =
            isDirectory.boolValue ? policyPath : URL(fileURLWithPath: policyPath).deletingLastPathComponent().path
        do {
            let policies = try VerificationPolicy.all(in: bundle, keyDirectory: directory)
            guard !policies.isEmpty else { return nil }
            return RegistryVerifier(
                client: RegistryClient(httpClient: .shared, configuration: registry), policies: policies,
                cache: VerificationCache())
        } catch {
            printError("countersign: artifact verification is off: \(error.reason)")
            return nil
        }
    }

    static func loadCanaryConfigs(_ path: String) throws -> [CanaryConfiguration] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path))?.filter { $0.hasSuffix(".json") }
        guard let files else {
            throw ControlError(.badRequest, "--canary-configs: cannot read directory \(path)")
        }
        return try files.sorted().map { file in
            do { return try CanaryConfiguration.decode(json: Data(try readFile("\(path)/\(file)").utf8)) } catch {
                throw ControlError(.badRequest, "\(path)/\(file): \(error)")
            }
        }
    }
}
