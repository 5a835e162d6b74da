import ArgumentParser
import CountersignLedger
import Foundation

/// `countersign ledger export --from T1 --to T2 --out DIR [--key FILE]`: an evidence pack for offline checking.
struct LedgerExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write an evidence pack: the period's entries (JSONL), the checkpoint and an inclusion proof each.")

    @OptionGroup var store: StoreOptions

    @OptionGroup var period: PeriodOptions

    @Option(help: "The directory to write the pack into (must not hold one already).")
    var out: String

    @Option(help: "Sign a fresh checkpoint with this key first, so the pack covers the newest entries.")
    var key: String?

    func run() async throws {
        let (from, to) = try period.dates
        let signer = try key.map(loadSigner)
        let pack = try await store.withStore { store in
            if let signer { _ = try await store.checkpoint(signer: signer, origin: signer.name) }
            return try await EvidencePack.export(store, from: from, to: to)
        }
        do { try pack.write(to: URL(fileURLWithPath: out)) } catch {
            printError(error.message)
            throw ExitCode(1)
        }
        print("wrote \(EvidencePackSummary(pack)) with proofs to \(out)")
    }
}

/// `countersign ledger verify-pack DIR --verifier KEY`: checks an evidence pack offline.
struct LedgerVerifyPackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-pack", abstract: "Verify an evidence pack offline against the log's public key.")

    @Argument(help: "The pack's directory.")
    var directory: String

    @Option(help: "The log's checkpoint verifier key, or a file holding it.")
    var verifier: String

    func run() async throws {
        let key = try loadVerifier(verifier)
        let pack: EvidencePack
        do { pack = try EvidencePack(reading: URL(fileURLWithPath: directory)) } catch {
            printError(error.message)
            throw ExitCode(1)
        }
        switch pack.verify(verifier: key) {
        case .success(let checkpoint):
            print(
                "ok: \(EvidencePackSummary(pack)), each included in the checkpoint of size \(checkpoint.size) signed by "
                    + "\(key.name), none missing")
        case .failure(let error):
            printError("INVALID: \(error.message)")
            throw ExitCode(1)
        }
    }
}

/// What a pack holds, in words: "6 entries (5–10) and the entry either side" or "no entries in the period".
func EvidencePackSummary(_ pack: EvidencePack) -> String {
    guard let coverage = pack.coverage, let first = coverage.first, let last = coverage.last else {
        return "no entries in the period (shown by the \(pack.entries.count) around it)"
    }
    let neighbours = pack.entries.count - coverage.count
    return
        "\(coverage.count) entries (\(first)–\(last)) and \(neighbours == 1 ? "the entry" : "the \(neighbours) entries") around them"
}
