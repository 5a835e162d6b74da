import ArgumentParser
import CountersignControl
import CountersignEncoding
import Foundation
import NIOHTTP1

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

        func run() async throws {
            var members: [(String, JSONValue)] = [("request", .string(request))]
            if let id { members.append(("id", .string(id))) }
            let deploy = try await server.client().call(.POST, "/api/v1/deploys", body: .object(members))
            print(deploy["id"]?.stringValue ?? "")
        }
    }

    struct Finish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record how a started deploy ended.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The deploy's id.") var id: String
        @Option(help: "succeeded, failed or rolled_back.") var outcome: String

        func run() async throws {
            let path = "/api/v1/deploys/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id)/finish"
            let deploy = try await server.client().call(
                .POST, path, body: .object([("outcome", .string(outcome))]))
            print("\(deploy["id"]?.stringValue ?? id): \(deploy["status"]?.stringValue ?? "?")")
        }
    }
}
