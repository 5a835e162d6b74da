public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// A deploy request with its latest recorded decision.
public struct DeployRequestStatus: Sendable, Hashable {
    public var request: DeployRequest
    public var decision: Decision?
    /// The ledger entry that recorded the request.
    public var seq: Int64
    /// That entry's payload: the request plus where it came from (`github` for a protection rule).
    var payload: JSONValue
    /// When it was recorded.
    var requestedAt: Date
}
