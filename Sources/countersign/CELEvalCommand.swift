import ArgumentParser
import CEL
import CountersignControl
import Foundation

/// `countersign cel eval 'EXPR' [--var NAME=JSON]…`
///
/// Exit status: 0 with the value on stdout; 1 for an evaluation error (message on stderr); 2 for a parse or
/// type error (message with line:column and a caret on stderr).
struct CELEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate one CEL expression and print its value.",
        discussion: """
            Variables are bound with --var NAME=JSON; JSON integers become CEL ints, other numbers doubles.
            Examples:
              countersign cel eval "[1, 2, 3].map(x, x * 2)"
              countersign cel eval --var 'request={"tier":"low","approvals":["a","b"]}' \\
                "request.approvals.size() >= 2 && request.tier in ['low', 'medium']"
            """
    )

    @Argument(help: "The CEL expression.")
    var expression: String

    @Option(
        name: .customLong("var"), help: ArgumentHelp("Bind a variable: NAME=JSON (repeatable).", valueName: "NAME=JSON")
    )
    var variables: [String] = []

    @Option(help: "Container (namespace) for name resolution.")
    var container: String = ""

    @Flag(name: .customLong("no-check"), help: "Skip the type checker (evaluate dynamically typed).")
    var noCheck = false

    @Option(help: "Runtime cost limit for the evaluation.")
    var costLimit: Int = 1_000_000

    mutating func validate() throws {
        for v in variables where !v.contains("=") {
            throw ValidationError("--var expects NAME=JSON, got '\(v)'")
        }
    }

    func run() throws {
        var bindings: [String: Value] = [:]
        var declarations: [String: CELType] = [:]
        for v in variables {
            let eq = v.firstIndex(of: "=")!
            let name = String(v[..<eq])
            do {
                bindings[name] = try Value(json: String(v[v.index(after: eq)...]))
            } catch {
                printError("--var \(name): \(error)")
                throw ExitCode(2)
            }
            declarations[name] = .dyn
        }
        var limits = Environment.Limits()
        limits.costLimit = costLimit
        let env = Environment(variables: declarations, container: container, limits: limits)
        let program: Program
        do {
            program = try env.compile(expression, check: !noCheck)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        do {
            print(try program.evaluate(bindings).description)
        } catch {
            throw ControlError(.badRequest, "evaluation error: \(error.message)")
        }
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
