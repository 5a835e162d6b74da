import ArgumentParser
import CountersignEncoding
import NIOHTTP1

/// `countersign whoami`: who the token is, as the server sees it.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who the token acts as.")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let me = try await server.client().call(.GET, "/api/v1/whoami")
        print("\(me["identity"]?.stringValue ?? "?") (\(me["role"]?.stringValue ?? "?"))")
    }
}
