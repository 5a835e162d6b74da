import CountersignControl
import Foundation
import Yams

/// Where every command's settings come from, in one order for `serve` and every other command alike: a flag, else
/// the environment (`COUNTERSIGN_X`, else `COUNTERSIGN_X_FILE` naming a file that holds the value, else a file
/// named `COUNTERSIGN_X` in the directory `COUNTERSIGN_SECRETS_DIR` — how Kubernetes and Docker mount secrets), else
/// the YAML configuration file (`--config`, else `COUNTERSIGN_CONFIG`), else the default. Secrets come from the
/// environment in any of its three forms and never from a flag (which shows in the process list) or the
/// configuration file (which is checked in): the file refuses them.
struct Settings: Sendable {
    /// The configuration file's keys and the variables they stand for.
    static let keys: [String: String] = [
        "database": "COUNTERSIGN_DATABASE", "auditDatabase": "COUNTERSIGN_AUDIT_DATABASE",
        "policy": "COUNTERSIGN_POLICY", "host": "COUNTERSIGN_HOST", "port": "COUNTERSIGN_PORT",
        "origin": "COUNTERSIGN_ORIGIN", "checkpointKey": "COUNTERSIGN_CHECKPOINT_KEY",
        "checkpointVerifier": "COUNTERSIGN_CHECKPOINT_VERIFIER",
        "publishCheckpoints": "COUNTERSIGN_PUBLISH_CHECKPOINTS",
        "checkpointInterval": "COUNTERSIGN_CHECKPOINT_INTERVAL", "prometheus": "COUNTERSIGN_PROMETHEUS",
        "canaryConfigs": "COUNTERSIGN_CANARY_CONFIGS", "githubAPI": "COUNTERSIGN_GITHUB_API",
        "githubDeployer": "COUNTERSIGN_GITHUB_DEPLOYER", "githubAppID": "COUNTERSIGN_GITHUB_APP_ID",
        "githubAppKeyFile": "COUNTERSIGN_GITHUB_APP_KEY_FILE", "notify": "COUNTERSIGN_NOTIFY",
        "publicURL": "COUNTERSIGN_PUBLIC_URL", "oidcIssuer": "COUNTERSIGN_OIDC_ISSUER",
        "oidcClientID": "COUNTERSIGN_OIDC_CLIENT_ID", "idleTimeout": "COUNTERSIGN_IDLE_TIMEOUT",
        "maxConnections": "COUNTERSIGN_MAX_CONNECTIONS", "storeDeadline": "COUNTERSIGN_STORE_DEADLINE",
        "verificationDeadline": "COUNTERSIGN_VERIFICATION_DEADLINE", "dockerConfig": "COUNTERSIGN_DOCKER_CONFIG",
        "tlsCert": "COUNTERSIGN_TLS_CERT", "tlsKey": "COUNTERSIGN_TLS_KEY", "server": "COUNTERSIGN_SERVER",
        "logFormat": "COUNTERSIGN_LOG_FORMAT", "logLevel": "COUNTERSIGN_LOG_LEVEL",
    ]

    /// The settings that are secrets: from the environment (or a file it names) only.
    static let secrets: Set<String> = [
        "COUNTERSIGN_TOKEN", "COUNTERSIGN_SESSION_KEY", "COUNTERSIGN_GITHUB_WEBHOOK_SECRET",
        "COUNTERSIGN_GITHUB_TOKEN", "COUNTERSIGN_NOTIFY_SECRET", "COUNTERSIGN_SLACK_WEBHOOKS",
        "COUNTERSIGN_TEAMS_WEBHOOKS", "COUNTERSIGN_SLACK_SIGNING_SECRET", "COUNTERSIGN_PAGERDUTY_WEBHOOK_SECRET",
        "COUNTERSIGN_OPSGENIE_WEBHOOK_SECRET", "COUNTERSIGN_OIDC_CLIENT_SECRET", "COUNTERSIGN_PUBLISH_TOKEN",
        "COUNTERSIGN_REGISTRY_PASSWORD",
    ]

    let environment: [String: String]
    /// The configuration file's settings, by variable name; empty without a file.
    let file: [String: String]
    /// Where the file came from, for messages.
    let filePath: String?

    /// Reads the configuration file named by `config`, else `COUNTERSIGN_CONFIG`, if either names one.
    init(config: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        filePath = config ?? environment["COUNTERSIGN_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        file = try filePath.map(Self.read) ?? [:]
    }

    /// A setting: the flag, else the environment (its three forms), else the file.
    func value(_ flag: String?, _ name: String) throws -> String? {
        if let flag { return flag }
        if let value = try fromEnvironment(name) { return value }
        return file[name]
    }

    /// A secret: the environment in its three forms only.
    func secret(_ name: String) throws -> String? { try fromEnvironment(name) }

    /// Whether the setting was given anywhere but its default: a flag, the environment or the file.
    func isSet(_ flag: String?, _ name: String) throws -> Bool { try value(flag, name) != nil }

    private func fromEnvironment(_ name: String) throws -> String? {
        if let value = environment[name], !value.isEmpty { return value }
        if let path = environment[name + "_FILE"], !path.isEmpty {
            return try Self.secretFile(path, for: name + "_FILE")
        }
        if let directory = environment["COUNTERSIGN_SECRETS_DIR"], !directory.isEmpty {
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path) { return try Self.secretFile(path, for: name) }
        }
        return nil
    }

    /// A value kept in a file: its text without the trailing newline an editor or `kubectl create secret
    /// --from-file` leaves. A file that cannot be read is an error naming it, never an unset setting.
    static func secretFile(_ path: String, for name: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw ControlError(.badRequest, "\(name): cannot read \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    /// The settings of a YAML configuration file, as the variables they stand for. Unknown keys and secrets are
    /// refused.
    static func read(_ path: String) throws -> [String: String] {
        let loaded: Any?
        let text = try readFile(path)
        do { loaded = try Yams.load(yaml: text) } catch {
            throw ControlError(.badRequest, "\(path): not valid YAML: \(error)")
        }
        guard let mapping = loaded as? [String: Any] else {
            throw ControlError(.badRequest, "\(path): the configuration must be a mapping of settings")
        }
        var settings: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = keys[key] else {
                throw ControlError(.badRequest, "\(path): unknown setting \(key) (secrets belong in the environment)")
            }
            if let list = value as? [Any] {
                settings[name] = list.map { "\($0)" }.joined(separator: ",")
            } else {
                settings[name] = "\(value)"
            }
        }
        return settings
    }
}
