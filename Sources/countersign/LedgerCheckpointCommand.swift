import ArgumentParser
import CountersignLedger

/// `countersign ledger checkpoint --key FILE [--origin ORIGIN]`: signs and stores a checkpoint, prints the note.
struct LedgerCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Sign a C2SP checkpoint of the current tree and print it.")

    @OptionGroup var store: StoreOptions

    @Option(help: "A file with the private key (from `countersign keys generate`).")
    var key: String

    @Option(help: "The log origin (default: the key's name).")
    var origin: String?

    func run() async throws {
        let signer = try loadSigner(key)
        let origin = self.origin ?? signer.name
        let note = try await store.withStore { try await $0.checkpoint(signer: signer, origin: origin) }
        print(note, terminator: "")
    }
}
