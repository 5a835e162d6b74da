import ArgumentParser
import CountersignControl
import CountersignLedger
import Foundation

/// `countersign keys generate --name NAME --out FILE [--witness]`: a checkpoint signing key, or a witness's.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage checkpoint signing keys.", subcommands: [KeysGenerateCommand.self])
}

struct KeysGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Create an Ed25519 note key: writes the private key to --out (mode 0600), prints the verifier key.")

    @Flag(help: "A witness's cosigning key (C2SP tlog-cosignature/v1, type 0x04) rather than a log's signing key.")
    var witness = false

    @Option(help: "The key name; use the log origin, e.g. countersign.example.com/ledger.")
    var name: String

    @Option(help: "Where to write the private key.")
    var out: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else {
            throw ControlError(.conflict, "\(out) exists; refusing to overwrite a key")
        }
        let (privateKey, verifier): (String, String)
        do {
            if witness {
                let cosigner = try Cosigner(name: name)
                (privateKey, verifier) = (cosigner.privateKeyText, cosigner.verifier.text)
            } else {
                let signer = try NoteSigner(name: name)
                (privateKey, verifier) = (signer.privateKeyText, signer.verifier.text)
            }
        } catch {
            throw ControlError(.badRequest, error.message)
        }
        guard
            FileManager.default.createFile(
                atPath: out, contents: Data((privateKey + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ControlError(.badRequest, "cannot write \(out)")
        }
        print(verifier)
    }
}
