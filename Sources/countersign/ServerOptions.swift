import ArgumentParser
import CountersignControl
import Foundation

/// Where the client commands reach a server, and as whom: `--server`/`COUNTERSIGN_SERVER` and
/// `--token`/`COUNTERSIGN_TOKEN` (the environment is the place for a token: a flag shows in the process list).
struct ServerOptions: ParsableArguments {
    @Option(help: "The server's URL (COUNTERSIGN_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(help: "An API token (COUNTERSIGN_TOKEN, which is the better place for it).") var token: String?

    func client() throws(ControlError) -> ServerClient {
        let env = ProcessInfo.processInfo.environment
        let base = server ?? env["COUNTERSIGN_SERVER"] ?? "http://127.0.0.1:8080"
        guard let url = URLComponents(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil
        else { throw ControlError(.badRequest, "--server must be an http(s) URL, got \(base)") }
        guard let token = token ?? env["COUNTERSIGN_TOKEN"], !token.isEmpty else {
            throw ControlError(.unauthenticated, "no token: set COUNTERSIGN_TOKEN (or pass --token)")
        }
        return ServerClient(base: base.hasSuffix("/") ? String(base.dropLast()) : base, token: token)
    }
}
