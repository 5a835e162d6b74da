import ArgumentParser
import CountersignClient
import CountersignControl
import Foundation

/// Where the client commands reach a server, and as whom: `--server`/`COUNTERSIGN_SERVER` and
/// `--token`/`COUNTERSIGN_TOKEN` (the environment is the place for a token: a flag shows in the process list; also
/// `COUNTERSIGN_TOKEN_FILE` or the secrets directory, as ``Settings`` reads every secret). In a
/// GitHub Actions job with `id-token: write` and no token, the job's own OIDC ID token, for
/// `--audience`/`COUNTERSIGN_AUDIENCE` (default: the server's URL) — no long-lived secret in the pipeline.
struct ServerOptions: ParsableArguments {
    @Option(help: "The server's URL (COUNTERSIGN_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(help: "An API token (COUNTERSIGN_TOKEN, which is the better place for it).") var token: String?
    @Option(help: "In GitHub Actions without a token: the audience of the job's OIDC token (COUNTERSIGN_AUDIENCE).")
    var audience: String?
    @Option(help: "A YAML configuration file, as `serve` reads it (default COUNTERSIGN_CONFIG); its `server` is used.")
    var config: String?

    func client() async throws -> APIClient {
        let env = ProcessInfo.processInfo.environment
        let settings = try Settings(config: config)
        let base = try settings.value(server, "COUNTERSIGN_SERVER") ?? "http://127.0.0.1:8080"
        if let token = try token ?? settings.secret("COUNTERSIGN_TOKEN"), !token.isEmpty {
            return try APIClient(base: base, token: token)
        }
        let audience = audience ?? env["COUNTERSIGN_AUDIENCE"] ?? base
        return try APIClient(
            base: base, token: try await APIClient.githubActionsIDToken(audience: audience, environment: env))
    }
}
