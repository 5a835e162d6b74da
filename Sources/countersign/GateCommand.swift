import ArgumentParser
import CountersignControl
import CountersignCore
internal import CountersignEncoding
import Foundation

/// `countersign gate …`: ask the gate for a decision.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Decide deploy requests.", subcommands: [GateEvaluateCommand.self])
}

/// `countersign gate evaluate --policy PATH --request FILE --evidence FILE [--at RFC3339] [--output text|json]`
///
/// Exit status: 0 allowed, 2 pending, 3 denied, 1 error (bad policy or input).
struct GateEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Decide one deploy request against a policy, with the evidence, at a time.",
        discussion: "Exit status: 0 allowed, 2 pending, 3 denied, 1 error. Formats: docs/policy.md.")

    enum Output: String, ExpressibleByArgument {
        case text, json
    }

    @Option(help: "Policy file or directory.")
    var policy: String

    @Option(help: "Deploy request JSON file.")
    var request: String

    @Option(help: "Evidence JSON file (optional: no evidence).")
    var evidence: String?

    @Option(help: "Decision time, RFC 3339 (default: now).")
    var at: String?

    @Option(help: "text or json.")
    var output: Output = .text

    func validate() throws {
        if let at, RFC3339.date(at) == nil { throw ValidationError("--at must be an RFC 3339 time, got '\(at)'") }
    }

    func run() throws {
        let bundle: PolicyBundle
        do {
            bundle = try PolicyLoader.load(path: policy)
        } catch {
            throw ControlError(.badRequest, error.issues.map(\.description).joined(separator: "\n"))
        }
        let deployRequest: DeployRequest = try decode(DeployRequest.self, request)
        var facts: Evidence = try evidence.map { try decode(Evidence.self, $0) } ?? Evidence()
        facts.stateVerifications(of: deployRequest, under: bundle)
        let now = at.flatMap(RFC3339.date) ?? Date()
        let decision = Gate.decide(deployRequest, evidence: facts, policy: bundle, now: now)
        switch output {
        case .json:
            print(try JSONValueEncoder().encode(decision).prettyString)
        case .text:
            print(
                "\(decision.verdict.rawValue.uppercased()): \(deployRequest.service) → \(deployRequest.environment)"
                    + (decision.tier.map { " (tier \($0))" } ?? ""))
            for c in decision.controls {
                let mark = c.status == .satisfied ? "✓" : (c.status == .pending ? "…" : "✗")
                print("  \(mark) \(c.control): \(c.message)")
            }
            for r in decision.relaxations { print("  ! \(r)") }
            print("policy \(decision.policyHash) at \(RFC3339.string(decision.decidedAt))")
        }
        switch decision.verdict {
        case .allowed: return
        case .pending: throw ExitCode(2)
        case .denied: throw ExitCode(3)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ControlError(.badRequest, "cannot read \(path)")
        }
        do {
            return try JSONValueDecoder().decode(type, from: [UInt8](data))
        } catch {
            throw ControlError(.badRequest, "\(path): \(error.description)")
        }
    }
}
