import ArgumentParser
import CountersignControl

/// The `countersign` command line. Subcommands are thin: they call the same library entry points the tests call.
@main
struct Countersign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "countersign",
        abstract: "Countersign: deploy approvals decided by policy, recorded in a tamper-evident ledger.",
        version: BuildInfo.description,
        subcommands: [
            CELCommand.self, PolicyCommand.self, GateCommand.self, LedgerCommand.self, AuditCommand.self,
            KeysCommand.self, CanaryCommand.self, ServeCommand.self, TokensCommand.self,
            ArtifactCommand.self, AdmissionCommand.self, MetricsCommand.self, WhoamiCommand.self,
            RequestCommand.self, ApproveCommand.self, RejectCommand.self, CheckCommand.self, BuildCommand.self,
            DeployCommand.self, BreakGlassCommand.self, IncidentCommand.self, VersionCommand.self,
        ]
    )
}

/// `countersign version [--output json]`: the build, for support tickets and fleet inventories.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the version, and the commit and time it was built from.")

    @Option(help: "text or json.") var output: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(output) else { throw ValidationError("--output must be text or json") }
    }

    func run() {
        if output == "json" {
            print(#"{"commit":"\#(BuildInfo.commit)","date":"\#(BuildInfo.date)","version":"\#(BuildInfo.version)"}"#)
        } else {
            print(BuildInfo.description)
        }
    }
}
