import ArgumentParser
import CountersignClient
import CountersignEncoding
import Foundation

/// `countersign build register REFERENCE`: a builder binds the digest it pushed to the repository and commit it
/// built, which is how a GitHub protection rule (and any request) finds the artifact of a commit; `--verify` then
/// has the server verify its signatures and provenance under every covering ArtifactPolicy.
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Register builds on a server.", subcommands: [Register.self])

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Register a digest-pinned artifact as built from a commit (builder); exit 3 when --verify rejects it.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The artifact, registry/repo@sha256:HEX.") var reference: String
        @Option(help: "The full commit id it was built from (GITHUB_SHA in GitHub Actions).") var commit: String?
        @Option(help: "The commit's repository, owner/name (GITHUB_REPOSITORY in GitHub Actions).")
        var repository: String?
        @Flag(help: "Have the server verify signatures and provenance now.") var verify = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let env = ProcessInfo.processInfo.environment
            guard let commit = commit ?? env["GITHUB_SHA"], let repository = repository ?? env["GITHUB_REPOSITORY"]
            else { throw ValidationError("--commit and --repository are required outside GitHub Actions") }
            let client = try await server.client()
            let registered = try await client.call(
                .registerBuild,
                body: .object([
                    ("reference", .string(reference)), ("commit", .string(commit)),
                    ("repository", .string(repository)),
                ]))
            guard verify else {
                return output.show(
                    registered,
                    "registered \(registered["digest"]?.stringValue ?? reference) as built from \(repository)@\(commit)"
                )
            }
            let results = try await client.call(.verifyArtifact, body: .object([("reference", .string(reference))]))
            var lines = [
                "registered \(registered["digest"]?.stringValue ?? reference) as built from \(repository)@\(commit)"
            ]
            var rejected = false
            for result in results.arrayValue ?? [] {
                let verdict = result["verdict"]?.stringValue ?? "?"
                rejected = rejected || verdict != "verified"
                let why = (result["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; ")
                lines.append("  \(result["policy"]?.stringValue ?? "?"): \(verdict)\(why.isEmpty ? "" : " — \(why)")")
            }
            output.show(
                .object([("registered", registered), ("verification", results)]), lines.joined(separator: "\n"))
            if rejected { throw ExitCode(3) }
        }
    }
}
