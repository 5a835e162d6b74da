/// What a witness checks before it cosigns (C2SP tlog-witness's rules, pulled rather than pushed): the log's own
/// signature, the same origin as before, and an append-only step from the largest checkpoint it cosigned — never a
/// smaller tree (a rollback) and never another root at the same or a consistent-looking size (a fork). A log that
/// forks after a witness cosigned can then show one history to the witness and another to no one.
public enum Witness {
    /// The checkpoint `note` carries, once it may be cosigned; `proof` is the consistency proof from `previous` to it
    /// (empty when there is no previous checkpoint or the sizes are equal).
    public static func check(_ note: String, log: NoteVerifier, previous: Checkpoint?, proof: [[UInt8]])
        throws(NoteError) -> Checkpoint
    {
        try check(note, log: [log], previous: previous, proof: proof)
    }

    /// As above, for a log with several keys — its current one and the one it is rotating from: the note must be
    /// signed by one of them.
    public static func check(_ note: String, log keys: [NoteVerifier], previous: Checkpoint?, proof: [[UInt8]])
        throws(NoteError) -> Checkpoint
    {
        let checkpoint = try Checkpoint(body: try verified(note, by: keys))
        guard let previous else { return checkpoint }
        guard checkpoint.origin == previous.origin else {
            throw NoteError("the checkpoint is of log \(checkpoint.origin), not \(previous.origin)")
        }
        guard checkpoint.size >= previous.size else {
            throw NoteError(
                "ROLLBACK: the log's checkpoint is at size \(checkpoint.size), smaller than size \(previous.size) "
                    + "this witness already cosigned")
        }
        guard
            MerkleTree.verifyConsistency(
                first: previous.size, second: checkpoint.size, firstRoot: previous.rootHash,
                secondRoot: checkpoint.rootHash, proof: proof)
        else {
            throw NoteError(
                "FORK: the log's checkpoint at size \(checkpoint.size) is not consistent with the one at size "
                    + "\(previous.size) this witness cosigned")
        }
        return checkpoint
    }

    /// The note's text when one of `keys` signed it; the last key's error otherwise.
    public static func verified(_ note: String, by keys: [NoteVerifier]) throws(NoteError) -> String {
        var failure = NoteError("no log key is configured")
        for key in keys {
            do { return try key.verify(note) } catch { failure = error }
        }
        throw failure
    }
}
