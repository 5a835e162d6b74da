import ArgumentParser
import CountersignClient
import CountersignEncoding

/// `countersign incident open|resolve`: incidents linked to the deploys that caused them, for DORA's failure rate
/// and recovery time and for break-glass.
struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident", abstract: "Open and resolve incidents.", subcommands: [Open.self, Resolve.self])

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an incident; prints its id.")
        @OptionGroup var server: ServerOptions
        @Option(help: "What is wrong.") var title: String
        @Option(help: "Its severity (sev1, …).") var severity: String?
        @Option(name: .customLong("deploy"), help: "A deploy that caused it (repeat for more).") var deploys: [String] =
            []
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var body: [(String, JSONValue)] = [("title", .string(title))]
            if let severity { body.append(("severity", .string(severity))) }
            if !deploys.isEmpty { body.append(("deploys", .array(deploys.map(JSONValue.string)))) }
            let incident = try await server.client().call(.openIncident, body: .object(body))
            output.show(incident, incident["id"]?.stringValue ?? "")
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an incident.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The incident's id.") var id: String

        func run() async throws {
            _ = try await server.client().call(.resolveIncident, id)
            print("incident \(id) resolved")
        }
    }
}
