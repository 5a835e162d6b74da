import ArgumentParser
import CountersignClient
import CountersignEncoding

/// `countersign deploy start|finish`: a CI records the deploys it carries out.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Record deploys on a server.", subcommands: [Start.self, Finish.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that the deploy of an allowed request began; prints the deploy's id.")
        @OptionGroup var server: ServerOptions
        @Option(help: "The deploy request's id.") var request: String
        @Option(help: "The CI's own id for the deploy (made when absent).") var id: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var members: [(String, JSONValue)] = [("request", .string(request))]
            if let id { members.append(("id", .string(id))) }
            let deploy = try await server.client().call(.startDeploy, body: .object(members))
            output.show(deploy, deploy["id"]?.stringValue ?? "")
        }
    }

    struct Finish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record how a started deploy ended.")
        enum Outcome: String, ExpressibleByArgument, CaseIterable {
            case succeeded, failed
            case rolledBack = "rolled_back"
        }

        @OptionGroup var server: ServerOptions
        @Argument(help: "The deploy's id.") var id: String
        @Option(help: "succeeded, failed or rolled_back.") var outcome: Outcome
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let deploy = try await server.client().call(
                .finishDeploy, id, body: .object([("outcome", .string(outcome.rawValue))]))
            output.show(deploy, "\(deploy["id"]?.stringValue ?? id): \(deploy["status"]?.stringValue ?? "?")")
        }
    }
}
