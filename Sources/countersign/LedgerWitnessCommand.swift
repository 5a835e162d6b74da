import ArgumentParser
import CountersignClient
import CountersignControl
internal import CountersignEncoding
import CountersignLedger
import Foundation

/// `countersign ledger witness --key FILE --log-verifier KEY --state DIR`: a witness of a Countersign ledger. It
/// fetches the log's latest checkpoint from the server, checks the log's signature and — with a consistency proof
/// from the server — that the log only grew since the largest checkpoint it cosigned before, then adds its C2SP
/// tlog-cosignature/v1 and keeps the cosigned note in DIR (`checkpoint`, and `checkpoints/<size>`), the state it
/// checks the next one against. Run it where the log's operators cannot write (another account, another team), on a
/// schedule; `ledger verify --published DIR --witness KEY` then proves the ledger never rewrote what was witnessed.
struct LedgerWitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Cosign the log's latest checkpoint after checking it only grew since the last one cosigned.",
        discussion: """
            Exit 0 with the cosigned note printed; 1 when the log's signature does not verify, the checkpoint is \
            smaller than the last one cosigned (ROLLBACK) or not consistent with it (FORK) — the state is then left \
            as it was. Make the witness key with `countersign keys generate --witness`.
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "The witness's private key file (`keys generate --witness`).") var key: String
    @Option(
        help: """
            The log's checkpoint verifier key (<name>+<hex id>+<base64 key>), or a file holding it; repeat it while \
            the log rotates its key (the new one and the old).
            """)
    var logVerifier: [String]
    @Option(help: "The witness's state directory: the last cosigned checkpoint, and every one before it.")
    var state: String

    func run() async throws {
        let cosigner: Cosigner
        do { cosigner = try Cosigner(privateKey: try readFile(key)) } catch let error as NoteError {
            throw ControlError(.badRequest, "--key: \(error.message)")
        }
        guard !logVerifier.isEmpty else { throw ValidationError("--log-verifier is required") }
        let log = try logVerifier.map(loadVerifier)
        let store = try CheckpointPublication(state)
        guard case .directory = store.place else {
            throw ValidationError("--state must be a directory")
        }
        // The state is the witness's own, but it is checked as if it were not: a note it did not cosign for this log
        // is not a state to build on.
        var previous: Checkpoint?
        if let note = try await store.latest() {
            do {
                _ = try cosigner.verifier.verify(note)
                previous = try Checkpoint(body: try Witness.verified(note, by: log))
            } catch {
                throw ControlError(
                    .conflict, "the state in \(state) is not a checkpoint this witness cosigned: \(error)")
            }
        }
        let client = try await server.client()
        guard let note = try await client.text(.checkpoint) else {
            throw ControlError(.notFound, "the log has signed no checkpoint yet")
        }
        let claimed: Checkpoint
        do { claimed = try Checkpoint(body: try SignedNote(note).text) } catch {
            throw ControlError(.unprocessable, "the log's checkpoint is malformed: \(error)")
        }
        var proof: [[UInt8]] = []
        if let previous, previous.size > 0, claimed.size > previous.size {
            let answer = try await client.call(
                .consistencyProof, query: [("from", String(previous.size)), ("to", String(claimed.size))])
            guard let hashes = answer["proof"]?.arrayValue else {
                throw ControlError(.unprocessable, "the log's consistency proof has no proof")
            }
            for hash in hashes {
                guard let hex = hash.stringValue, let bytes = Hex.decode(hex), bytes.count == 32 else {
                    throw ControlError(.unprocessable, "the log's consistency proof holds a malformed hash")
                }
                proof.append(bytes)
            }
        }
        let checkpoint: Checkpoint
        do { checkpoint = try Witness.check(note, log: log, previous: previous, proof: proof) } catch {
            printError("REFUSED: \(error.message)")
            throw ExitCode.failure
        }
        let cosigned: String
        do { cosigned = try cosigner.cosign(note, at: UInt64(Date().timeIntervalSince1970)) } catch {
            throw ControlError(.internal, error.message)
        }
        try await store.put(cosigned, size: checkpoint.size)
        print(cosigned, terminator: "")
    }
}
