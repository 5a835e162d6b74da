public import CountersignCore

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
