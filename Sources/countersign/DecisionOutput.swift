import ArgumentParser
import CountersignEncoding

/// How the client commands print a decision: the verdict, the request and its tier, then each control that is
/// not satisfied with its message — what a pipeline log needs to say why it stopped.
enum DecisionOutput {
    static func text(_ decision: JSONValue?, request id: String) -> String {
        let verdict = decision?["verdict"]?.stringValue ?? "pending"
        var lines = ["\(verdict.uppercased()): request \(id) (tier \(decision?["tier"]?.stringValue ?? "none"))"]
        for control in decision?["controls"]?.arrayValue ?? [] where control["status"]?.stringValue != "satisfied" {
            lines.append("  \(control["control"]?.stringValue ?? "?"): \(control["message"]?.stringValue ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    /// Returns for allowed; exits 3 for denied and 2 for pending, as `gate evaluate` does.
    static func exit(_ decision: JSONValue?) throws(ExitCode) {
        switch decision?["verdict"]?.stringValue {
        case "allowed": return
        case "denied": throw ExitCode(3)
        default: throw ExitCode(2)
        }
    }
}
