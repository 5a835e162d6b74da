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

/// `countersign policy lint PATH`: every error with file:line; exit 1 if there is any.
struct PolicyLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Validate a policy file or directory and print every error.")

    @Argument(help: "A policy YAML file or a directory of them.")
    var path: String

    func run() throws {
        do {
            let bundle = try PolicyLoader.load(path: path)
            print(
                "ok: \(bundle.environments.count) environments, \(bundle.teams.count) teams, "
                    + "\(bundle.identities.count) identities, \(bundle.tiers.count) tiers, \(bundle.freezes.count) freezes, "
                    + "\(bundle.artifactPolicies.count) artifact policies; policy \(bundle.hash)")
        } catch {
            for issue in error.issues { printError(issue.description) }
            printError("\(error.issues.count) error\(error.issues.count == 1 ? "" : "s")")
            throw ExitCode(1)
        }
    }
}

/// `countersign policy test PATH [--tests DIR]`: runs `PolicyTest` cases; ends with `N passed, N failed`.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run policy unit tests (PolicyTest documents) against a policy bundle.")

    @Argument(help: "The policy file or directory.")
    var path: String

    @Option(help: "Where the PolicyTest documents are (default: the policy path itself).")
    var tests: String?

    func run() throws {
        let bundle: PolicyBundle
        let results: [PolicyTestRunner.CaseResult]
        do {
            bundle = try PolicyLoader.load(path: path)
            results = try PolicyTestRunner.run(path: tests ?? path, bundle: bundle)
        } catch {
            for issue in error.issues { printError(issue.description) }
            throw ExitCode(1)
        }
        for r in results {
            print("\(r.passed ? "PASS" : "FAIL") \(r.suite) / \(r.name)")
            for f in r.failures { print("    \(f)") }
        }
        let failed = results.filter { !$0.passed }.count
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 || results.isEmpty { throw ExitCode(1) }
    }
}
