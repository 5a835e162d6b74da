import ArgumentParser
import CountersignCanary
import Foundation

/// `countersign canary …`: canary judgements from recorded samples, and Argo analysis runs over live metrics.
struct CanaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary", abstract: "Judge canaries against their baselines and run Argo analyses.",
        subcommands: [CanaryJudgeCommand.self, CanaryRunCommand.self])
}

extension CanaryVerdict {
    /// The CLI's exit status for a verdict, the one place it is defined: 0 pass, 2 marginal or inconclusive (a
    /// person decides), 3 fail or error (a judgement that could not be made fails closed). 1 is reserved for
    /// operational errors (unreadable files, malformed input).
    var exitStatus: Int32 {
        switch self {
        case .pass: 0
        case .marginal, .inconclusive: 2
        case .fail, .error: 3
        }
    }
}
