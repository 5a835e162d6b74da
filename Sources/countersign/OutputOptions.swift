import ArgumentParser
import CountersignEncoding

/// `--output text|json` for the client commands: json prints the server's answer as it came, for a pipeline to
/// read; text is a line a person reads.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "text or json.") var output: Format = .text

    /// Prints `answer` as JSON, or the `text` lines.
    func show(_ answer: JSONValue, _ text: @autoclosure () -> String) {
        print(output == .json ? answer.canonicalString : text())
    }
}
