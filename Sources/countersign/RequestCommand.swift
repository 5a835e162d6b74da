import ArgumentParser
import CountersignControl
import CountersignEncoding
import Foundation
import NIOHTTP1

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
        @Option(help: "text or json.") var output: String = "text"

        func run() async throws {
            guard ["text", "json"].contains(output) else { throw ValidationError("--output must be text or json") }
            guard (0...86_400).contains(wait) else { throw ValidationError("--wait must be 0–86400 seconds") }
            let body: JSONValue
            do { body = try JSONValue(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))) } catch {
                throw ControlError(.badRequest, "\(file): \(error)")
            }
            let client = try server.client()
            var status = try await client.call(.POST, "/api/v1/deploy-requests", body: body)
            let id = status["request"]?["id"]?.stringValue ?? ""
            let deadline = Date().addingTimeInterval(Double(wait))
            while status["decision"]?["verdict"]?.stringValue == "pending", Date() < deadline {
                try await Task.sleep(for: .seconds(2))
                status = try await client.call(.GET, "/api/v1/deploy-requests/\(id)")
            }
            let decision = status["decision"]
            let verdict = decision?["verdict"]?.stringValue ?? "pending"
            if output == "json" {
                print(status.canonicalString)
            } else {
                print("\(verdict.uppercased()): request \(id) (tier \(decision?["tier"]?.stringValue ?? "none"))")
                for control in decision?["controls"]?.arrayValue ?? []
                where control["status"]?.stringValue != "satisfied" {
                    print(
                        "  \(control["control"]?.stringValue ?? "?"): \(control["message"]?.stringValue ?? "")")
                }
            }
            switch verdict {
            case "allowed": return
            case "denied": throw ExitCode(3)
            default: throw ExitCode(2)
            }
        }
    }
}
