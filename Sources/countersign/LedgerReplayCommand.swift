import ArgumentParser
import CountersignLedger

/// `countersign ledger replay`: rebuilds the projection tables from the entries.
struct LedgerReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild the projections (requests, approvals, decisions, deploys, …) from the entries alone.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let count = try await store.withStore { try await $0.replayProjections() }
        print("replayed \(count) entries into \(Projection.tables.count) tables")
    }
}
