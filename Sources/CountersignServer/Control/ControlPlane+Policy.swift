public import CountersignCore
public import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// Records the policy in force as `policy.published` unless the latest such entry already names its hash, so
    /// the ledger says which policy every later decision used. Called at start-up and after each reload.
    @discardableResult
    public func publishPolicy(by actor: String) async throws(APIError) -> Bool {
        let bundle = policy.bundle
        let last = try await rows(
            "SELECT canonical FROM entries WHERE type = 'policy.published' ORDER BY seq DESC LIMIT 1")
        if let text = last.first?.text("canonical"), let entry = try? LedgerEntry(canonical: text),
            entry.payload["hash"]?.stringValue == bundle.hash
        {
            return false
        }
        var payload: [(String, JSONValue)] = [
            ("hash", .string(bundle.hash)),
            ("environments", .array(bundle.environments.keys.sorted().map(JSONValue.string))),
            ("tiers", .array(bundle.tiers.map { .string($0.name) })),
        ]
        if let path = policy.path { payload.append(("path", .string(path))) }
        try await record("policy.published", actor: actor, payload: .object(payload))
        return true
    }

    /// Loads the policy again from its path and records it; a policy that does not load leaves the old one in
    /// force and is reported as `badRequest` with every issue.
    public func reloadPolicy(by actor: String) async throws(APIError) -> PolicyBundle {
        do { try policy.reload() } catch {
            throw APIError(.badRequest, "the policy did not load; the previous one stays in force: \(error)")
        }
        try await publishPolicy(by: actor)
        return policy.bundle
    }
}
