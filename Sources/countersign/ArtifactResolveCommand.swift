import ArgumentParser
import AsyncHTTPClient
import CountersignControl
import CountersignSupplyChain

/// `countersign artifact resolve REF [--platform os/arch]`: the digest a tag names now, printed as a pinned
/// reference. Resolve once, record the digest, never trust the tag again.
struct ArtifactResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve a reference to its digest and print it pinned.",
        discussion: "Prints registry/repository@sha256:<hex>. Exit status: 0 resolved, 1 error.")

    @Argument(help: "An image reference, e.g. registry.example.com/team/app:v1.") var reference: String
    @Option(help: "For a multi-arch index, the platform manifest to pin instead (e.g. linux/amd64).")
    var platform: String?
    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        let image = try parseReference(reference)
        let configuration = try registry.configuration(for: image.registry)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = RegistryClient(httpClient: http, configuration: configuration)
        let outcome: Result<Digest, SupplyChainError>
        do {
            if let platform {
                outcome = .success(try await client.platformManifest(image, platform: platform))
            } else {
                outcome = .success(try await client.resolve(image))
            }
        } catch {
            outcome = .failure(error)
        }
        try await http.shutdown()
        switch outcome {
        case .success(let digest): print("\(image.name)@\(digest)")
        case .failure(let error):
            throw ControlError(.badRequest, error.reason)
        }
    }
}
