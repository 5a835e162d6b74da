import ArgumentParser

/// `countersign admission …`: the Kubernetes image gate, offline.
struct AdmissionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admission", abstract: "Answer Kubernetes AdmissionReviews with the image gate.",
        subcommands: [AdmissionReviewCommand.self])
}
