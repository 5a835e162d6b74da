public import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
package import Foundation

/// A deploy request with its latest recorded decision.
public struct DeployRequestStatus: Sendable, Hashable {
    public var request: DeployRequest
    public var decision: Decision?
    /// The ledger entry that recorded the request.
    public var seq: Int64
    /// Where it came from, for a GitHub deployment protection rule: where to answer.
    var github: DeployRequested.GitHubOrigin?
    /// When it was recorded.
    package var requestedAt: Date
}
