import ArgumentParser

/// `countersign cel …`: work with the policy expression language directly.
struct CELCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cel",
        abstract: "Evaluate CEL expressions and run the CEL conformance suite.",
        subcommands: [CELEvalCommand.self, CELConformanceCommand.self]
    )
}
