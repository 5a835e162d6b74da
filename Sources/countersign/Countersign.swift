import ArgumentParser

/// The `countersign` command line. Subcommands are thin: they call the same library entry points the tests call.
@main
struct Countersign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "countersign",
        abstract: "Countersign: deploy approvals decided by policy, recorded in a tamper-evident ledger.",
        subcommands: [
            CELCommand.self, PolicyCommand.self, GateCommand.self, LedgerCommand.self, AuditCommand.self,
            KeysCommand.self, CanaryCommand.self, ServeCommand.self, TokensCommand.self,
            ArtifactCommand.self, AdmissionCommand.self, MetricsCommand.self, WhoamiCommand.self,
            RequestCommand.self, ApproveCommand.self, RejectCommand.self, CheckCommand.self, BuildCommand.self,
            DeployCommand.self, BreakGlassCommand.self, IncidentCommand.self,
        ]
    )
}
