import ArgumentParser
import CEL

/// `countersign cel conformance DIR`: runs the cel-spec simple conformance suite and prints a per-file table
/// ending with `N passed, N failed`. Exits 1 when a test outside the skip list fails.
struct CELConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run the cel-spec conformance suite (textproto files) and print the results."
    )

    @Argument(help: "Directory holding the cel-spec *.textproto files.")
    var directory: String

    @Option(help: "Skip list: one 'file/section/test  # reason' per line.")
    var skipList: String?

    @Option(name: .customLong("file"), help: "Run only these files (name without .textproto; repeatable).")
    var files: [String] = []

    @Flag(help: "List every failing test with its expression, expectation and result.")
    var verbose = false

    @Flag(help: "Print, in skip-list format, the tests that need protobuf message types, and exit.")
    var listProtobufTests = false

    func run() throws {
        if listProtobufTests {
            for test in try ConformanceRunner.allTests(directory: directory) {
                if let reason = test.protobufReason { print("\(test.id)  # needs protobuf: \(reason)") }
            }
            return
        }
        let skips = try skipList.map { try ConformanceSkipList(contentsOf: $0) } ?? ConformanceSkipList()
        let runner = ConformanceRunner(skipList: skips)
        let report = try runner.run(directory: directory, files: files.isEmpty ? nil : files)
        print(report.table())
        if verbose {
            for f in report.failures { print(f.description) }
        }
        if !report.unexpectedFailures.isEmpty { throw ExitCode.failure }
    }
}
