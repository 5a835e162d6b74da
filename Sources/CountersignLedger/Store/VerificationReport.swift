internal import Crypto

/// The outcome of verifying a whole ledger: either everything matches, or the first problem found.
/// A value, not a thrown error: tampering is a finding, not a fault.
public struct VerificationReport: Sendable {
    /// The entries checked.
    public let entries: Int
    /// The root recomputed from the entries.
    public let rootHash: [UInt8]
    /// The size of the signed checkpoint that was checked, if any.
    public let checkpointSize: Int?
    /// The first problem, naming the first bad entry when there is one.
    public let problem: (seq: Int64?, message: String)?

    static func bad(seq: Int64?, _ message: String) -> VerificationReport {
        VerificationReport(entries: 0, rootHash: [], checkpointSize: nil, problem: (seq, message))
    }

    public var isValid: Bool { problem == nil }
}
