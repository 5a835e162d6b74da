import ArgumentParser
import CountersignClient
import CountersignEncoding

/// `countersign whoami`: who the token is, as the server sees it.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who the token acts as.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let me = try await server.client().call(.whoami)
        output.show(me, "\(me["identity"]?.stringValue ?? "?") (\(me["role"]?.stringValue ?? "?"))")
    }
}
