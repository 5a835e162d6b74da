import ArgumentParser
import CountersignClient
import CountersignControl
import Foundation

/// Where the client commands reach a server, and as whom: `--server`/`COUNTERSIGN_SERVER` and
/// `--token`/`COUNTERSIGN_TOKEN` (the environment is the place for a token: a flag shows in the process list). In a
/// GitHub Actions job with `id-token: write` and no token, the job's own OIDC ID token, for
/// `--audience`/`COUNTERSIGN_AUDIENCE` (default: the server's URL) — no long-lived secret in the pipeline.
struct ServerOptions: ParsableArguments {
    @Option(help: "The server's URL (COUNTERSIGN_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(help: "An API token (COUNTERSIGN_TOKEN, which is the better place for it).") var token: String?
    @Option(help: "In GitHub Actions without a token: the audience of the job's OIDC token (COUNTERSIGN_AUDIENCE).")
    var audience: String?

    func client() async throws(ControlError) -> APIClient {
        let env = ProcessInfo.processInfo.environment
        let base = server ?? env["COUNTERSIGN_SERVER"] ?? "http://127.0.0.1:8080"
        if let token = token ?? env["COUNTERSIGN_TOKEN"], !token.isEmpty {
            return try APIClient(base: base, token: token)
        }
        let audience = audience ?? env["COUNTERSIGN_AUDIENCE"] ?? base
        return try APIClient(
            base: base, token: try await APIClient.githubActionsIDToken(audience: audience, environment: env))
    }
}
