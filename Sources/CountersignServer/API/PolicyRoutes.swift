public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Hummingbird

/// `/api/v1/policy`: the policy in force, proposals of the policy file, and their approval by a second admin.
public struct PolicyRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.get("policy") { _, context in
            _ = try context.caller()
            let bundle = control.policy.bundle
            return JSONBody.response(
                .object([
                    ("hash", .string(bundle.hash)),
                    ("environments", .array(bundle.environments.keys.sorted().map(JSONValue.string))),
                    ("tiers", .array(bundle.tiers.map { .string($0.name) })),
                ]))
        }
        group.post("policy/proposals") { _, context in
            let caller = try context.caller()
            let hash = try await control.proposePolicy(by: caller)
            return JSONBody.response(.object([("hash", .string(hash))]), status: .created)
        }
        group.post("policy/proposals/{hash}/approve") { _, context in
            let bundle = try await control.approvePolicy(
                hash: try context.parameters.require("hash"), by: try context.caller())
            return JSONBody.response(.object([("hash", .string(bundle.hash))]))
        }
    }
}
