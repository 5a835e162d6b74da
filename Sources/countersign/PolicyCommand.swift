import ArgumentParser
import CountersignCore

/// `countersign policy …`: validate and test policy bundles.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate policy documents and run policy unit tests.",
        subcommands: [PolicyLintCommand.self, PolicyTestCommand.self]
    )
}

/// `countersign policy lint PATH [--output text|json|junit|github]`: every error with file:line; exit 1 if there
/// is any.
struct PolicyLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Validate a policy file or directory and print every error.")

    @Argument(help: "A policy YAML file or a directory of them.")
    var path: String

    @Option(help: "text (default), json, junit (JUnit XML) or github (GitHub Actions annotations).")
    var output: PolicyReport = .text

    func run() throws {
        let outcome = Result { () throws(PolicyError) in try PolicyLoader.load(path: path) }
        let report = output.lint(outcome)
        // Text keeps errors on standard error; the machine-read forms are the output itself.
        if case .failure = outcome, output == .text { printError(report) } else { print(report) }
        if case .failure = outcome { throw ExitCode.failure }
    }
}

/// `countersign policy test PATH [--tests DIR] [--output text|json|junit|github]`: runs `PolicyTest` cases; the
/// text ends with `N passed, N failed`. Exit 1 when a case fails, none ran, or the policy or a test does not load.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run policy unit tests (PolicyTest documents) against a policy bundle.")

    @Argument(help: "The policy file or directory.")
    var path: String

    @Option(help: "Where the PolicyTest documents are (default: the policy path itself).")
    var tests: String?

    @Option(help: "text (default), json, junit (JUnit XML) or github (GitHub Actions annotations).")
    var output: PolicyReport = .text

    func run() throws {
        let results: [PolicyTestRunner.CaseResult]
        do {
            let bundle = try PolicyLoader.load(path: path)
            results = try PolicyTestRunner.run(path: tests ?? path, bundle: bundle)
        } catch {
            let report = output.testIssues(error)
            if output == .text { printError(report) } else { print(report) }
            throw ExitCode.failure
        }
        print(output.test(results))
        if results.contains(where: { !$0.passed }) || results.isEmpty { throw ExitCode.failure }
    }
}
