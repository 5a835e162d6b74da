import ArgumentParser
import CountersignControl
import CountersignEncoding
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
            throw ControlError(.badRequest, error.message)
        }
        print("wrote \(pack.summary) with proofs to \(out)")
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

    @Option(help: "The period the pack must cover, from (RFC 3339): a pack narrowed to hide entries is refused.")
    var from: String?

    @Option(help: "The period the pack must cover, to (RFC 3339, exclusive).")
    var to: String?

    func validate() throws {
        guard (from == nil) == (to == nil) else { throw ValidationError("give --from and --to together") }
    }

    func run() async throws {
        let key = try loadVerifier(verifier)
        let period = try from.map { (from: try parseTime($0, "--from"), to: try parseTime(to!, "--to")) }
        let pack: EvidencePack
        do { pack = try EvidencePack(reading: URL(fileURLWithPath: directory)) } catch {
            throw ControlError(.badRequest, error.message)
        }
        switch pack.verify(verifier: key, period: period) {
        case .success(let checkpoint):
            print(
                "ok: \(pack.summary), each included in the checkpoint of size \(checkpoint.size) signed by "
                    + "\(key.name), none missing")
        case .failure(let error):
            printError("INVALID: \(error.message)")
            throw ExitCode.failure
        }
    }
}

extension EvidencePack {
    /// What the pack holds, in words, with the period it claims — which is what an auditor must compare with the
    /// one they asked for (or pass as `--from`/`--to`): "6 entries (6–11) of 2026-11-03T09:05:00.000Z ..<
    /// 2026-11-03T09:13:00.000Z and the 2 entries around them".
    var summary: String {
        guard let coverage else { return "\(entries.count) entries" }
        let period =
            "\(RFC3339.string(coverage.from, fraction: .milliseconds)) ..< "
            + RFC3339.string(coverage.to, fraction: .milliseconds)
        guard let first = coverage.first, let last = coverage.last else {
            return "no entries of \(period) (shown by the \(entries.count) around it)"
        }
        let neighbours = entries.count - coverage.count
        return "\(coverage.count) entries (\(first)–\(last)) of \(period) and "
            + (neighbours == 1 ? "the entry" : "the \(neighbours) entries") + " around them"
    }
}
