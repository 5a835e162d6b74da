import ArgumentParser
import CountersignClient
import CountersignEncoding

/// `countersign breakglass invoke|review`: the freeze's emergency path, time-boxed, and its review afterwards by
/// the freeze's review team.
struct BreakGlassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakglass", abstract: "Break glass for a freeze, and review grants.",
        subcommands: [Invoke.self, Review.self])

    struct Invoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Break glass for a freeze (humans the freeze allows); prints the grant and when it expires.")
        @OptionGroup var server: ServerOptions
        @Option(help: "The freeze's name.") var freeze: String
        @Option(help: "The environment.") var environment: String
        @Option(help: "How long the grant lasts, in seconds.") var duration: Int
        @Option(help: "The one service it covers (all when absent).") var service: String?
        @Option(help: "Why.") var reason: String?
        @Option(help: "The incident it answers.") var incident: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var body: [(String, JSONValue)] = [
                ("freeze", .string(freeze)), ("environment", .string(environment)),
                ("duration", .number(Double(duration))),
            ]
            for (name, value) in [("service", service), ("reason", reason), ("incident", incident)] {
                if let value { body.append((name, .string(value))) }
            }
            let grant = try await server.client().call(.breakGlass, body: .object(body))
            output.show(
                grant,
                "grant \(grant["id"]?.stringValue ?? "?") for \(freeze) in \(environment) until \(grant["expiresAt"]?.stringValue ?? "?")"
            )
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Review a grant (the freeze's review team, not its invoker; once).")
        enum Outcome: String, ExpressibleByArgument, CaseIterable { case justified, unjustified }

        @OptionGroup var server: ServerOptions
        @Argument(help: "The grant's id.") var id: String
        @Option(help: "justified or unjustified.") var outcome: Outcome
        @Option(help: "Notes for the record.") var notes: String?

        func run() async throws {
            var body: [(String, JSONValue)] = [("outcome", .string(outcome.rawValue))]
            if let notes { body.append(("notes", .string(notes))) }
            _ = try await server.client().call(.reviewBreakGlass, id, body: .object(body))
            print("grant \(id) reviewed: \(outcome.rawValue)")
        }
    }
}
