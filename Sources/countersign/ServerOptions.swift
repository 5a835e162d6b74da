import ArgumentParser
import CountersignClient
import CountersignControl
import Foundation

/// Where the client commands reach a server, and as whom: `--server`/`COUNTERSIGN_SERVER` and
/// `--token`/`COUNTERSIGN_TOKEN` (the environment is the place for a token: a flag shows in the process list).
struct ServerOptions: ParsableArguments {
    @Option(help: "The server's URL (COUNTERSIGN_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(help: "An API token (COUNTERSIGN_TOKEN, which is the better place for it).") var token: String?

    func client() throws(ControlError) -> APIClient {
        let env = ProcessInfo.processInfo.environment
        return try APIClient(
            base: server ?? env["COUNTERSIGN_SERVER"] ?? "http://127.0.0.1:8080",
            token: token ?? env["COUNTERSIGN_TOKEN"] ?? "")
    }
}
