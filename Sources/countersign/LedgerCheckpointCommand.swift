import ArgumentParser
import CountersignControl
import CountersignLedger
import Foundation

/// `countersign ledger checkpoint --key FILE [--origin ORIGIN] [--publish DEST]`: signs and stores a checkpoint (and
/// publishes it), prints the note.
struct LedgerCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Sign a C2SP checkpoint of the current tree and print it.")

    @OptionGroup var store: StoreOptions

    @Option(help: "A file with the private key (from `countersign keys generate`).")
    var key: String

    @Option(help: "The log origin (default: the key's name).")
    var origin: String?

    @Option(help: "Also publish it to a directory or an http(s) URL, as `serve --publish-checkpoints` does.")
    var publish: String?

    func run() async throws {
        let signer = try loadSigner(key)
        let origin = self.origin ?? signer.name
        let publication = try publish.map {
            try CheckpointPublication($0, token: try store.settings.secret("COUNTERSIGN_PUBLISH_TOKEN"))
        }
        let note = try await store.withStore {
            try await CheckpointSigner(
                store: $0, signer: signer, origin: origin, publication: publication, interval: nil
            ).sign()
        }
        print(note, terminator: "")
    }
}
