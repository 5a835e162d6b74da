public import CountersignCore
internal import CountersignLedger
public import Foundation

/// The body of `POST /api/v1/deploy-requests`: the requester is the caller, never a field.
public struct DeployRequestInput: Sendable, Hashable, Codable {
    public var service: String
    public var environment: String
    /// Must be digest-pinned (`registry/repo@sha256:…`); a tag-only reference is denied by the gate.
    public var artifact: String
    public var change: Change
    /// Who will carry the deploy out; the caller when absent.
    public var deployer: String?

    public init(service: String, environment: String, artifact: String, change: Change, deployer: String? = nil) {
        self.service = service
        self.environment = environment
        self.artifact = artifact
        self.change = change
        self.deployer = deployer
    }
}

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
