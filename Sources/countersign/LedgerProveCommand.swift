import ArgumentParser
import CountersignLedger

/// `countersign ledger prove --seq N [--size S]`: an inclusion proof as JSON.
struct LedgerProveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Print an inclusion proof for an entry (RFC 6962, hex hashes).")

    @OptionGroup var store: StoreOptions

    @Option(help: "The entry's sequence number.")
    var seq: Int

    @Option(help: "The tree size to prove against (default: the current size).")
    var size: Int?

    func run() async throws {
        let (seq, size) = (self.seq, self.size)
        printJSON(try await store.withStore { try await $0.inclusionProof(seq: seq, size: size) }.json)
    }
}

/// `countersign ledger consistency --from A [--to B]`: a consistency proof as JSON.
struct LedgerConsistencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency", abstract: "Print a consistency proof between two tree sizes.")

    @OptionGroup var store: StoreOptions

    @Option(help: "The earlier tree size.")
    var from: Int

    @Option(help: "The later tree size (default: the current size).")
    var to: Int?

    func run() async throws {
        let (from, to) = (self.from, self.to)
        let proof = try await store.withStore { store in
            var end = to
            if end == nil { end = try await store.size() }
            return try await store.consistencyProof(from: from, to: end ?? 0)
        }
        printJSON(proof.json)
    }
}
