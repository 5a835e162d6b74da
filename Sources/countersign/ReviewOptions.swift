import ArgumentParser
import CountersignClient
import CountersignEncoding

/// What `approve` and `reject` share: the request, an optional comment, and the review sent as the token's
/// identity. The server enforces separation of duties and records a refused review; the command prints the
/// decision after it.
struct ReviewOptions: ParsableArguments {
    @OptionGroup var server: ServerOptions
    @Argument(help: "The deploy request's id.") var request: String
    @Option(help: "Why (recorded with the review).") var comment: String?
    @OptionGroup var output: OutputOptions

    func submit(_ decision: String) async throws {
        var body: [(String, JSONValue)] = [("decision", .string(decision))]
        if let comment { body.append(("comment", .string(comment))) }
        let answer = try await server.client().call(.review, request, body: .object(body))
        output.show(answer, DecisionOutput.text(answer, request: request))
    }
}

/// `countersign approve ID`: an approver's approval, exit 0 when it is recorded (the decision it leads to is printed).
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a deploy request; prints the decision after it.")
    @OptionGroup var review: ReviewOptions
    func run() async throws { try await review.submit("approve") }
}

/// `countersign reject ID`: an approver's rejection, which denies the request.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a deploy request; prints the decision after it.")
    @OptionGroup var review: ReviewOptions
    func run() async throws { try await review.submit("reject") }
}
