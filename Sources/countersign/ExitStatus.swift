import ArgumentParser
import CountersignControl

/// The CLI's one map from a failure to an exit status, beside the one way a failure reaches the terminal.
///
/// Exit statuses 2 and 3 belong to answers, not failures: a gate that pends or denies, a canary that is marginal
/// or fails, a CEL expression that does not parse. Every failure — bad input, a file that cannot be read, a ledger
/// that cannot be reached — is 1, with its message on standard error, so a pipeline never reads a failure to
/// decide as a decision. A usage error (a missing or malformed option) is ArgumentParser's 64.
extension ControlError.Code {
    /// One status for every failure today; this is the one place a failure would get its own.
    var exitStatus: Int32 { 1 }
}

extension Countersign {
    /// Runs the command; a ``ControlError`` prints its message alone on standard error and exits with its code's
    /// status, anything else is ArgumentParser's to report.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ControlError {
            printError(error.message)
            Countersign.exit(withError: ExitCode(error.code.exitStatus))
        } catch {
            Countersign.exit(withError: error)
        }
    }
}
