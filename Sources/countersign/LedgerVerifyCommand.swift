import ArgumentParser
import CountersignControl
internal import CountersignEncoding
import CountersignLedger
import CountersignSQLite
import Foundation

/// `countersign ledger verify [--verifier KEY]`: recomputes every hash, checks every indexed column against its
/// entry and the latest signed checkpoint against the configured key; names the first problem.
///
/// The checkpoint is what makes a rewrite of the whole ledger detectable (hashes can be recomputed; a signature
/// cannot), so it is checked by default: with `--verifier`, else `COUNTERSIGN_CHECKPOINT_VERIFIER`, else the
/// public half of `COUNTERSIGN_CHECKPOINT_KEY` (the key `serve` signs with). With a key and no checkpoint to check,
/// verification fails; without any key it says plainly that no signature was checked.
struct LedgerVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Recompute every hash, check the indexed columns and the latest signed checkpoint; exit 1 on tampering.",
        discussion: """
            The checkpoint key: --verifier, else COUNTERSIGN_CHECKPOINT_VERIFIER (a verifier key or a file holding \
            one), else the public half of COUNTERSIGN_CHECKPOINT_KEY (a signing key file).
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "The checkpoint verifier key (<name>+<hex id>+<base64 key>), or a file holding it.")
    var verifier: String?

    @Flag(
        help: """
            Also replay every entry into a scratch ledger and compare every projection table with it: a row edited             in the tables the gate reads (an approval's state) is named. Reads the whole log a second time.
            """)
    var projections = false

    @Option(
        help: """
            Also check the ledger against the latest checkpoint published outside it: a directory (`serve \
            --publish-checkpoints`, or a witness's state), a note file or an http(s) URL. The ledger must extend it.
            """)
    var published: String?

    @Option(
        help: """
            With --published: a witness's key (<name>+<hex id>+<base64 key>, or a file); the published checkpoint \
            must carry its cosignature (repeatable).
            """)
    var witness: [String] = []

    func validate() throws {
        if !witness.isEmpty && published == nil { throw ValidationError("--witness checks a --published checkpoint") }
    }

    func run() async throws {
        let key = try store.checkpointVerifier(verifier)
        let publication = try published.map { try CheckpointPublication($0) }
        let witnesses = try witness.map(loadWitness)
        if publication != nil && key == nil {
            throw ValidationError(
                "--published needs the log's checkpoint key (--verifier, COUNTERSIGN_CHECKPOINT_VERIFIER or "
                    + "COUNTERSIGN_CHECKPOINT_KEY): an unsigned checkpoint proves nothing")
        }
        let interactive = isatty(2) == 1
        let check = projections
        let (report, difference, publishedCheck) = try await store.withStore { store in
            let report = try await store.verify(verifier: key) { done, total in
                guard interactive, total > 0 else { return }
                let width = 30
                let filled = done * width / total
                let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) entries".utf8))
            }
            // The tables are compared only with a log that verifies: a replay of a tampered log proves nothing.
            guard report.problem == nil else { return (report, String?.none, String?.none) }
            let difference = check ? try await ProjectionCheck.firstDifference(in: store) : nil
            guard let publication, let key else { return (report, difference, String?.none) }
            do {
                let published = try await publication.check(store, log: key, witnesses: witnesses)
                let by = witnesses.isEmpty ? "" : ", cosigned by " + witnesses.map(\.name).joined(separator: ", ")
                return (report, difference, "extends the checkpoint published at size \(published.size)\(by)")
            } catch let error as ControlError where error.code == .conflict || error.code == .unprocessable {
                return (report, difference, "TAMPERED: " + error.message)
            }
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        if let problem = report.problem {
            printError("TAMPERED: \(problem.message)")
            throw ExitCode.failure
        }
        let signature: String
        switch (key, report.checkpointSize) {
        case (_, let size?) where size == report.entries: signature = "signed checkpoint at size \(size) verified"
        case (_, let size?):
            signature =
                "signed checkpoint at size \(size) verified; entries \(size)–\(report.entries - 1) are not yet "
                + "under a signed checkpoint"
        case (nil, nil):
            signature =
                "checkpoint signature NOT checked: no key configured (--verifier, COUNTERSIGN_CHECKPOINT_VERIFIER "
                + "or COUNTERSIGN_CHECKPOINT_KEY)"
        case (let key?, nil) where report.entries > 0:
            printError(
                "TAMPERED: the ledger holds \(report.entries) entries and no checkpoint signed by \(key.name): nothing "
                    + "proves the entries were not rewritten")
            throw ExitCode.failure
        case (_?, nil): signature = "no entries, no checkpoint"
        }
        if let difference {
            printError("TAMPERED: \(difference)")
            throw ExitCode.failure
        }
        if let publishedCheck, publishedCheck.hasPrefix("TAMPERED: ") {
            printError(publishedCheck)
            throw ExitCode.failure
        }
        print(
            "ok: \(report.entries) entries, root \(Hex.encode(report.rootHash)), \(signature)"
                + (check ? "; every projection table matches a replay of the entries" : "")
                + (publishedCheck.map { "; \($0)" } ?? ""))
    }
}
