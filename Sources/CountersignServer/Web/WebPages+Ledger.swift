internal import CountersignControl
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// The ledger browser: the latest signed checkpoint (and the ones before it), and the entries, newest first,
    /// each marked as covered by that checkpoint or not yet.
    func ledger(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    )
        async throws -> Response
    {
        let store = control.store
        let size = try await LedgerRoutes.ledger { () async throws(LedgerError) in try await store.size() }
        let checkpoint = try await latestCheckpoint()
        let before = min(try LedgerRoutes.integer(request, "before") ?? size, size)
        let count = min(50, before)
        let entries = try await LedgerRoutes.ledger { () async throws(LedgerError) in
            try await store.entries(from: before - count, count: count)
        }
        let items: [[String: Any]] = entries.reversed().map { e in
            [
                "seq": e.seq, "type": e.type.rawValue, "at": WebFormat.time(e.at), "actor": e.actor,
                "covered": checkpoint.map { e.seq < $0.size } ?? false,
            ]
        }
        var page: [String: Any] = [
            "size": size, "entries": items, "hasOlder": before - count > 0, "older": before - count,
        ]
        if before < size { page["newer"] = min(size, before + 50) }
        let history = try await control.read({ r throws(LedgerError) in try await r.checkpoints(limit: 10) })
        page["checkpoints"] = history.map { c -> [String: Any] in ["size": c.size, "root": Hex.encode(c.rootHash)] }
        page["hasHistory"] = history.count > 1
        if let checkpoint {
            page["checkpoint"] = [
                "size": checkpoint.size, "root": Hex.encode(checkpoint.rootHash), "origin": checkpoint.origin,
                "behind": size - checkpoint.size,
            ]
        }
        return renderer.page(
            "ledger", title: "Ledger", section: "ledger", session: session, context: page, started: started)
    }

    /// One entry: its canonical JSON, leaf hash, and an inclusion proof checked on the server against the latest
    /// signed checkpoint (or against the current tree when no checkpoint covers it yet).
    func ledgerEntry(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let store = control.store
        guard let seq = Int(try context.parameters.require("seq")), seq >= 0 else {
            throw ControlError(.badRequest, "the entry number must be a non-negative integer")
        }
        guard
            let entry = try await LedgerRoutes.ledger({ () async throws(LedgerError) in
                try await store.entries(from: seq, count: 1)
            }).first
        else { throw ControlError(.notFound, "the ledger has no entry \(seq)") }
        let checkpoint = try await latestCheckpoint()
        let covered = checkpoint.map { seq < $0.size } ?? false
        let proof = try await LedgerRoutes.ledger { () async throws(LedgerError) in
            try await store.inclusionProof(seq: seq, size: covered ? checkpoint?.size : nil)
        }
        let leaf = MerkleTree.leafHash(entry.canonicalBytes)
        let root = covered ? checkpoint!.rootHash : proof.rootHash
        let verified =
            leaf == proof.leafHash
            && MerkleTree.verifyInclusion(
                leafHash: leaf, index: seq, size: proof.treeSize, proof: proof.proof, root: root)
        let pretty = entry.json.prettyString
        let page: [String: Any] = [
            "seq": seq, "type": entry.type.rawValue, "at": WebFormat.time(entry.at), "actor": entry.actor,
            "json": pretty, "leaf": Hex.encode(leaf), "treeSize": proof.treeSize, "root": Hex.encode(root),
            "proof": proof.proof.map(Hex.encode), "covered": covered, "verified": verified,
            "proofLength": proof.proof.count,
        ]
        return renderer.page(
            "ledger-entry", title: "Entry \(seq)", section: "ledger", session: session, context: page, started: started)
    }

    /// The latest checkpoint's body (its signatures are verified by `ledger verify` and by clients with the key).
    func latestCheckpoint() async throws -> Checkpoint? {
        let store = control.store
        guard
            let note = try await LedgerRoutes.ledger({ () async throws(LedgerError) in
                try await store.latestCheckpoint()
            }),
            let split = note.range(of: "\n\n")
        else { return nil }
        return try? Checkpoint(body: String(note[..<split.lowerBound]) + "\n")
    }
}
