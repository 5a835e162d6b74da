import ArgumentParser
import CountersignClient
import CountersignEncoding

/// `countersign check report`: a builder reports a check's result for a digest (the checks control reads them).
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Report checks to a server.", subcommands: [Report.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report a check's result for a digest (builder).")
        enum Status: String, ExpressibleByArgument, CaseIterable { case passed, failed, pending }

        @OptionGroup var server: ServerOptions
        @Option(help: "The artifact's digest, sha256:HEX.") var digest: String
        @Option(help: "The check's name, as the policy's checks control names it.") var name: String
        @Option(help: "passed, failed or pending.") var status: Status
        @Option(help: "A line about the result (a link to the run).") var details: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var body: [(String, JSONValue)] = [
                ("digest", .string(digest)), ("name", .string(name)), ("status", .string(status.rawValue)),
            ]
            if let details { body.append(("details", .string(details))) }
            let answer = try await server.client().call(.reportCheck, body: .object(body))
            output.show(answer, "check \(name) \(status.rawValue) for \(digest)")
        }
    }
}
