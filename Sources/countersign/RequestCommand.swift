import ArgumentParser
import CountersignClient
import CountersignControl
import CountersignEncoding
import Foundation

/// `countersign request create FILE [--wait SECONDS]`: a deploy request from a CI, answered with its decision and
/// exiting as `gate evaluate` does — 0 allowed, 2 pending, 3 denied, 1 error — so a pipeline step is one command.
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Deploy requests on a server.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request a deploy (FILE as in examples/requests); exit 0 allowed, 2 pending, 3 denied, 1 error.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The request's JSON: service, environment, artifact, change.") var file: String
        @Option(help: "Wait up to this many seconds while the decision is pending, asking again every 2 s.")
        var wait: Int = 0
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard (0...86_400).contains(wait) else { throw ValidationError("--wait must be 0–86400 seconds") }
            let body: JSONValue
            do { body = try JSONValue(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))) } catch {
                throw ControlError(.badRequest, "\(file): \(error)")
            }
            let client = try await server.client()
            var status = try await client.call(.createRequest, body: body)
            let id = status["request"]?["id"]?.stringValue ?? ""
            let deadline = Date().addingTimeInterval(Double(wait))
            while status["decision"]?["verdict"]?.stringValue == "pending", Date() < deadline {
                try await Task.sleep(for: .seconds(2))
                status = try await client.call(.request, id)
            }
            output.show(status, DecisionOutput.text(status["decision"], request: id))
            try DecisionOutput.exit(status["decision"])
        }
    }
}
