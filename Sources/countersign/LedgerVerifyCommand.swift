import ArgumentParser
import CountersignLedger
import Foundation

/// `countersign ledger verify [--verifier KEY]`: recomputes every hash; names the first bad entry.
struct LedgerVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recompute every hash and check the latest checkpoint; exit 1 on tampering.")

    @OptionGroup var store: StoreOptions

    @Option(help: "The checkpoint verifier key (<name>+<hex id>+<base64 key>), or a file holding it.")
    var verifier: String?

    func run() async throws {
        let key = try verifier.map(loadVerifier)
        let interactive = isatty(2) == 1
        let report = try await store.withStore { store in
            try await store.verify(verifier: key) { done, total in
                guard interactive, total > 0 else { return }
                let width = 30
                let filled = done * width / total
                let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) entries".utf8))
            }
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        if let problem = report.problem {
            printError("TAMPERED: \(problem.message)")
            throw ExitCode(1)
        }
        print(
            "ok: \(report.entries) entries, root \(Hex.encode(report.rootHash))"
                + (report.checkpointSize.map { ", signed checkpoint at size \($0) verified" } ?? ""))
    }
}
