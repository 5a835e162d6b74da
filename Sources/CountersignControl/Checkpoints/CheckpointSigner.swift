public import CountersignLedger
internal import Logging
public import ServiceLifecycle

/// Signs checkpoints of the ledger and publishes each one outside the database: on demand (`POST
/// /api/v1/ledger/checkpoint`) and, as a service, every `interval` the log has grown. Every node of a scale-out may
/// run it: Ed25519 signatures are deterministic, so two nodes signing one tree size store and publish the same note.
public struct CheckpointSigner: Service {
    let store: any LedgerStore
    let signer: NoteSigner
    let origin: String
    let publication: CheckpointPublication?
    let interval: Duration?
    let metrics: ServerMetrics?
    let logger = Logger(label: "countersign.checkpoint")

    public init(
        store: any LedgerStore, signer: NoteSigner, origin: String, publication: CheckpointPublication?,
        interval: Duration?, metrics: ServerMetrics? = nil
    ) {
        self.metrics = metrics
        self.store = store
        self.signer = signer
        self.origin = origin
        self.publication = publication
        self.interval = interval
    }

    /// Signs a checkpoint of the current tree (the store refuses one that does not extend its latest) and publishes
    /// it (publication refuses one that does not extend the published one). Returns the note.
    @discardableResult
    public func sign() async throws(ControlError) -> String {
        let note: String
        do { note = try await store.checkpoint(signer: signer, origin: origin) } catch {
            throw ControlError(ledger: error)
        }
        guard let publication else { return note }
        do {
            try await publication.publish(note, ledger: store)
            metrics?.checkpointPublication(outcome: "published")
        } catch {
            metrics?.checkpointPublication(outcome: error.code == .conflict ? "refused" : "failed")
            throw error
        }
        return note
    }

    public func run() async throws {
        guard let interval else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
            do {
                let signed = try await store.latestCheckpoint().map {
                    try Checkpoint(body: Checkpoint.body(ofNote: $0))
                }
                guard try await store.size() > signed?.size ?? 0 else { continue }
                let note = try await sign()
                logger.debug("checkpoint signed", metadata: ["note": .string(note)])
            } catch let error as ControlError where error.code == .conflict {
                logger.critical(
                    "checkpoint not published", metadata: ["error": .string(error.message)])
            } catch {
                logger.error("checkpoint not signed", metadata: ["error": .string("\(error)")])
            }
        }
    }
}
